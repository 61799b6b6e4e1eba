/**
 * What an algorithm is to the rest of mlv: one descriptor per `src/ml/models/<algo>.ts`,
 * listed in the registry (models/index.ts). `mlv train` reads its tasks and
 * hyperparameters from it and calls trainer → fit per fold; `mlv predict` and every
 * fold's scoring call load → predict / predictProba / transform. Nothing outside the
 * descriptor knows an algorithm by name.
 *
 * Hyperparameters are declared as scikit-learn declares them (`_parameter_constraints`):
 * per name a default and the accepted forms (params.ts builds them), checked before any
 * fit, a bad value naming the parameter and what it accepts.
 *
 * @example
 *   export const ridge = defineAlgorithm({
 *     name: 'ridge', title: 'ridge', tasks: ['regression'],
 *     params: { alpha: { default: 1, constraints: [interval('real', 0, null, 'left')] } },
 *     trainer: (data, params) => ({ fit: async (rows) => ({ state: fitRidge(data, rows, params.alpha as number) }) }),
 *     load: (state, ctx) => ({ predict: (X) => predictRidge(checkRidge(state, ctx.features.length), X) }),
 *   });
 */

export type Task = 'classification' | 'regression' | 'clustering' | 'reduction';
export const TASKS: readonly Task[] = ['classification', 'regression', 'clustering', 'reduction'];

export type Label = string | number;

/** A hyperparameter value as YAML reads it (`-p max_depth=8`, params.yaml). */
export type ParamValue = string | number | boolean | null;
export type Params = Record<string, ParamValue>;

/** One accepted form of a value (scikit-learn's Interval, StrOptions, None, ...). */
export interface Constraint {
  test(v: ParamValue): boolean;
  /** For messages and docs: "an integer >= 1", "\"sqrt\", \"log2\"", "null". */
  text: string;
}

export interface ParamSpec {
  /** scikit-learn's default; a function where it depends on the task. */
  default: ParamValue | ((task: Task) => ParamValue);
  /** Accepted forms: a value must pass one of them. */
  constraints: Constraint[];
}

/** The rows of one `mlv train` run, shared (read-only) by all its folds' fits. */
export interface TrainData {
  task: Task;
  /**
   * Features, column-major: columns[f][i]. NaN only where the algorithm allowsMissing
   * (train refuses missing values for the others, naming file, line and column). The
   * arrays may be SharedArrayBuffer-backed, for worker threads to read in place.
   */
  columns: Float64Array[];
  /** Rows in every column. */
  n: number;
  /** Features. */
  p: number;
  /** Classification: the classes, sorted; yClass[i] is row i's index into them. */
  labels?: Label[];
  yClass?: Int32Array;
  /** Regression: the target. */
  yReg?: Float64Array;
  seed: number;
  /** Worker threads the algorithm may start (1: none). */
  jobs: number;
}

/** One fit's result. */
export interface Fit {
  /** The model file's `state`: plain JSON (typed arrays print as arrays), read back by load. */
  state: Record<string, unknown>;
  /** Native importances, one per feature (trees: MDI, summing to 1): saved and reported. */
  importances?: Float64Array;
  /**
   * Native importances reported by train (its output and --json; the metrics file only
   * when --importance is given) but never saved in the model file: for an algorithm
   * whose files predate importances (linear), so old commits rebuild the same bytes.
   */
  reportedImportances?: Float64Array;
  /** Facts of the final fit reported beside the metrics. */
  report?: { explained_variance_ratio?: number[] };
}

/** An algorithm set up on one data set: what its folds share lives here. */
export interface Trainer {
  /** Fits on `rows` (ascending indices into the data; every row for the final fit). */
  fit(rows: Int32Array): Promise<Fit>;
  /** Frees what fits shared (worker threads); called once training ends, also on error. */
  close?(): Promise<void>;
}

/**
 * What a loaded model does; rows are in the model's feature order and of its width
 * (loadModel checks that before calling). A classifier gives predictProba (one
 * probability per label, summing to 1; train's metrics need it) and may leave predict
 * out: loadModel then predicts the first most probable label.
 */
export interface Predictor {
  /** Values (regression), cluster numbers (clustering), labels (classification). */
  predict?(X: Float64Array[]): Label[] | Float64Array;
  predictProba?(X: Float64Array[]): Float64Array[];
  /** Reduction: the component scores; clustering: the distance to each centre. */
  transform?(X: Float64Array[]): Float64Array[];
}

export interface LoadContext {
  task: Task;
  features: string[];
  /** Classifiers: the model's labels (checked non-empty before load). */
  labels?: Label[];
  /** The file's state layout version (`state_version`; 1 when absent), at most the descriptor's stateVersion. */
  version: number;
}

/** `mlv exp search`'s space for an algorithm, in `-S` syntax (`max_depth=2,4,null`, `alpha=range(0.01,10,log)`). */
export interface SearchSpace {
  grid: string[];
  random: string[];
}

export interface AlgorithmDescriptor<N extends string = string> {
  /** What users write (`--algorithm`, the model file's `algorithm`). */
  name: N;
  /** Words for help texts ("random forest"). */
  title: string;
  /** Tasks it serves. The first registered algorithm that serves a task is its default. */
  tasks: readonly Task[];
  /** Hyperparameters by scikit-learn name. */
  params: Record<string, ParamSpec>;
  /** Takes missing feature values (NaN) in training and prediction. */
  allowsMissing?: boolean;
  /**
   * Version of the `state` layout fit writes (default 1; a model file records it as
   * `state_version` when it is not 1). loadModel refuses a file with a version above
   * it, and hands load the file's version, so an algorithm can keep reading old ones.
   */
  stateVersion?: number;
  /**
   * Sets up training on one data set (sorting, worker threads) and checks the
   * parameters against it (an InputError naming the parameter). `params` are
   * resolved: every name present, defaults filled in, constraints passed.
   */
  trainer(data: TrainData, params: Params): Trainer;
  /**
   * A state (from fit, or from a model file: check it, an InputError naming what is
   * wrong) to something that predicts.
   */
  load(state: Record<string, unknown>, ctx: LoadContext): Predictor;
  /** Clustering and reduction: the metrics of a fit on `rows` (supervised tasks are scored by train). */
  score?(fit: Fit, data: TrainData, rows: Int32Array): Record<string, number>;
  /** Searched by `mlv exp search` when given. */
  search?: SearchSpace;
}

/** Keeps the name's literal type, so the registry can list the names as a type. */
export function defineAlgorithm<const N extends string>(d: AlgorithmDescriptor<N>): AlgorithmDescriptor<N> {
  return d;
}

/** First index of the largest value (numpy's argmax tie rule). */
export function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}
