import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors/index.js';
import { mergeLock } from '../merge/lock.js';
import { mergePointer, type TextMerge } from '../merge/pointers.js';
import { LOCK_FILE } from '../repo/lockfile.js';
import { POINTER_SUFFIX } from '../repo/pointer.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';

export interface MergeDriverOptions extends RepoOptions {
  /** git's %O: the merge base's version (empty when the file is new on both sides). */
  base: string;
  /** git's %A: our version; the result is written here. */
  ours: string;
  /** git's %B: their version. */
  theirs: string;
  /** git's %P: the path in the repository. */
  path: string;
}

export interface MergeDriverResult {
  path: string;
  clean: boolean;
  /** Paths in conflict (files inside a directory, or the data path). */
  conflicts: string[];
  /** mlv.lock stages changed on both sides and dropped from the lock. */
  dropped: string[];
  fetched: number;
  messages: string[];
}

/**
 * git's merge driver for `*.mlv` pointers and `mlv.lock` (registered by `mlv init` and
 * `mlv install-hooks`): reads the three versions, writes the merge into `ours`. On a
 * conflict `ours` holds both sides between conflict markers, never a partial merge.
 * @example
 *   // .git/config: driver = mlv merge-driver %O %A %B %P
 *   const r = await mergeDriver({ cwd: root, base, ours, theirs, path: 'data/images.mlv' });
 *   // r.clean === false: r.messages name the conflicting paths; git keeps the conflict
 */
export async function mergeDriver(opts: MergeDriverOptions): Promise<MergeDriverResult> {
  const read = (f: string) => readFileSync(f, 'utf8');
  const [base, ours, theirs] = [read(opts.base), read(opts.ours), read(opts.theirs)];
  let r: TextMerge & { dropped?: string[] };
  if (basename(opts.path) === LOCK_FILE) r = mergeLock(base, ours, theirs, opts.path);
  else if (opts.path.endsWith(POINTER_SUFFIX)) r = await mergePointer(openRepo(opts), base, ours, theirs, opts.path);
  else throw new UsageError(`${opts.path}: mlv merge-driver merges only *.mlv pointers and mlv.lock`, { path: opts.path });
  if (r.text !== ours) writeFileSync(opts.ours, r.text);
  return { path: opts.path, clean: r.clean, conflicts: r.conflicts, dropped: r.dropped ?? [], fetched: r.fetched, messages: r.messages };
}
