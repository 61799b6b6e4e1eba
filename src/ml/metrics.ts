/**
 * Classification and regression metrics, defined exactly as scikit-learn 1.2 defines them
 * (checked against fixtures/ml/reference/metrics.json, built by sklearn).
 *
 * Labels: numbers sort numerically, strings by code point (numpy's order). A label set
 * mixing numbers and strings is compared as strings.
 *
 * Binary metrics (f1, precision, recall, roc_auc on one column) are reported when y_true
 * and y_pred together hold exactly two labels; the positive class is the greater label.
 * That is sklearn's pos_label=1 for {0, 1} and {-1, 1}; for other pairs sklearn demands
 * an explicit pos_label, and mlv picks the greater one ("yes" over "no", "true" over
 * "false", 2 over 0).
 *
 * @example
 *   classificationMetrics([0, 1, 1], [0, 1, 0], { labels: [0, 1], rows: [[.9, .1], [.2, .8], [.6, .4]] });
 *   regressionMetrics([1, 2, 3], [1.5, 2, 2.5]); // { mae: 0.333…, mse: 0.1666…, rmse, r2: 0.75 }
 */
export type Label = string | number;

export interface ConfusionMatrix {
  labels: Label[];
  /** matrix[i][j]: rows whose true label is labels[i] and predicted label is labels[j]. */
  matrix: number[][];
}

export interface ClassificationMetrics {
  accuracy: number;
  log_loss?: number;
  f1?: number;
  f1_macro: number;
  f1_weighted: number;
  precision?: number;
  recall?: number;
  roc_auc?: number;
  confusion_matrix: ConfusionMatrix;
}

export interface RegressionMetrics {
  mae: number;
  mse: number;
  rmse: number;
  r2: number;
}

export interface ProbaInput {
  /** The label of each probability column. */
  labels: Label[];
  /** One row per sample, one probability per label. */
  rows: ArrayLike<number>[];
}

function codePointCompare(a: string, b: string): number {
  // UTF-16 order differs from code point order only around surrogates; handle that case.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** numpy's sort order for a set of labels. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return codePointCompare(String(a), String(b));
}

/** Labels are keyed by text so 1 and "1" (from a CSV header like proba_1) meet. */
const key = (l: Label): string => (typeof l === 'number' ? String(l) : 's:' + l);

function uniformLabels(ys: Label[][]): Label[][] {
  const mixed = ys.some((y) => y.some((v) => typeof v === 'string')) && ys.some((y) => y.some((v) => typeof v === 'number'));
  return mixed ? ys.map((y) => y.map(String)) : ys;
}

export function sortedLabels(...ys: Label[][]): Label[] {
  const seen = new Map<string, Label>();
  for (const y of ys) for (const v of y) if (!seen.has(key(v))) seen.set(key(v), v);
  return [...seen.values()].sort(compareLabels);
}

