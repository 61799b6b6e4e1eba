/**
 * `.mlv/lock`: one writer at a time (docs/FORMAT.md, "Local state").
 *
 * Created whole or not at all (a temp file hard-linked into place: the link fails when the
 * name exists, as git's lockfile.c's O_EXCL does). A writer that finds it held waits a
 * bounded time (`lock_timeout`, `MLV_LOCK_TIMEOUT`), like git's lock retries. A lock
 * whose process is gone is taken over atomically: removing it is guarded by a marker
 * `.mlv/tmp/locks/<hash of the stale line>`, also created with O_EXCL, and the marker's
 * creator re-reads the lock before removing it. Every line carries a fresh nonce, so a
 * stale line never comes back once removed: a late taker that still holds an old read
 * finds a different line and removes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConflictError, InputError } from '../errors/index.js';
import { processAlive } from '../pid.js';
import { gitCommonDir } from '../git/commonDir.js';
import { sweepLitter } from './litter.js';

export const DEFAULT_LOCK_TIMEOUT_S = 10;

/** Who holds `.mlv/lock`, as its line says. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The mlv command that took it (`add`, `repro`…). */
  command: string;
  /** How long the waiter will wait, in seconds. */
  timeoutS: number;
}

export type OnLockWait = (holder: LockHolder) => void;

export interface LockOptions {
  /** Seconds to wait for a live holder; 0 fails at once. */
  timeoutS?: number;
  /** Called once when the lock is found held by a live process and waiting starts. */
  onWait?: OnLockWait;
}

/** How long to wait: the environment's `MLV_LOCK_TIMEOUT` over the config's `lock_timeout`. */
export function lockTimeout(config: { lock_timeout?: number }, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MLV_LOCK_TIMEOUT;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new InputError(`MLV_LOCK_TIMEOUT=${raw}: expected a number of seconds, 0 or more`, { key: 'MLV_LOCK_TIMEOUT' });
    return n;
  }
  return config.lock_timeout ?? DEFAULT_LOCK_TIMEOUT_S;
}

/** A holder line's process is known to be gone: same host, and its pid is not running. */
function isStale(line: string): boolean {
  const [pidText, host] = line.trim().split(' ');
  const pid = Number(pidText);
  return host === hostname() && Number.isInteger(pid) && !processAlive(pid);
}

