/**
 * The pipeline as declared in `mlv.yaml` (docs/FORMAT.md, "mlv.yaml") and as recorded
 * in `mlv.lock` ("mlv.lock"). Paths here are repo-relative and `/`-separated; the
 * loader resolves what mlv.yaml writes relative to a stage's `wdir`.
 */

export interface OutDef {
  path: string;
  /** Stored in the cache and git-ignored (default); false: committed to git, only hashed. */
  cache: boolean;
  /** Not removed before the stage runs (checkpoints, incremental outputs). */
  persist: boolean;
}

export interface MetricDef extends OutDef {
  /** Relative tolerance for every number in the file, or per flattened key. */
  tolerance?: number | Record<string, number>;
}

export interface ParamRef {
  /** Repo-relative params file (params.yaml by default). */
  file: string;
  /** Dotted key inside it: `train.n_estimators`. */
  key: string;
}

export interface StageDef {
  name: string;
  cmd: string[];
  /** Repo-relative directory the command runs in ('.' for the root). */
  wdir: string;
  deps: string[];
  params: ParamRef[];
  outs: OutDef[];
  metrics: MetricDef[];
  frozen: boolean;
  desc?: string;
  /** Where the stage is declared, for error messages: `mlv.yaml:12`. */
  where: string;
}

export interface Pipeline {
  root: string;
  file: string;
  stages: Map<string, StageDef>;
  /** Stage names in a dependency order (upstream first; ties in declaration order). */
  order: string[];
  /** stage → stages it needs (producers of its deps). */
  upstream: Map<string, Set<string>>;
}

export type { EnvFingerprint, Lock, LockedMetric, LockedOut, LockedPath, LockStage } from '../repo/lockfile.js';
