/**
 * Reading a version's artifacts for a report: from git when committed (`cache: false`),
 * else from the object cache, re-hashed. A missing or damaged object becomes a note.
 */
import { readFilesAt } from '../git/porcelain.js';
import { readCsvHeader } from '../ml/csv.js';
import { readPredictions, type Predictions as Preds } from '../ml/evaluate.js';
import { explore } from '../ml/explore.js';
import type { Lock } from '../repo/lockfile.js';
import type { Repo } from '../repo/Repo.js';
import type { DataItem, ExploreSummary, Predictions } from './model.js';

/** Larger files are named in the report, not read into it. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;
export const MAX_EXPLORE_BYTES = 256 * 1024 * 1024;

const note = (notes: string[], text: string) => { if (!notes.includes(text)) notes.push(text); };
const notPulled = (path: string) => `${path}: not in the local cache (not pulled; run mlv pull) — shown from its pointer or mlv.lock entry only.`;

interface Artifact { path: string; hash: string; kind: 'file' | 'dir'; size: number; cache?: boolean }

/** A cached object's path once it is proven intact; undefined (and a note) otherwise. */
async function verifiedPath(repo: Repo, a: Artifact, notes: string[]): Promise<string | undefined> {
  if (!repo.store.has(a.hash)) { note(notes, notPulled(a.path)); return undefined; }
  try { await repo.store.verify(a.hash); } catch (e) { note(notes, `${a.path}: ${(e as Error).message} (run mlv fsck)`); return undefined; }
  return repo.store.path(a.hash);
}

export async function objectText(repo: Repo, commit: string, a: Artifact, notes: string[]): Promise<string | undefined> {
  if (a.kind !== 'file' || a.size > MAX_READ_BYTES) return undefined;
  if (a.cache === false) {
    const [buf] = await readFilesAt(repo.root, [`${commit}:${a.path}`]);
    if (!buf) note(notes, `${a.path}: recorded in mlv.lock but not committed at ${commit.slice(0, 7)}.`);
    return buf?.toString('utf8');
  }
  if (!repo.store.has(a.hash)) { note(notes, notPulled(a.path)); return undefined; }
  try { return repo.store.readVerified(a.hash).toString('utf8'); } catch (e) { note(notes, `${a.path}: ${(e as Error).message} (run mlv fsck)`); return undefined; }
}

export async function exploreSummary(repo: Repo, d: DataItem, notes: string[]): Promise<ExploreSummary | undefined> {
  if (d.size > MAX_EXPLORE_BYTES) { note(notes, `${d.path}: ${d.size} bytes, larger than a report profiles; run mlv explore on it.`); return undefined; }
  const path = await verifiedPath(repo, d, notes);
  if (!path) return undefined;
  try {
    const r = await explore(path, { label: d.path });
    const cells = r.rows * r.columns.length;
    const missing = r.columns.reduce((s, c) => s + c.missing, 0);
    const columnTypes: Record<string, number> = {};
    for (const c of r.columns) columnTypes[c.type] = (columnTypes[c.type] ?? 0) + 1;
    return {
      path: d.path, rows: r.rows, columns: r.columns.length, missingShare: cells ? missing / cells : 0,
      warnings: r.warnings.map((w) => w.message),
      personal: r.columns.filter((c) => c.personal).map((c) => ({ column: c.name, kind: c.personal! })),
      columnTypes,
    };
  } catch (e) {
    note(notes, `${d.path}: could not be profiled: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * The first cached CSV output with y_true and y_pred columns (as `mlv predict` writes):
 * the held-out predictions behind the curves and residual plots.
 */
export async function predictionsOf(repo: Repo, lock: Lock, task: string | undefined, notes: string[]): Promise<Predictions | undefined> {
  const outs = Object.values(lock.stages).flatMap((s) => s.outs).filter((o) => o.kind === 'file' && o.cache && /\.csv$/i.test(o.path) && o.size <= MAX_READ_BYTES);
  for (const o of outs) {
    if (!repo.store.has(o.hash)) continue; // named already among the data
    const path = await verifiedPath(repo, o, notes);
    if (!path) continue;
    let header: string[];
    try { header = await readCsvHeader(path, o.path); } catch { continue; }
    if (!header.includes('y_true') || !header.includes('y_pred')) continue;
    const kind = task === 'classification' || task === 'regression' ? task : header.some((h) => h.startsWith('proba_')) ? 'classification' : 'regression';
    try {
      const p: Preds = await readPredictions(path, kind);
      return p.task === 'regression'
        ? { path: o.path, task: 'regression', yTrue: Array.from(p.yTrue), yPred: Array.from(p.yPred) }
        : { path: o.path, task: 'classification', yTrue: p.yTrue, yPred: p.yPred, ...(p.proba ? { proba: { labels: p.proba.labels, rows: p.proba.rows.map((r) => Array.from(r)) } } : {}) };
    } catch (e) {
      note(notes, `${o.path}: ${(e as Error).message.replace(path, o.path)}`);
    }
  }
  return undefined;
}
