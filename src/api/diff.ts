import '../pipeline/register.js';
import { diffSections } from './hooks.js';
import { diffArtifacts, type ArtifactChangeRow, type ArtifactSide } from '../compare/artifacts.js';
import { resolveRev } from '../git/porcelain.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import { trackedAtCommit, trackedInWorkspace } from '../repo/tracked.js';
import { diffEntries, hashPath, readManifest } from '../repo/workspace.js';
import type { ManifestEntry } from '../store/manifest.js';

export interface DiffOptions extends RepoOptions {
  a?: string;
  b?: string;
}

export interface DiffResult {
  a: string;
  b: string;
  artifacts: ArtifactChangeRow[];
  /** Sections added by other modules (params, metrics), keyed by name. */
  [section: string]: unknown;
}


/** One version's tracked data; the workspace side is hashed as it is on disk now. */
export async function versionSides(repo: Repo, commit: string | undefined): Promise<{ sides: ArtifactSide[]; entries: Map<string, ManifestEntry[]> }> {
  const entries = new Map<string, ManifestEntry[]>();
  if (commit) {
    const t = await trackedAtCommit(repo.root, commit);
    return { sides: t.map(({ path, kind, hash, size, files, desc }) => ({ path, kind, hash, size, files, desc })), entries };
  }
  const sides: ArtifactSide[] = [];
  for (const t of trackedInWorkspace(repo.root)) {
    const h = await hashPath(repo, t.path);
    if (!h) continue; // missing from the work tree: deleted
    if (h.entries) entries.set(h.hash, h.entries);
    sides.push({ path: t.path, kind: h.kind, hash: h.hash, size: h.size, files: h.files, desc: t.desc });
  }
  repo.state().save();
  return { sides, entries };
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
  const result: DiffResult = { a: opts.a ?? 'HEAD', b: opts.b ?? 'workspace', artifacts };
  for (const s of diffSections) Object.assign(result, await s(repo, a, b));
  return result;
}
