/**
 * `mlv predict`: apply a model file to a CSV and write y_pred (plus proba_<label> for
 * classifiers, and y_true when the CSV has the model's target) so `mlv evaluate` can read
 * the result directly. When the model carries a featurize state (or one is given), raw
 * rows are transformed exactly as the training rows were.
 *
 * @example
 *   await predictFile('model.json', 'new.csv', 'preds.csv');
 */
import { readFile } from 'node:fs/promises';
import { InputError, MlvError } from '../errors/index.js';
import type { Column, ColumnType, Frame } from './frame.js';
import { readCsvHeader, readCsvWithLines, writeCsv } from './csv.js';
import { prepareFeatureHashing } from './featurize/hashing.js';
import { applyFeaturizeRows, loadFeaturizeState, readFeaturizeState, type FeaturizeState, type RowDrop } from './featurize/index.js';
import { keyText } from './featurize/steps.js';
import { loadModel, type LoadedModel, type Label, type TrainingData } from './models/index.js';
import { hashRows } from './rowsHash.js';
import { recordPathFor, writePredictionRecord } from './predictionRecord.js';

export interface PredictOptions {
  /** A featurize state file to apply (instead of the one inside the model, if any). */
  featurize?: string;
  /** The CSV already holds the model's features: apply no feature transform. */
  noFeaturize?: boolean;
}

export interface PredictResult {
  rows: number;
  task: LoadedModel['task'];
  output: string;
  columns: string[];
  featurized: boolean;
  /** Rows dropped by the transform's row steps on the label (a missing or filtered label). */
  row_steps?: RowDrop[];
  /** What the model was trained on (null for a model that does not record it). */
  trained_on: TrainingData | null;
  /** The predicted rows are the model's training rows (null: unknown). */
  training_rows: boolean | null;
  /** The record beside the predictions (`<output>.predict.json`). */
  record: string;
}

async function loadModelFile(path: string): Promise<LoadedModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${path}: no such model file`, { file: path });
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`, { file: path });
  }
  try {
    return loadModel(json);
  } catch (e) {
    if (e instanceof MlvError) throw new InputError(`${path}: ${e.message}`, { ...e.data, file: path });
    throw e;
  }
}

function labelColumn(name: string, labels: Label[]): Column {
  if (labels.every((l) => typeof l === 'number')) return { name, type: 'number', values: Float64Array.from(labels as number[]) };
  return { name, type: 'categorical', values: labels.map(String) };
}

/**
 * Feature rows in model order; a non-numeric cell is an error naming its line, and so is
 * a missing one unless the model takes missing values.
 */
function featureRows(frame: Frame, features: string[], lines: Float64Array, label: string, allowsMissing: boolean): Float64Array[] {
  const cols = features.map((f) => {
    const c = frame.columns.find((x) => x.name === f);
    if (!c) throw new InputError(`${label}: no column "${f}", which the model needs`, { file: label, column: f });
    if (c.type === 'categorical') {
      // Name the first value that is not a number: a column of numbers with one stray
      // word is read as text, and its first (valid) value would be the wrong culprit.
      const notNumber = c.values.findIndex((v) => v !== null && !Number.isFinite(Number(v.trim() === '' ? NaN : v)));
      const i = notNumber >= 0 ? notNumber : c.values.findIndex((v) => v !== null);
      throw new InputError(`${label}: line ${lines[Math.max(0, i)]}, column "${f}": the model needs numbers, found ${JSON.stringify(c.values[Math.max(0, i)])} (encode it in the feature spec)`, {
        file: label, line: lines[Math.max(0, i)], column: f,
      });
    }
    return c.values;
  });
  const rows: Float64Array[] = new Array(frame.nRows);
  for (let i = 0; i < frame.nRows; i++) {
    const row = new Float64Array(cols.length);
    for (let k = 0; k < cols.length; k++) {
      const x = cols[k][i];
      if (Number.isNaN(x) && !allowsMissing) {
        throw new InputError(`${label}: line ${lines[i]}, column "${features[k]}": missing value (the model needs a number; add an impute step to the feature spec)`, {
          file: label, line: lines[i], column: features[k],
        });
      }
      row[k] = x;
    }
    rows[i] = row;
  }
  return rows;
}

