/**
 * Three-way merge of directory manifests: pure, on entries. A path changed on one side
 * takes that side; the same change on both sides is kept once; anything else is a
 * conflict (changed differently, added differently, changed against deleted).
 */
import { byteOrder, type ManifestEntry } from '../store/manifest.js';

export interface EntryMerge {
  entries: ManifestEntry[];
  /** Paths the two sides disagree on; when any, `entries` must not be used. */
  conflicts: string[];
}

const same = (x: ManifestEntry | undefined, y: ManifestEntry | undefined): boolean =>
  x === undefined || y === undefined ? x === y : x.hash === y.hash && x.exec === y.exec;

export function mergeEntries(base: ManifestEntry[], ours: ManifestEntry[], theirs: ManifestEntry[]): EntryMerge {
  const byPath = (list: ManifestEntry[]) => new Map(list.map((e) => [e.path, e]));
  const o = byPath(base);
  const a = byPath(ours);
  const b = byPath(theirs);
  const paths = [...new Set([...o.keys(), ...a.keys(), ...b.keys()])].sort(byteOrder);
  const entries: ManifestEntry[] = [];
  const conflicts: string[] = [];
  for (const p of paths) {
    const [eo, ea, eb] = [o.get(p), a.get(p), b.get(p)];
    let pick: ManifestEntry | undefined;
    if (same(ea, eb)) pick = ea;
    else if (same(eo, ea)) pick = eb;
    else if (same(eo, eb)) pick = ea;
    else { conflicts.push(p); continue; }
    if (pick) entries.push(pick);
  }
  // A file on one side where the other put a directory (`x` against `x/y`) cannot be checked out.
  const kept = new Set(entries.map((e) => e.path));
  for (const e of entries) {
    for (let i = e.path.indexOf('/'); i !== -1; i = e.path.indexOf('/', i + 1)) {
      const parent = e.path.slice(0, i);
      if (kept.has(parent) && !conflicts.includes(parent)) conflicts.push(parent);
    }
  }
  return { entries, conflicts: conflicts.sort(byteOrder) };
}
