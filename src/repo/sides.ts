/**
 * One version's tracked data as the sides of an artifact diff (compare/artifacts.ts):
 * from a commit's pointers and mlv.lock, or the workspace hashed as it is on disk now.
 * Serves `mlv diff`, `mlv exp diff` and the UI's diff view.
 */
import type { ArtifactSide } from '../compare/artifacts.js';
import type { ManifestEntry } from '../store/manifest.js';
import type { Repo } from './Repo.js';
import { trackedAtCommit, trackedInWorkspace } from './tracked.js';
import { hashPath } from './workspace.js';

/** One version's tracked data; the workspace side is hashed as it is on disk now. */
export async function versionSides(repo: Repo, commit: string | undefined): Promise<{ sides: ArtifactSide[]; entries: Map<string, ManifestEntry[]> }> {
  const entries = new Map<string, ManifestEntry[]>();
  if (commit) {
    const t = await trackedAtCommit(repo.root, commit);
    return { sides: t.map(({ path, kind, hash, size, files, desc }) => ({ path, kind, hash, size, files, desc })), entries };
  }
  const sides: ArtifactSide[] = [];
  for (const t of trackedInWorkspace(repo.root)) {
    const h = await hashPath(repo, t.path, { like: t.hash });
    if (!h) continue; // missing from the work tree: deleted
    if (h.entries) entries.set(h.hash, h.entries);
    sides.push({ path: t.path, kind: h.kind, hash: h.hash, size: h.size, files: h.files, desc: t.desc });
  }
  repo.state().save();
  return { sides, entries };
}