/** Sum with compensation (Neumaier), so long columns agree with numpy's pairwise sum. */
function fsum(xs: ArrayLike<number>, f: (x: number, i: number) => number = (x) => x): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = f(xs[i], i);
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Area under the ROC curve with tied scores counted as half (equals sklearn's trapezoids). */
export function binaryAuc(isPositive: ArrayLike<boolean>, scores: ArrayLike<number>): number | undefined {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (isPositive[i]) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return undefined;
  // Sum of mid-ranks of the positives (Mann-Whitney U).
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (isPositive[order[k]]) rankSum += mid;
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Accuracy, F1 (binary, macro, weighted), precision, recall, log loss, ROC AUC (binary, or
 * macro one-vs-rest) and the confusion matrix.
 */
export function classificationMetrics(yTrueIn: Label[], yPredIn: Label[], proba?: ProbaInput): ClassificationMetrics {
  if (yTrueIn.length !== yPredIn.length) throw new RangeError(`y_true has ${yTrueIn.length} values, y_pred ${yPredIn.length}`);
  if (yTrueIn.length === 0) throw new RangeError('no samples');
  const [yTrue, yPred] = uniformLabels([yTrueIn, yPredIn]);
  const labels = sortedLabels(yTrue, yPred);
  const index = new Map(labels.map((l, i) => [key(l), i]));
  const k = labels.length;
  const n = yTrue.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) matrix[index.get(key(yTrue[i]))!][index.get(key(yPred[i]))!]++;

  let correct = 0;
  for (let i = 0; i < k; i++) correct += matrix[i][i];
  const perClass = labels.map((_, c) => {
    const tp = matrix[c][c];
    let predicted = 0;
    let support = 0;
    for (let i = 0; i < k; i++) {
      predicted += matrix[i][c];
      support += matrix[c][i];
    }
    // zero_division="warn" in sklearn 1.2 yields 0.
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });

  const result: ClassificationMetrics = {
    accuracy: correct / n,
    f1_macro: fsum(perClass.map((p) => p.f1)) / k,
    f1_weighted: fsum(perClass.map((p) => p.f1 * p.support)) / n,
    confusion_matrix: { labels, matrix },
  };
  if (k === 2) {
    const pos = perClass[1];
    result.f1 = pos.f1;
    result.precision = pos.precision;
    result.recall = pos.recall;
  }
  if (proba) Object.assign(result, probabilityMetrics(yTrue, proba));
  return result;
}

/**
 * log_loss(y_true, proba, labels=proba.labels) and roc_auc_score: binary on the greater
 * label's column, else macro one-vs-rest. Metrics that sklearn would refuse (a class of
 * y_true without a probability column, a single class) are left out.
 */
function probabilityMetrics(yTrueIn: Label[], proba: ProbaInput): Pick<ClassificationMetrics, 'log_loss' | 'roc_auc'> {
  const n = yTrueIn.length;
  if (proba.rows.length !== n) throw new RangeError(`${proba.rows.length} probability rows for ${n} samples`);
  const [pl, yTrue] = uniformLabels([proba.labels, yTrueIn]);
  const order = pl.map((_, i) => i).sort((a, b) => compareLabels(pl[a], pl[b]));
  const labels = order.map((i) => pl[i]);
  const k = labels.length;
  const index = new Map(labels.map((l, i) => [key(l), i]));
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = index.get(key(yTrue[i]));
    if (t === undefined) return {};
    truth[i] = t;
  }
  if (k < 2) return {};
  const out: Pick<ClassificationMetrics, 'log_loss' | 'roc_auc'> = {};
  // sklearn 1.2: clip to [eps, 1 - eps] with float64 eps, renormalise rows, mean of -log p_true.
  const eps = Number.EPSILON;
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = proba.rows[i];
    let sum = 0;
    let pTrue = 0;
    for (let c = 0; c < k; c++) {
      const p = Math.min(Math.max(row[order[c]], eps), 1 - eps);
      sum += p;
      if (c === truth[i]) pTrue = p;
    }
    losses[i] = -Math.log(pTrue / sum);
  }
  out.log_loss = fsum(losses) / n;

  const column = (c: number) => Float64Array.from(proba.rows, (r) => r[order[c]]);
  if (k === 2) {
    const auc = binaryAuc(Array.from(truth, (t) => t === 1), column(1));
    if (auc !== undefined) out.roc_auc = auc;
  } else {
    const aucs: number[] = [];
    for (let c = 0; c < k; c++) {
      const auc = binaryAuc(Array.from(truth, (t) => t === c), column(c));
      if (auc === undefined) return out;
      aucs.push(auc);
    }
    out.roc_auc = fsum(aucs) / k;
  }
  return out;
}

