/**
 * What killed commands leave behind, swept by the next command that takes `.mlv/lock`
 * (docs/FORMAT.md, "Local state"): temp files of processes that are gone, in `.mlv/tmp/`,
 * `.mlv/` itself (older mlv wrote `.mlv/.state.*.tmp` there) and the cache's `tmp/`; and
 * `.mlv/tmp/stage-*`, where repro moves a stage's previous outputs while it runs, since
 * only a repro holding the lock makes them; and the git dir's `mlv-tmp-obj-*`, loose
 * objects an experiment commit was writing (git/iso.ts).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { looseTempOwner } from '../git/iso.js';
import { processAlive } from '../pid.js';
import { tmpOwner } from '../store/atomic.js';

function names(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/**
 * Loose-object temp files are written by processes that do not hold `.mlv/lock` (`exp
 * run` writes its commit beside other commands), and the git dir may be shared with
 * another machine or container whose pids mean nothing here: one is litter once it is
 * some minutes old and its process is gone, or once it is far older than any write of an
 * object (experiment commits hold files of 8 MiB at most) even if its pid was reused.
 */
const LOOSE_TEMP_GRACE_MS = 5 * 60_000;
const LOOSE_TEMP_ABANDONED_MS = 60 * 60_000;

function staleLooseTemp(dir: string, name: string, now: number): boolean {
  const pid = looseTempOwner(name);
  if (pid === undefined) return false;
  let age: number;
  try { age = now - statSync(join(dir, name)).mtimeMs; } catch { return false; }
  return age > LOOSE_TEMP_ABANDONED_MS || (age > LOOSE_TEMP_GRACE_MS && !processAlive(pid));
}

/**
 * Only call while holding `.mlv/lock`. Returns the paths removed.
 * @example
 *   sweepLitter(repo.mlvDir, repo.store.tmpDir, gitCommonDir(repo.root))
 */
export function sweepLitter(mlvDir: string, cacheTmpDir?: string, gitDir?: string): string[] {
  const removed: string[] = [];
  const drop = (p: string) => { rmSync(p, { recursive: true, force: true }); removed.push(p); };
  const deadTemp = (name: string) => { const pid = tmpOwner(name); return pid !== undefined && !processAlive(pid); };
  const tmp = join(mlvDir, 'tmp');
  for (const n of names(tmp)) if (deadTemp(n) || n.startsWith('stage-')) drop(join(tmp, n));
  for (const n of names(mlvDir)) if (deadTemp(n)) drop(join(mlvDir, n));
  if (cacheTmpDir) for (const n of names(cacheTmpDir)) if (deadTemp(n)) drop(join(cacheTmpDir, n));
  const now = Date.now();
  if (gitDir) for (const n of names(gitDir)) if (staleLooseTemp(gitDir, n, now)) drop(join(gitDir, n));
  return removed;
}
