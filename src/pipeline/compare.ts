/**
 * Params and metrics of a version (a commit, or the work tree) and the rows that
 * differ between two versions: `{ key, a, b, delta? }`, sorted by key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_FILE, parsePipeline } from './load.js';
import { LOCK_FILE, readLock } from '../repo/lockfile.js';
import { workPath } from '../repo/workpath.js';
import { canonicalMetricValues, metricValues } from './metrics.js';
import { readParams, readText } from './params.js';

export interface DiffRow { key: string; a: unknown; b: unknown; delta?: number }

const canon = (v: unknown) => JSON.stringify(v);

/**
 * Every metric of a version, as `file → key → number`. At a commit: the values its
 * mlv.lock recorded (or, without a lock, the metrics files committed there). In the
 * work tree: the metrics files as they are now.
 */
export async function readMetrics(root: string, rev?: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  if (rev !== undefined) {
    const lockText = await readText(root, rev, LOCK_FILE);
    if (lockText !== undefined) {
      for (const s of Object.values(readLock(lockText, `${LOCK_FILE} at ${rev.slice(0, 12)}`).stages)) {
        for (const m of s.metrics) out[m.path] = canonicalMetricValues(m.values);
      }
      return sortFiles(out);
    }
  }
  const yaml = await readText(root, rev, PIPELINE_FILE);
  if (yaml === undefined) return out;
  const pipeline = parsePipeline(yaml, PIPELINE_FILE, root);
  for (const s of pipeline.stages.values()) {
    for (const m of s.metrics) {
      const abs = rev === undefined ? workPath(root, m.path, `${s.where}: stage '${s.name}' (metrics)`, { leaf: true }) : '';
      const text = rev === undefined ? (existsSync(abs) ? readFileSync(abs, 'utf8') : undefined) : await readText(root, rev, m.path);
      if (text === undefined) continue;
      out[m.path] = canonicalMetricValues(metricValues(text, m.path));
    }
  }
  return sortFiles(out);
}

function sortFiles<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

export async function paramsDiffRows(root: string, a: string | undefined, b: string | undefined, all = false): Promise<DiffRow[]> {
  const A = await readParams(root, a);
  const B = await readParams(root, b);
  const rows: DiffRow[] = [];
  for (const key of [...new Set([...Object.keys(A), ...Object.keys(B)])].sort()) {
    if (!all && canon(A[key]) === canon(B[key])) continue;
    const row: DiffRow = { key, a: A[key], b: B[key] };
    if (typeof A[key] === 'number' && typeof B[key] === 'number') row.delta = (B[key] as number) - (A[key] as number);
    rows.push(row);
  }
  return rows;
}

export async function metricsDiffRows(root: string, a: string | undefined, b: string | undefined, all = false): Promise<DiffRow[]> {
  const flat = (m: Record<string, Record<string, number>>) => {
    const o: Record<string, number> = {};
    for (const [file, values] of Object.entries(m)) for (const [k, v] of Object.entries(values)) o[`${file}:${k}`] = v;
    return o;
  };
  const A = flat(await readMetrics(root, a));
  const B = flat(await readMetrics(root, b));
  const rows: DiffRow[] = [];
  for (const key of [...new Set([...Object.keys(A), ...Object.keys(B)])].sort()) {
    if (!all && A[key] === B[key]) continue;
    const row: DiffRow = { key, a: A[key], b: B[key] };
    if (A[key] !== undefined && B[key] !== undefined) row.delta = B[key] - A[key];
    rows.push(row);
  }
  return rows;
}
