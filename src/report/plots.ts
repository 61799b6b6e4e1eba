/**
 * The report's plots, computed by mlv from the version's own files: curves from the
 * held-out predictions through src/ml/metrics.ts (so the ROC area is the recorded
 * roc_auc), importances from the model file, the trend from the commits' locks.
 */
import { classificationMetrics, compareLabels, precisionRecallCurve, rocCurve, trapezoidArea, type Label } from '../ml/metrics.js';
import { label } from './svg/core.js';
import { barPlot, heatmap, xyPlot } from './svg/index.js';
import type { Plot, Predictions, Report } from './model.js';

export const PLOT_WIDTH = 480;
export const PLOT_HEIGHT = 320;
/** Residual plots draw at most this many points (every k-th row). */
const MAX_POINTS = 2000;
/** One-vs-rest curves are drawn for at most this many classes. */
const MAX_CURVES = 5;

export function plotsOf(report: Report, preds: Predictions | undefined): Plot[] {
  const plots: Plot[] = [];
  const size = { width: PLOT_WIDTH, height: PLOT_HEIGHT };
  if (preds?.task === 'classification') {
    const cm = classificationMetrics(preds.yTrue as Label[], preds.yPred as Label[]).confusion_matrix;
    const names = cm.labels.map(String);
    plots.push({ id: 'confusion-matrix', title: 'Confusion matrix', caption: `${preds.path}: ${preds.yTrue.length} rows; rows are the true label, columns the predicted one.`,
      svg: heatmap({ width: Math.min(PLOT_WIDTH, 120 + names.length * 56), title: 'Confusion matrix', rowLabels: names, colLabels: names, matrix: cm.matrix, rowTitle: 'true', colTitle: 'predicted' }) });
    if (preds.proba) plots.push(...curves(preds, size));
  }
  if (preds?.task === 'regression') {
    const step = Math.max(1, Math.ceil(preds.yTrue.length / MAX_POINTS));
    const x: number[] = [], y: number[] = [];
    for (let i = 0; i < preds.yTrue.length; i += step) { x.push(preds.yPred[i] as number); y.push((preds.yTrue[i] as number) - (preds.yPred[i] as number)); }
    plots.push({ id: 'residuals', title: 'Residuals against predictions', caption: `${preds.path}: ${x.length === preds.yTrue.length ? `all ${x.length} rows` : `1 row in ${step} of ${preds.yTrue.length}`}; residual = y_true − y_pred.`,
      svg: xyPlot({ ...size, title: 'Residuals against predictions', xLabel: 'predicted', yLabel: 'residual (true − predicted)', series: [{ name: 'rows', x, y, style: 'points' }], guides: guideZero(x) }) });
  }
  const model = report.models.find((m) => m.importances?.length);
  if (model) {
    plots.push({ id: 'importances', title: 'Feature importances', caption: `${model.path}: ${model.algorithm}'s own importances, the 15 largest of ${model.importances!.length}.`,
      svg: barPlot({ width: PLOT_WIDTH, height: 0, title: 'Feature importances', bars: model.importances!, max: 15 }) });
  }
  const t = report.trend;
  if (t && t.points.length) {
    plots.push({ id: 'trend', title: `Trend of ${t.metric}`, caption: `${t.metric} at the last ${t.points.length} commit(s) of this history that record it, oldest first.`,
      svg: xyPlot({ ...size, title: `Trend: ${t.metric}`, xLabel: 'commit', yLabel: t.metric.split(':').pop()!.replace(/ \(.*$/, ''), series: [{ name: t.metric, x: t.points.map((_, i) => i), y: t.points.map((p) => p.value) }], xCategories: t.points.map((p) => p.commit.slice(0, 7)) }) });
  }
  return plots;
}

function guideZero(x: number[]): Array<[number, number, number, number]> {
  if (!x.length) return [];
  let lo = Infinity, hi = -Infinity;
  for (const v of x) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return lo <= hi ? [[lo, 0, hi, 0]] : [];
}

/** ROC and precision-recall: the positive (greater) label for two classes, one-vs-rest beyond. */
function curves(preds: Predictions, size: { width: number; height: number }): Plot[] {
  const labels = preds.proba!.labels as Label[];
  const order = labels.map((_, i) => i).sort((a, b) => compareLabels(labels[a], labels[b]));
  const classes = labels.length === 2 ? [order[1]] : order.slice(0, MAX_CURVES);
  const roc = [], pr = [];
  for (const c of classes) {
    const pos = preds.yTrue.map((y) => String(y) === String(labels[c]));
    const scores = preds.proba!.rows.map((r) => r[c]);
    const rc = rocCurve(pos, scores), pc = precisionRecallCurve(pos, scores);
    const name = labels.length === 2 ? `positive = ${labels[c]}` : `${labels[c]} vs rest`;
    if (rc) roc.push({ name: `${name} (AUC ${label(trapezoidArea(rc.fpr, rc.tpr))})`, x: rc.fpr, y: rc.tpr });
    if (pc) pr.push({ name, x: pc.recall, y: pc.precision, style: 'step' as const });
  }
  const out: Plot[] = [];
  const more = labels.length > classes.length + 1 ? ` (first ${classes.length} of ${labels.length} classes)` : '';
  if (roc.length) out.push({ id: 'roc', title: 'ROC curve', caption: `${preds.path}: from the proba_ columns${more}; the area is roc_auc as mlv evaluate computes it.`,
    svg: xyPlot({ ...size, title: 'ROC curve', xLabel: 'false positive rate', yLabel: 'true positive rate', series: roc, xDomain: [0, 1], yDomain: [0, 1], guides: [[0, 0, 1, 1]], legend: 'bottom-right' }) });
  if (pr.length) out.push({ id: 'pr', title: 'Precision-recall curve', caption: `${preds.path}: from the proba_ columns${more}.`,
    svg: xyPlot({ ...size, title: 'Precision-recall curve', xLabel: 'recall', yLabel: 'precision', series: pr, xDomain: [0, 1], yDomain: [0, 1.02], legend: 'bottom-left' }) });
  return out;
}
