/**
 * Comparing two versions (commits or experiments): params, metric deltas and the
 * artifacts that changed. Serves `mlv exp diff` and the UI's diff view.
 */
import { diffArtifacts } from '../compare/artifacts.js';
import type { VersionDiff, VersionRow } from '../compare/types.js';
import { resolveRev } from '../git/porcelain.js';
import { NotFoundError } from '../errors/index.js';
import type { Repo } from '../repo/Repo.js';
import { versionSides } from '../repo/sides.js';
import { diffEntries, readManifest } from '../repo/workspace.js';
import { listExps, resolveExp, type ExpRef } from './refs.js';
import { expMetrics, expParams, versionValues } from './versions.js';

/** An experiment name (or ref) or any git revision, as a table row. */
export async function rowFor(root: string, spec: string, exps: ExpRef[] = listExps(root)): Promise<VersionRow> {
  let exp: ExpRef | undefined;
  try { exp = resolveExp(root, spec, exps); } catch (e) {
    if ((e as { code?: string }).code === 'EAMBIGUOUS') throw e;
  }
  let rev: string;
  try {
    rev = exp?.commit ?? resolveRev(root, spec);
  } catch {
    throw new NotFoundError('experiment', `${spec}: neither an experiment nor a commit (see mlv exp show)`, { spec });
  }
  const [v] = await versionValues(root, [rev]);
  if (exp) {
    return { id: exp.ref, kind: 'exp', rev, name: exp.name, baseline: exp.baseline, date: exp.date, message: exp.subject, params: expParams(v.params, exp), metrics: expMetrics(v.metrics, exp), status: exp.status };
  }
  return { id: rev, kind: 'commit', rev, name: spec, date: '', message: '', params: v.params, metrics: v.metrics };
}

export function diffValues(a: VersionRow, b: VersionRow): Pick<VersionDiff, 'params' | 'metrics'> {
  const pkeys = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])].sort();
  const params = pkeys.filter((k) => a.params[k] !== b.params[k]).map((key) => ({ key, a: a.params[key], b: b.params[key] }));
  const mkeys = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  const metrics = mkeys.map((key) => {
    const x = a.metrics[key];
    const y = b.metrics[key];
    return { key, a: x, b: y, delta: x !== undefined && y !== undefined ? y - x : undefined };
  });
  return { params, metrics };
}

/** The full comparison: params that differ, every metric with its delta, changed artifacts. */
export async function diffVersions(repo: Repo, a: VersionRow, b: VersionRow): Promise<VersionDiff> {
  const A = await versionSides(repo, a.rev);
  const B = await versionSides(repo, b.rev);
  const manifest = (hash: string, path: string) => (repo.store.has(hash) ? readManifest(repo, hash, path) : undefined);
  const artifacts = diffArtifacts(A.sides, B.sides, (x, y) => {
    const before = manifest(x.hash, x.path);
    const after = manifest(y.hash, y.path);
    return before && after ? diffEntries(before, after) : undefined;
  }).map((r) => ({ path: r.path, change: r.change, oldSize: r.oldSize, newSize: r.newSize, ...(r.files ? { files: r.files } : {}) }));
  return { a: a.id, b: b.id, ...diffValues(a, b), artifacts };
}
