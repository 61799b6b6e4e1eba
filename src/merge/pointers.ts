/**
 * Merging `<path>.mlv` pointers: directories merge three-way on their manifests; a file
 * changed on both sides is a conflict that names both versions.
 */
import { parsePointer, dataPathFor, renderPointer, type Pointer } from '../repo/pointer.js';
import type { Repo } from '../repo/Repo.js';
import { readManifest } from '../repo/workspace.js';
import { serializeManifest, type ManifestEntry } from '../store/manifest.js';
import { mergeEntries } from './manifests.js';
import { ensureObjects } from './objects.js';

export interface TextMerge {
  /** What git should keep in the work tree: the merge, or both sides between markers. */
  text: string;
  clean: boolean;
  /** One line each, for stderr. */
  messages: string[];
  /** Paths in conflict: files inside a directory, or the pointer's own path. */
  conflicts: string[];
  /** Objects fetched from the default remote to merge. */
  fetched: number;
}

/** Both sides whole between git's markers: nothing half-merged, and mlv refuses to read it until resolved. */
export function conflictText(ours: string, theirs: string): string {
  const end = (s: string) => (s.endsWith('\n') || s === '' ? s : s + '\n');
  return `<<<<<<< ours\n${end(ours)}=======\n${end(theirs)}>>>>>>> theirs\n`;
}

const sameMeta = (x: Pointer, y: Pointer) => x.kind === y.kind && x.hash === y.hash && (x.desc ?? '') === (y.desc ?? '');

/**
 * @param base empty when the pointer did not exist in the merge base (added on both sides).
 * @param path the pointer's path in the repository (git's %P).
 */
export async function mergePointer(repo: Repo, base: string, ours: string, theirs: string, path: string): Promise<TextMerge> {
  const done = (text: string, messages: string[] = []): TextMerge => ({ text, clean: true, messages, conflicts: [], fetched: 0 });
  if (ours === theirs) return done(ours);
  if (base === ours) return done(theirs);
  if (base === theirs) return done(ours);
  const o = base.trim() === '' ? undefined : parsePointer(base, `${path} (merge base)`);
  const a = parsePointer(ours, `${path} (ours)`);
  const b = parsePointer(theirs, `${path} (theirs)`);
  // Same data on both sides, written differently (a desc, a hand edit): keep ours.
  if (sameMeta(a, b)) return done(ours);
  if (o && sameMeta(o, a)) return done(theirs);
  if (o && sameMeta(o, b)) return done(ours);
  const data = dataPathFor(path);
  const conflict = (why: string[], conflicts: string[], fetched = 0): TextMerge => ({ text: conflictText(ours, theirs), clean: false, messages: why, conflicts, fetched });
  const seeBoth = [
    `  see both versions: mlv get HEAD ${data} -o ${data}.ours && mlv get MERGE_HEAD ${data} -o ${data}.theirs`,
    `  then keep one: git checkout --ours ${path} (or --theirs), mlv checkout ${data}, git add ${path}`,
  ];
  if (a.kind !== 'dir' || b.kind !== 'dir') {
    return conflict([`${data}: changed on both sides (ours ${a.kind} ${a.hash.slice(0, 12)}, theirs ${b.kind} ${b.hash.slice(0, 12)})`, ...seeBoth], [data]);
  }
  const descs = [o?.desc ?? '', a.desc ?? '', b.desc ?? ''];
  const desc = descs[1] === descs[2] || descs[0] === descs[2] ? descs[1] : descs[0] === descs[1] ? descs[2] : undefined;
  if (desc === undefined) return conflict([`${data}: desc changed differently on both sides`, ...seeBoth], [data]);
  const baseHash = o?.kind === 'dir' ? [o.hash] : [];
  const fetched = await ensureObjects(repo, [...baseHash, a.hash, b.hash], data);
  const entries = (p: Pointer | undefined, side: string): ManifestEntry[] => (p?.kind === 'dir' ? readManifest(repo, p.hash, `${data} (${side})`) : []);
  const m = mergeEntries(entries(o, 'merge base'), entries(a, 'ours'), entries(b, 'theirs'));
  if (m.conflicts.length) {
    const list = m.conflicts.map((p) => `  ${data}/${p}`);
    return conflict([`${data}: ${m.conflicts.length} file(s) changed on both sides:`, ...list, ...seeBoth], m.conflicts.map((p) => `${data}/${p}`), fetched);
  }
  // The manifest is stored before the pointer names it (data before what points to it).
  const stored = repo.store.addBytes(serializeManifest(m.entries));
  const merged: Pointer = {
    kind: 'dir',
    hash: stored.hash,
    size: m.entries.reduce((s, e) => s + e.size, 0),
    files: m.entries.length,
    ...(desc ? { desc } : {}),
  };
  const r = done(renderPointer(merged), [`${data}: merged ${a.files} + ${b.files} → ${merged.files} files (run mlv checkout ${data} to update the work tree)`]);
  return { ...r, fetched };
}