export async function predictFile(modelPath: string, csvPath: string, outPath: string, opts: PredictOptions = {}): Promise<PredictResult> {
  const model = await loadModelFile(modelPath);
  let state: FeaturizeState | undefined;
  if (opts.noFeaturize) state = undefined;
  else if (opts.featurize) state = await readFeaturizeState(opts.featurize);
  else if (model.featurize !== undefined && model.featurize !== null) state = loadFeaturizeState(model.featurize, `${modelPath} (featurize)`);

  const header = await readCsvHeader(csvPath);
  const has = new Set(header);
  // Raw columns present: transform them. Otherwise a CSV that already holds the features
  // (e.g. the featurize output) is used as is.
  const rawReady = state !== undefined && Object.keys(state.inputs).every((c) => has.has(c));
  const featuresReady = model.features.every((f) => has.has(f));
  if (!rawReady && !featuresReady) {
    const need = state ? Object.keys(state.inputs) : model.features;
    const missing = need.filter((c) => !has.has(c));
    throw new InputError(`${csvPath}: line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} that the model needs`, {
      file: csvPath, line: 1, columns: missing,
    });
  }
  const applying = state !== undefined && rawReady;
  const columnTypes: Record<string, ColumnType> = {};
  if (applying) for (const [c, t] of Object.entries(state!.inputs)) columnTypes[c] = t;

  const { frame: raw, lines: rawLines } = await readCsvWithLines(csvPath, { columnTypes });
  if (applying) await prepareFeatureHashing();
  const applied = applying ? applyFeaturizeRows(state!, raw, rawLines) : undefined;
  const X = applied?.frame ?? raw;
  const lines = Float64Array.from(applied?.lines ?? rawLines);
  const rows = featureRows(X, model.features, lines, csvPath, model.allowsMissing);

  const out: Column[] = [];
  // After a transform the label is the transform's: a derived target exists only there
  // (when the rows hold its sources), and rows with a rejected label are gone.
  const target = model.target
    ? (applying ? X.columns.find((c) => c.name === model.target) : undefined) ?? raw.columns.find((c) => c.name === model.target)
    : undefined;
  if (target) {
    if (model.task === 'regression') {
      if (target.type === 'categorical') throw new InputError(`${csvPath}: target column "${target.name}" must hold numbers for a regression model`, { file: csvPath, column: target.name });
      out.push({ name: 'y_true', type: 'number', values: target.values });
    } else if (target.type === 'number') {
      out.push({ name: 'y_true', type: 'number', values: target.values });
    } else {
      out.push({ name: 'y_true', type: 'categorical', values: Array.from({ length: X.nRows }, (_, i) => keyText(target, i)) });
    }
  }
  if (model.task === 'reduction') {
    const scores = model.transform!(rows);
    const k = scores[0]?.length ?? 0;
    for (let j = 0; j < k; j++) out.push({ name: `pc_${j + 1}`, type: 'number', values: Float64Array.from(scores, (r) => r[j]) });
  } else {
    const pred = model.predict(rows);
    out.push(pred instanceof Float64Array ? { name: 'y_pred', type: 'number', values: pred } : labelColumn('y_pred', pred));
    if (model.task === 'classification' && model.predictProba && model.labels) {
      const proba = model.predictProba(rows);
      model.labels.forEach((l, j) => out.push({ name: `proba_${l}`, type: 'number', values: Float64Array.from(proba, (r) => r[j]) }));
    }
  }
  await writeCsv(outPath, { columns: out, nRows: X.nRows, source: outPath });
  // Hashed as mlv train hashed its rows, so the training rows are recognised however they came.
  const yTrue = out[0]?.name === 'y_true' ? out[0] : undefined;
  const labelText = yTrue && ((i: number) => String(yTrue.values[i]));
  const sha256 = hashRows(model.features.length, (i, f) => rows[i][f], rows.length, labelText);
  const trainedOn = model.doc.training_data ?? null;
  const rec = await writePredictionRecord(outPath, {
    model: modelPath, trained_on: trainedOn, rows: { count: rows.length, sha256 }, training_rows: trainedOn ? trainedOn.sha256 === sha256 : null,
  });
  return {
    rows: X.nRows, task: model.task, output: outPath, columns: out.map((c) => c.name), featurized: applying,
    ...(applied?.rowDrops.length ? { row_steps: applied.rowDrops } : {}),
    trained_on: trainedOn, training_rows: rec.training_rows, record: recordPathFor(outPath),
  };
}