/** MAE, MSE, RMSE and R² (sklearn: R² is 1 for a perfect fit of a constant target, else 0 there). */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  const n = yTrue.length;
  if (yPred.length !== n) throw new RangeError(`y_true has ${n} values, y_pred ${yPred.length}`);
  if (n === 0) throw new RangeError('no samples');
  const mae = fsum(yTrue, (t, i) => Math.abs(t - yPred[i])) / n;
  const sse = fsum(yTrue, (t, i) => (t - yPred[i]) ** 2);
  const mse = sse / n;
  const mean = fsum(yTrue) / n;
  const sst = fsum(yTrue, (t) => (t - mean) ** 2);
  const r2 = sst === 0 ? (sse === 0 ? 1 : 0) : 1 - sse / sst;
  return { mae, mse, rmse: Math.sqrt(mse), r2 };
}

/** Points of a curve over decreasing score thresholds (sklearn's `roc_curve` / `precision_recall_curve`). */
export interface RocCurve { fpr: number[]; tpr: number[]; thresholds: number[] }
export interface PrCurve { precision: number[]; recall: number[]; thresholds: number[] }

/**
 * sklearn's `_binary_clf_curve`: scores sorted descending (stable, ties kept together);
 * at each distinct score, the true and false positives of predicting "positive" there.
 */
function binaryClfCurve(isPositive: ArrayLike<boolean>, scores: ArrayLike<number>): { fps: number[]; tps: number[]; thresholds: number[] } {
  const n = scores.length;
  if (isPositive.length !== n) throw new RangeError(`${isPositive.length} labels for ${n} scores`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i])) throw new RangeError(`score ${i} is ${scores[i]}: scores must be finite`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fps: number[] = [], tps: number[] = [], thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    if (isPositive[order[i]]) tp++;
    if (i === n - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      thresholds.push(scores[order[i]]);
    }
  }
  return { fps, tps, thresholds };
}

/**
 * The ROC curve as sklearn 1.2's `roc_curve(y, score)` (drop_intermediate=True) returns it:
 * collinear points dropped, a first point (0, 0) at threshold max + 1. Its trapezoid area
 * is `binaryAuc`, which `roc_auc` reports.
 */
export function rocCurve(isPositive: ArrayLike<boolean>, scores: ArrayLike<number>): RocCurve | undefined {
  let { fps, tps, thresholds } = binaryClfCurve(isPositive, scores);
  if (fps.length === 0 || tps[tps.length - 1] === 0 || fps[fps.length - 1] === 0) return undefined;
  if (fps.length > 2) {
    // Keep the ends and every point where the curve bends (a non-zero second difference).
    const keep = fps.map((_, i) => i === 0 || i === fps.length - 1 ||
      fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0);
    fps = fps.filter((_, i) => keep[i]);
    tps = tps.filter((_, i) => keep[i]);
    thresholds = thresholds.filter((_, i) => keep[i]);
  }
  const P = tps[tps.length - 1], N = fps[fps.length - 1];
  return {
    fpr: [0, ...fps.map((f) => f / N)],
    tpr: [0, ...tps.map((t) => t / P)],
    thresholds: [thresholds[0] + 1, ...thresholds],
  };
}

/**
 * The precision-recall curve as sklearn 1.2's `precision_recall_curve(y, score)` returns
 * it: recall decreasing, ending at (recall 0, precision 1), one threshold fewer than points.
 */
export function precisionRecallCurve(isPositive: ArrayLike<boolean>, scores: ArrayLike<number>): PrCurve | undefined {
  const { fps, tps, thresholds } = binaryClfCurve(isPositive, scores);
  if (tps.length === 0) return undefined;
  const P = tps[tps.length - 1];
  const precision = tps.map((t, i) => (t + fps[i] === 0 ? 0 : t / (t + fps[i])));
  const recall = tps.map((t) => (P === 0 ? 1 : t / P));
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], thresholds: thresholds.reverse() };
}

/** Area under a curve by the trapezoidal rule (sklearn's `auc`), for x monotonic. */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return Math.abs(s);
}
