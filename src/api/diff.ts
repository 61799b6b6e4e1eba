import { metricsDiffRows, paramsDiffRows, type DiffRow } from '../pipeline/compare.js';
import { diffArtifacts, type ArtifactChangeRow } from '../compare/artifacts.js';
import { resolveRev } from '../git/porcelain.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { versionSides } from '../repo/sides.js';
import { diffEntries, readManifest } from '../repo/workspace.js';
import type { ManifestEntry } from '../store/manifest.js';

export interface DiffOptions extends RepoOptions {
  a?: string;
  b?: string;
}

export interface DiffResult {
  a: string;
  b: string;
  artifacts: ArtifactChangeRow[];
  /** Params that differ and metric deltas (pipeline/compare.ts). */
  params: DiffRow[];
  metrics: DiffRow[];
}


/**
 * Artifacts added, modified and deleted between two revisions (default: HEAD and the
 * workspace), with sizes, and the files changed inside directories.
 * @example
 *   const { artifacts } = await diff({ cwd, a: 'HEAD~1', b: 'HEAD' });
 */
export async function diff(opts: DiffOptions): Promise<DiffResult> {
  const repo = openRepo(opts);
  const a = resolveRev(repo.root, opts.a ?? 'HEAD');
  const b = opts.b ? resolveRev(repo.root, opts.b) : undefined;
  const A = await versionSides(repo, a);
  const B = await versionSides(repo, b);
  const manifest = (hash: string, path: string): ManifestEntry[] | undefined =>
    A.entries.get(hash) ?? B.entries.get(hash) ?? (repo.store.has(hash) ? readManifest(repo, hash, path) : undefined);
  const artifacts = diffArtifacts(A.sides, B.sides, (x, y) => {
    const before = manifest(x.hash, x.path);
    const after = manifest(y.hash, y.path);
    return before && after ? diffEntries(before, after) : undefined;
  });
  return {
    a: opts.a ?? 'HEAD',
    b: opts.b ?? 'workspace',
    artifacts,
    params: await paramsDiffRows(repo.root, a, b),
    metrics: await metricsDiffRows(repo.root, a, b),
  };
}
