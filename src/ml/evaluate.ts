/**
 * Metrics of a predictions file (y_true, y_pred, optional proba_<label> columns), as
 * written by `mlv predict`.
 *
 * @example
 *   const m = await evaluatePredictions('preds.csv', 'classification');
 *   m.accuracy; m.confusion_matrix.labels;
 */
import { InputError } from '../errors/index.js';
import { readCsvWithLines } from './csv.js';
import { missingColumnError } from './data/columns.js';
import type { Column, Frame } from './frame.js';
import { classificationMetrics, regressionMetrics, type ClassificationMetrics, type Label, type RegressionMetrics } from './metrics.js';
import { parseNumber } from './data/values.js';

export type EvaluateTask = 'classification' | 'regression';

function need(frame: Frame, name: string, file: string): Column {
  const c = frame.columns.find((col) => col.name === name);
  if (!c) throw missingColumnError(file, name, frame.columns.map((col) => col.name));
  return c;
}

function missingCell(file: string, line: number, col: Column): InputError {
  return new InputError(`${file}: line ${line}, column "${col.name}": missing value`, { file, line, column: col.name });
}

function labelsOf(col: Column, file: string, lines: Float64Array): Label[] {
  const out: Label[] = new Array(col.values.length);
  for (let i = 0; i < col.values.length; i++) {
    if (col.type === 'categorical') {
      const v = col.values[i];
      if (v === null) throw missingCell(file, lines[i], col);
      out[i] = v;
    } else {
      const v = col.values[i];
      if (Number.isNaN(v)) throw missingCell(file, lines[i], col);
      if (col.type === 'boolean') out[i] = v ? 'true' : 'false';
      else if (col.type === 'date') out[i] = new Date(v).toISOString();
      else out[i] = v;
    }
  }
  return out;
}

function numbersOf(col: Column, file: string, lines: Float64Array): Float64Array {
  if (col.type !== 'number') {
    throw new InputError(`${file}: column "${col.name}" must hold numbers for regression (it reads as ${col.type})`, {
      file, column: col.name,
    });
  }
  for (let i = 0; i < col.values.length; i++) if (Number.isNaN(col.values[i])) throw missingCell(file, lines[i], col);
  return col.values;
}

export type Predictions =
  | { task: 'regression'; yTrue: Float64Array; yPred: Float64Array }
  | { task: 'classification'; yTrue: Label[]; yPred: Label[]; proba?: { labels: Label[]; rows: Float64Array[] } };

/** A predictions file read and checked for `task` (one error naming the line and column at fault). */
export async function readPredictions(path: string, task: EvaluateTask): Promise<Predictions> {
  const { frame, lines } = await readCsvWithLines(path);
  if (frame.nRows === 0) throw new InputError(`${path}: no rows to evaluate`, { file: path });
  const yt = need(frame, 'y_true', path);
  const yp = need(frame, 'y_pred', path);
  if (task === 'regression') return { task, yTrue: numbersOf(yt, path, lines), yPred: numbersOf(yp, path, lines) };

  const yTrue = labelsOf(yt, path, lines);
  const yPred = labelsOf(yp, path, lines);
  const probaCols = frame.columns.filter((c) => c.name.startsWith('proba_'));
  if (probaCols.length === 0) return { task, yTrue, yPred };
  const numericLabels = yTrue.every((v) => typeof v === 'number');
  const labels: Label[] = probaCols.map((c) => {
    const text = c.name.slice('proba_'.length);
    const x = parseNumber(text);
    return numericLabels && !Number.isNaN(x) ? x : text;
  });
  const rows: Float64Array[] = [];
  for (const c of probaCols) {
    if (c.type !== 'number') {
      throw new InputError(`${path}: column "${c.name}" must hold probabilities (numbers), it reads as ${c.type}`, {
        file: path, column: c.name,
      });
    }
  }
  for (let i = 0; i < frame.nRows; i++) {
    const row = new Float64Array(probaCols.length);
    for (let k = 0; k < probaCols.length; k++) {
      const v = probaCols[k].values[i] as number;
      if (Number.isNaN(v)) throw missingCell(path, lines[i], probaCols[k]);
      row[k] = v;
    }
    rows.push(row);
  }
  const known = new Set(labels.map(String));
  for (let i = 0; i < yTrue.length; i++) {
    if (!known.has(String(yTrue[i]))) {
      throw new InputError(`${path}: line ${lines[i]}: y_true label ${JSON.stringify(yTrue[i])} has no proba_${yTrue[i]} column`, {
        file: path, line: lines[i],
      });
    }
  }
  return { task, yTrue, yPred, proba: { labels, rows } };
}

export async function evaluatePredictions(path: string, task: EvaluateTask): Promise<ClassificationMetrics | RegressionMetrics> {
  const p = await readPredictions(path, task);
  if (p.task === 'regression') return regressionMetrics(p.yTrue, p.yPred);
  return classificationMetrics(p.yTrue, p.yPred, p.proba);
}
