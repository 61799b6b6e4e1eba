/**
 * What killed commands leave behind, swept by the next command that takes `.mlv/lock`
 * (docs/FORMAT.md, "Local state"): temp files of processes that are gone, in `.mlv/tmp/`,
 * `.mlv/` itself (older mlv wrote `.mlv/.state.*.tmp` there) and the cache's `tmp/`; and
 * `.mlv/tmp/stage-*`, where repro moves a stage's previous outputs while it runs, since
 * only a repro holding the lock makes them.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../pid.js';
import { tmpOwner } from '../store/atomic.js';

function names(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/**
 * Only call while holding `.mlv/lock`. Returns the paths removed.
 * @example
 *   sweepLitter(repo.mlvDir, repo.store.tmpDir)
 */
export function sweepLitter(mlvDir: string, cacheTmpDir?: string): string[] {
  const removed: string[] = [];
  const drop = (p: string) => { rmSync(p, { recursive: true, force: true }); removed.push(p); };
  const deadTemp = (name: string) => { const pid = tmpOwner(name); return pid !== undefined && !processAlive(pid); };
  const tmp = join(mlvDir, 'tmp');
  for (const n of names(tmp)) if (deadTemp(n) || n.startsWith('stage-')) drop(join(tmp, n));
  for (const n of names(mlvDir)) if (deadTemp(n)) drop(join(mlvDir, n));
  if (cacheTmpDir) for (const n of names(cacheTmpDir)) if (deadTemp(n)) drop(join(cacheTmpDir, n));
  return removed;
}
