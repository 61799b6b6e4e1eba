// Data the version-comparison UI (`mlv ui`) shows. The library loads it
// (src/compare/source.ts); cli/ui only renders it and never reads the store.

export type ParamValue = string | number | boolean | null;

export interface VersionRow {
  /** Unique: commit sha, or experiment ref name (e.g. refs/mlv/exps/<baseline>/<name>). */
  id: string;
  kind: 'commit' | 'exp';
  /** Commit sha (for an exp: the experiment commit). */
  rev: string;
  /** Short sha / branch tip name, or experiment name. */
  name: string;
  /** For an exp: the baseline commit sha; the row is indented beneath it. */
  baseline?: string;
  /** ISO 8601. */
  date: string;
  message: string;
  /** Flattened with dots: "train.n_estimators". */
  params: Record<string, ParamValue>;
  /** Flattened with dots: "eval.accuracy" or "accuracy". */
  metrics: Record<string, number>;
  status?: 'ok' | 'failed' | 'running';
  /** Why a failed run failed (the stage and the tail of its stderr). */
  error?: string;
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
  /** Commits of the current branch newest first, each followed by its experiments. */
  rows(): Promise<VersionRow[]>;
  detail(row: VersionRow): Promise<VersionDetail>;
  diff(a: VersionRow, b: VersionRow): Promise<VersionDiff>;
  /** loss/error/mae/mse/rmse → 'min'; everything else → 'max'. */
  direction(metric: string): MetricDirection;
}