function readLine(file: string): string | undefined {
  try { return readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Create `file` holding `line`, only if it does not exist. The line is written to a temp
 * file first and hard-linked into place (link fails when the name exists, as O_EXCL
 * does), so a kill never leaves an empty or partial lock behind; the temp file sits in
 * `.mlv/tmp/locks/` with the line, and is swept once its process is gone.
 */
function createExclusive(file: string, line: string, tmpDir: string): boolean {
  const tmp = join(tmpDir, `.new-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(tmpDir, { recursive: true });
    writeFileSync(tmp, line);
  } catch {
    // No room or no write access for the temp line (a full or read-only disk): creating
    // the lock itself then fails with the cause the user needs to see.
    rmSync(tmp, { force: true });
    return createOpenExclusive(file, line);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A filesystem without hard links: O_EXCL, where a kill between create and write can leave an empty lock (see isPartial).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createOpenExclusive(file, line);
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function createOpenExclusive(file: string, line: string): boolean {
  let fd: number;
  try { fd = openSync(file, 'wx'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try { writeSync(fd, line); } finally { closeSync(fd); }
  return true;
}

/**
 * A lock or marker that is not a whole line (an older mlv, or a filesystem without hard
 * links, killed between creating it and writing it) and is older than a moment: nobody
 * is about to complete it, so it is as stale as a dead holder's.
 */
const PARTIAL_GRACE_MS = 2000;
function isPartial(file: string, line: string): boolean {
  if (/^\d+ \S+ .*\n$/.test(line)) return false;
  try { return Date.now() - statSync(file).mtimeMs > PARTIAL_GRACE_MS; } catch { return false; }
}

function newLine(what: string): string {
  return `${process.pid} ${hostname()} ${randomBytes(8).toString('hex')} ${what}\n`;
}

function markerDir(mlvDir: string): string {
  return join(mlvDir, 'tmp', 'locks');
}

function markerFor(mlvDir: string, staleLine: string): string {
  return join(markerDir(mlvDir), createHash('sha256').update(staleLine).digest('hex').slice(0, 16));
}

/**
 * Remove `file` if it still holds `staleLine`, guarded by a marker only one process can
 * create. A marker whose own creator died is broken the same way (bounded depth).
 */
function breakStale(mlvDir: string, file: string, staleLine: string, depth = 0): void {
  const marker = markerFor(mlvDir, staleLine);
  mkdirSync(markerDir(mlvDir), { recursive: true });
  const mine = newLine('takeover');
  if (!createExclusive(marker, mine, markerDir(mlvDir))) {
    const other = readLine(marker);
    if (other !== undefined && (isStale(other) || isPartial(marker, other)) && depth < 4) breakStale(mlvDir, marker, other, depth + 1);
    return; // someone else is taking it over, or just did: the caller looks again
  }
  try {
    // Only a marker's creator removes the stale line, and a stale line never comes back
    // (its nonce is unique): if it is still there, nobody else can change it now.
    if (readLine(file) === staleLine) rmSync(file, { force: true });
  } finally {
    if (readLine(marker) === mine) rmSync(marker, { force: true });
  }
}

/** Markers left by takers that were killed (only called while holding the lock). */
function sweepMarkers(mlvDir: string): void {
  let names: string[];
  try { names = readdirSync(markerDir(mlvDir)); } catch { return; }
  for (const n of names) {
    const file = join(markerDir(mlvDir), n);
    const line = readLine(file);
    if (line !== undefined && (isStale(line) || isPartial(file, line))) rmSync(file, { force: true });
  }
}

/** Tests observe holders through `MLV_TEST_LOCK_TRACE=<file>`: one appended line per take and release. */
function trace(event: string): void {
  const file = process.env.MLV_TEST_LOCK_TRACE;
  if (file) appendFileSync(file, event + '\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function holderOf(line: string, timeoutS: number): LockHolder {
  const parts = line.trim().split(' ');
  // `pid host nonce what`; older mlv wrote `pid host what`.
  const what = parts.length >= 4 ? parts.slice(3).join(' ') : parts.slice(2).join(' ');
  return { pid: Number(parts[0]), host: parts[1] ?? '?', command: what || '?', timeoutS };
}

function describe(line: string): string {
  const h = holderOf(line, 0);
  return `mlv ${h.command} (pid ${h.pid} on ${h.host})`;
}

/**
 * Take `.mlv/lock`; resolves to its release function.
 * @example
 *   const release = await acquireLock(repo.mlvDir, 'add', { timeoutS: 10 });
 *   try { ... } finally { release(); }
 */
export async function acquireLock(mlvDir: string, what: string, opts: LockOptions = {}): Promise<() => void> {
  const file = join(mlvDir, 'lock');
  const timeoutMs = (opts.timeoutS ?? DEFAULT_LOCK_TIMEOUT_S) * 1000;
  const start = Date.now();
  let wait = 20;
  let waiting = false;
  for (;;) {
    const line = newLine(what);
    if (createExclusive(file, line, markerDir(mlvDir))) {
      sweepMarkers(mlvDir);
      trace(`+${process.pid}`);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        trace(`-${process.pid}`);
        if (readLine(file) === line) rmSync(file, { force: true });
      };
    }
    const holder = readLine(file);
    if (holder === undefined) continue; // released between our two calls
    const stale = isStale(holder) || isPartial(file, holder);
    if (stale) {
      breakStale(mlvDir, file, holder);
      if (readLine(file) !== holder) continue;
    }
    const waited = Date.now() - start;
    // A stale lock another process is taking over is gone in moments, even with no wait.
    if (waited >= (stale ? Math.max(timeoutMs, 2000) : timeoutMs)) {
      const after = timeoutMs > 0 ? ` after waiting ${Math.round(waited / 1000)} s` : '';
      throw new ConflictError(`.mlv/lock: held by ${describe(holder)}${after}; wait for it to finish (MLV_LOCK_TIMEOUT or lock_timeout in .mlv/config set the wait), or remove .mlv/lock if that process is gone`, { holder: holder.trim() }, 'ELOCKED');
    }
    if (!waiting) { waiting = true; opts.onWait?.(holderOf(holder, timeoutMs / 1000)); }
    await sleep(Math.min(wait, Math.max(20, timeoutMs - waited)) * (0.75 + Math.random() / 2));
    wait = Math.min(wait * 2, 500);
  }
}

export async function withLock<T>(mlvDir: string, what: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const release = await acquireLock(mlvDir, what, opts);
  try { return await fn(); } finally { release(); }
}

/**
 * The lock of an opened repository, waiting as its config and the environment say, and
 * telling the repository's `onLockWait` (RepoOptions) when it starts waiting. Once taken, what killed commands left is swept (repo/litter.ts).
 */
export function withRepoLock<T>(repo: { root: string; mlvDir: string; config: { lock_timeout?: number }; store?: { tmpDir: string }; onLockWait?: OnLockWait }, what: string, fn: () => Promise<T>, opts: Omit<LockOptions, 'timeoutS'> = {}): Promise<T> {
  return withLock(repo.mlvDir, what, () => {
    sweepLitter(repo.mlvDir, repo.store?.tmpDir, gitCommonDir(repo.root));
    return fn();
  }, { onWait: repo.onLockWait, ...opts, timeoutS: lockTimeout(repo.config) });
}
