/**
 * Merging `mlv.lock` stage by stage. A stage changed on one side takes that side; a stage
 * changed on both is dropped, so `mlv status` shows it stale and `mlv repro` records it
 * again: the merge never invents a hash.
 */
import { readLock, renderLock, type Lock, type LockStage } from '../repo/lockfile.js';
import type { TextMerge } from './pointers.js';

const key = (name: string, s: LockStage | undefined) => (s === undefined ? '' : renderLock({ stages: { [name]: s } }));

export interface LockMerge extends TextMerge {
  /** Stages changed on both sides and left out of the merged lock. */
  dropped: string[];
}

export function mergeLock(base: string, ours: string, theirs: string, path: string): LockMerge {
  const plain = (text: string): LockMerge => ({ text, clean: true, messages: [], conflicts: [], fetched: 0, dropped: [] });
  if (ours === theirs) return plain(ours);
  if (base === ours) return plain(theirs);
  if (base === theirs) return plain(ours);
  const parse = (text: string, side: string): Lock => (text.trim() === '' ? { stages: {} } : readLock(text, `${path} (${side})`));
  const o = parse(base, 'merge base');
  const a = parse(ours, 'ours');
  const b = parse(theirs, 'theirs');
  const names = [...new Set([...Object.keys(o.stages), ...Object.keys(a.stages), ...Object.keys(b.stages)])].sort();
  const merged: Lock = { stages: {} };
  const dropped: string[] = [];
  for (const n of names) {
    const [ko, ka, kb] = [key(n, o.stages[n]), key(n, a.stages[n]), key(n, b.stages[n])];
    let pick: LockStage | undefined;
    if (ka === kb) pick = a.stages[n];
    else if (ko === ka) pick = b.stages[n];
    else if (ko === kb) pick = a.stages[n];
    else { dropped.push(n); continue; }
    if (pick) merged.stages[n] = pick;
  }
  const messages = dropped.map((n) => `${path}: stage '${n}' changed on both sides; dropped from the lock (mlv repro ${n} records it again)`);
  return { text: renderLock(merged), clean: true, messages, conflicts: [], fetched: 0, dropped };
}
