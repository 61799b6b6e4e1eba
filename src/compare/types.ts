// Data the version-comparison UI (`mlv ui`) shows. The library loads it
// (src/compare/source.ts); cli/ui only renders it and never reads the store.

export type ParamValue = string | number | boolean | null;

/**
 * A job of the experiment queue shown as a row (`kind: 'job'`): queued, running, failed,
 * or finished on a worker but its experiment ref not fetched into this clone yet.
 */
export interface VersionJob {
  /** BullMQ queue name (`queue.name` of .mlv/config). */
  queue: string;
  id: string;
  sweep: string;
  state: 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'prioritized';
  /** `user@host` of whoever queued it. */
  submitter: string;
  /** ISO 8601 times. */
  submitted: string;
  started?: string;
  finished?: string;
  /** The worker (`host:pid`) that has it or last had it. */
  worker?: string;
  /** Runs started so far (a stalled or failed run counts), and at most. */
  attempts: number;
  maxAttempts: number;
  /** What the worker last reported: the stage it runs and that stage's status. */
  progress?: { stage?: string; status?: string };
  /** The command that brings a finished job's experiment into this clone. */
  fetch?: string;
}

export interface VersionRow {
  /** Unique: commit sha, experiment ref name (e.g. refs/mlv/exps/<baseline>/<name>), or `job:<queue>/<job id>`. */
  id: string;
  kind: 'commit' | 'exp' | 'job';
  /** Commit sha (for an exp: the experiment commit; for a job: its baseline). */
  rev: string;
  /** Short sha / branch tip name, or experiment name. */
  name: string;
  /** For an exp or a job: the baseline commit sha; the row is indented beneath it. */
  baseline?: string;
  /** ISO 8601. */
  date: string;
  /** A commit's subject; an experiment's message; a job's state in words. */
  message: string;
  /** Flattened with dots: "train.n_estimators". */
  params: Record<string, ParamValue>;
  /** Flattened with dots: "eval.accuracy" or "accuracy". */
  metrics: Record<string, number>;
  /** A job: queued (waiting), running, failed, or ok (finished, not fetched). */
  status?: 'ok' | 'failed' | 'running' | 'queued';
  /** Why a failed run failed (the stage and the tail of its stderr). */
  error?: string;
  job?: VersionJob;
}

export interface ArtifactInfo {
  path: string;
  kind: 'file' | 'dir';
  size: number;
  /** Number of files, for a directory. */
  files?: number;
  hash: string;
  desc?: string;
}

export interface VersionDetail {
  row: VersionRow;
  artifacts: ArtifactInfo[];
  confusionMatrix?: { labels: Array<string | number>; matrix: number[][] };
  featureImportances?: Record<string, number>;
  /** How they were measured when not the model's own: "permutation (accuracy drop)". */
  importanceMethod?: string;
  cost?: { seconds?: number; modelBytes?: number; featureCount?: number };
  /** e.g. "mlv repro --rev 1a2b3c4" */
  reproCommand: string;
}

export type ChangeKind = 'added' | 'modified' | 'deleted';

export interface FileChange {
  path: string;
  change: ChangeKind;
  oldSize?: number;
  newSize?: number;
}

export interface ArtifactChange extends FileChange {
  /** For a directory artifact: the files changed inside it, paths relative to the directory. */
  files?: FileChange[];
}

export interface VersionDiff {
  /** Row ids. */
  a: string;
  b: string;
  params: Array<{ key: string; a: ParamValue | undefined; b: ParamValue | undefined }>;
  metrics: Array<{ key: string; a: number | undefined; b: number | undefined; delta: number | undefined }>;
  artifacts: ArtifactChange[];
}

export type MetricDirection = 'max' | 'min';

/** What the UI consumes; `openVersionSource(repoRoot)` in ./source.ts provides the real one. */
export interface VersionSource {
  /** Commits of the current branch newest first, each followed by its experiments (and queued jobs). */
  rows(): Promise<VersionRow[]>;
  /** When set, rows() may change on its own (a queue's jobs): the UI calls it again this often (ms). */
  refreshMs?: number;
  /** One line about the last rows() beyond git (the queue's counts, or why it was not reached). */
  notice?(): string | undefined;
  detail(row: VersionRow): Promise<VersionDetail>;
  diff(a: VersionRow, b: VersionRow): Promise<VersionDiff>;
  /** loss/error/mae/mse/rmse → 'min'; everything else → 'max'. */
  direction(metric: string): MetricDirection;
}
