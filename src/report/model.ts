/**
 * What a report says about one version, gathered by ./gather.ts from the commit (pointers,
 * mlv.yaml, mlv.lock, params, metrics files, model and featurize files in the cache) and
 * rendered by ./html.ts and ./markdown.ts. Renderers take this and return text; they read
 * nothing themselves.
 */

export type Value = string | number | boolean | null;

export interface DataItem {
  path: string;
  kind: 'file' | 'dir';
  size: number;
  files: number;
  hash: string;
  desc?: string;
  /** A `.mlv` pointer (an input), or an output of a stage. */
  source: 'pointer' | 'stage';
  stage?: string;
  /** False: the object is not in the local cache (not pulled); what needs it says so. */
  cached: boolean;
  /** Against the compared version. */
  change?: 'added' | 'modified' | 'unchanged';
  previousSize?: number;
  /** The hash at the compared version, when modified. */
  previousHash?: string;
}

export interface ExploreSummary {
  path: string;
  rows: number;
  columns: number;
  /** Missing cells over all cells. */
  missingShare: number;
  warnings: string[];
  personal: Array<{ column: string; kind: string }>;
  columnTypes: Record<string, number>;
  /** The same file at the compared version, when it changed and is cached. */
  previous?: { rows: number; columns: number; missingShare: number };
}

export interface FeatureStep {
  /** derive, join, cross, impute, encode, scale, drop, keep. */
  kind: string;
  /** One sentence. */
  text: string;
  columns: string[];
}

export interface FeaturesInfo {
  /** The featurize state file (or the model that embeds it). */
  source: string;
  target: string | null;
  inputs: string[];
  outputs: string[];
  derived: string[];
  dropped: string[];
  steps: FeatureStep[];
  /** How the transform keeps the target and test rows out of fitted statistics. */
  leakGuard: string[];
}

export interface ModelInfo {
  path: string;
  algorithm: string;
  task: string;
  target: string | null;
  features: string[];
  labels?: Value[];
  params: Array<{ key: string; value: Value; previous?: Value; changed: boolean }>;
  seed: Value;
  bytes: number;
  importances?: Array<{ name: string; value: number }>;
}

export interface CvMetric { name: string; mean: number; std: number; folds: number[] }

export interface ResultsInfo {
  /** Every number each metrics file recorded in mlv.lock: file → key → value. */
  lockMetrics: Array<{ file: string; stage: string; values: Record<string, number> }>;
  /** From a training metrics file (`mlv train --metrics`). */
  training?: { file: string; validation: string; task: string; algorithm: string; metrics: CvMetric[]; cost?: Record<string, number> };
  /** Held-out metrics: a metrics file written by `mlv evaluate` (or another stage). */
  heldOut: Array<{ file: string; values: Record<string, number> }>;
  /** Cross-validated mean against the same metric on the held-out file. */
  gaps: Array<{ metric: string; validation: number; heldOut: number; gap: number; file: string }>;
  /** Against the compared version, by flattened metric key. */
  previous?: Record<string, number>;
}

export interface Predictions {
  path: string;
  task: 'classification' | 'regression';
  yTrue: Value[];
  yPred: Value[];
  /** Classification: probability columns, by label. */
  proba?: { labels: Value[]; rows: number[][] };
}

export interface Plot {
  id: string;
  title: string;
  svg: string;
  /** What the plot is drawn from, in words. */
  caption: string;
}

export interface StageInfo {
  name: string;
  cmd: string[];
  deps: string[];
  outs: string[];
  metrics: string[];
  upstream: string[];
  desc?: string;
  env?: Record<string, string>;
}

export interface ReproOutcome {
  date: string;
  match: boolean;
  outputs: number;
  mismatched: string[];
  mlv: string;
  seconds?: number;
  envDiffers?: string[];
  error?: string;
}

export interface Report {
  title: string;
  /** The rev as the user gave it, the full commit, and what git says of it. */
  rev: string;
  commit: string;
  subject: string;
  date: string;
  author: string;
  /** An experiment commit: its name and status. */
  experiment?: { name: string; status: 'ok' | 'failed'; error?: string; overrides: Record<string, unknown> };
  compare?: { rev: string; commit: string };
  generated: { mlv: string; date: string };
  data: DataItem[];
  explore: ExploreSummary[];
  /** No mlv.yaml at this rev: the report holds data only. */
  hasPipeline: boolean;
  stages: StageInfo[];
  features?: FeaturesInfo;
  models: ModelInfo[];
  results: ResultsInfo;
  plots: Plot[];
  trend: { metric: string; points: Array<{ commit: string; subject: string; value: number }> } | undefined;
  cost?: { seconds?: number; modelBytes?: number; features?: number; rows?: number; fits?: number };
  reproduction: { command: string; last?: ReproOutcome };
  /** Things the report could not read, each a sentence naming the path and why. */
  notes: string[];
}
