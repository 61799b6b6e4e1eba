/**
 * `.mlv/lock`: one writer at a time. A lock whose process is gone is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConflictError } from '../errors/index.js';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export function acquireLock(mlvDir: string, what: string): () => void {
  const file = join(mlvDir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid} ${hostname()} ${what}\n`);
      closeSync(fd);
      let released = false;
      return () => { if (!released) { released = true; rmSync(file, { force: true }); } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = '';
      try { holder = readFileSync(file, 'utf8').trim(); } catch { continue; }
      const [pidText, host] = holder.split(' ');
      const pid = Number(pidText);
      if (host === hostname() && Number.isInteger(pid) && !alive(pid)) { rmSync(file, { force: true }); continue; }
      throw new ConflictError(`.mlv/lock: another mlv process is writing (${holder}); wait for it, or remove .mlv/lock if it is gone`, { holder }, 'ELOCKED');
    }
  }
  throw new ConflictError('.mlv/lock: could not take the lock', {}, 'ELOCKED');
}

export async function withLock<T>(mlvDir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const release = acquireLock(mlvDir, what);
  try { return await fn(); } finally { release(); }
}
