/**
 * The record `mlv predict` writes beside its predictions (`<preds.csv>.predict.json`,
 * docs/FORMAT.md): which rows the model was trained on, which rows were predicted, and
 * whether they are the same, so `mlv evaluate` can say when its scores are on training rows.
 *
 * @example
 *   const rec = await readPredictionRecord('preds.csv');
 *   if (rec?.training_rows) warn('scores on the training rows');
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { USER_OUTPUT, writeFileAtomic } from '../store/atomic.js';
import { canonicalJson } from './models/json.js';
import type { TrainingData } from './models/index.js';

export interface PredictionRecord {
  format: 'mlv-predictions';
  version: 1;
  /** The model file as given to `mlv predict`. */
  model: string;
  trained_on: TrainingData | null;
  rows: { count: number; sha256: string };
  /** The predicted rows are the training rows (null: the model does not record them). */
  training_rows: boolean | null;
  /** SHA-256 of the predictions file's bytes: a record of another file is stale. */
  output_sha256: string;
}

export const recordPathFor = (predsPath: string): string => `${predsPath}.predict.json`;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Writes the record of the predictions just written to `predsPath`. */
export async function writePredictionRecord(predsPath: string, rec: Omit<PredictionRecord, 'format' | 'version' | 'output_sha256'>): Promise<PredictionRecord> {
  const full: PredictionRecord = { format: 'mlv-predictions', version: 1, ...rec, output_sha256: sha256(await readFile(predsPath)) };
  writeFileAtomic(recordPathFor(predsPath), canonicalJson(full), USER_OUTPUT);
  return full;
}

/** The record of `predsPath`; undefined when there is none, it is unreadable, or it belongs to other bytes. */
export async function readPredictionRecord(predsPath: string): Promise<PredictionRecord | undefined> {
  let rec: PredictionRecord;
  try {
    rec = JSON.parse(await readFile(recordPathFor(predsPath), 'utf8')) as PredictionRecord;
  } catch {
    return undefined;
  }
  if (!rec || rec.format !== 'mlv-predictions' || rec.version !== 1 || typeof rec.output_sha256 !== 'string') return undefined;
  return rec.output_sha256 === sha256(await readFile(predsPath)) ? rec : undefined;
}
