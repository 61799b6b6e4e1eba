/**
 * Write-once files: temp file → fsync → rename → fsync of the directory (restic's
 * order). Nothing is visible under its final name before it is complete.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from '../errors/index.js';

// One random tag per process and a counter: unique names without a random draw per file.
const processTag = `${process.pid}.${randomBytes(4).toString('hex')}`;
let counter = 0;

export function tmpName(dir: string, hint = 'tmp'): string {
  return join(dir, `.${basename(hint)}.${processTag}.${(counter++).toString(36)}.tmp`);
}

/** A name `tmpName` made, with the pid of its maker. */
const TMP_NAME = /^\..*\.(\d+)\.[0-9a-f]{8}\.[0-9a-z]+\.tmp$/;

/** The pid of the process that made temp file `name`, if `tmpName` made it. */
export function tmpOwner(name: string): number | undefined {
  const m = TMP_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

const homes = new Map<string, string>();

/**
 * Where a temp file for a file in `dir` goes: the `.mlv/tmp/` of the mlv work tree
 * around `dir` (git-ignored, and swept of what killed processes left), when it is on the
 * same filesystem so the final rename stays atomic; otherwise `dir` itself (outside any
 * work tree, or across a mount point).
 */
export function tmpDirFor(dir: string): string {
  const known = homes.get(dir);
  if (known !== undefined) return known;
  let home = dir;
  try {
    const dev = statSync(dir).dev;
    for (let d = dir; ; d = dirname(d)) {
      const mlv = join(d, '.mlv');
      const st = statSync(mlv, { throwIfNoEntry: false });
      if (st?.isDirectory()) {
        if (st.dev === dev) {
          home = join(mlv, 'tmp');
          mkdirSync(home, { recursive: true });
        }
        break;
      }
      if (dirname(d) === d) break;
    }
  } catch {
    home = dir;
  }
  homes.set(dir, home);
  return home;
}

export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/** fsyncDir off the main thread, so parallel transfers do not wait on each other's flushes. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
  } catch {
    // As fsyncDir.
  }
}

export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

export interface WriteOptions {
  /** Permission bits before the umask (default 0o644). */
  mode?: number;
  /** Create missing parent directories (default). When false, a missing one is an InputError. */
  mkdir?: boolean;
}

/**
 * For a file the user named (`-o model.json`): permissions as any tool's (0666 less the
 * umask), and a directory that does not exist is the user's mistake, not one to create.
 */
export const USER_OUTPUT: WriteOptions = { mode: 0o666, mkdir: false };

/** Pieces of text are joined into writes of about this many characters. */
const WRITE_CHARS = 1 << 20;

/**
 * Atomically replace `path` with `data` (temp file in `tmpDirFor` its directory, fsync,
 * rename). `data` may be an iterable of text pieces (a big model or CSV), never held as
 * one string. A character device or a pipe (`-o /dev/null`) is written into instead.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>, opts: WriteOptions = {}): void {
  if (streamTarget(path)) {
    const fd = openSync(path, 'w');
    try {
      writeData(fd, data);
    } catch (e) {
      throw namePath(e, path);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const dir = dirname(path);
  if (opts.mkdir !== false) mkdirSync(dir, { recursive: true });
  const tmp = tmpName(tmpDirFor(dir), basename(path));
  let fd: number;
  try {
    fd = openSync(tmp, 'w', opts.mode ?? 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && opts.mkdir === false) {
      throw new InputError(`${path}: directory ${dir} does not exist`, { file: path });
    }
    throw e;
  }
  try {
    try {
      writeData(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw namePath(e, path);
  }
  fsyncDir(dir);
}

/**
 * True when `path` (followed through symlinks) is a character device or a pipe, such as
 * `-o /dev/null` or `-o /dev/stdout`: such an output is written into, never replaced by
 * a rename, which would put a regular file where the device was (as root, in place of
 * /dev/null itself). A block device or a socket is refused; false for anything else.
 */
export function streamTarget(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st || st.isFile() || st.isDirectory()) return false;
  if (st.isCharacterDevice() || st.isFIFO()) return true;
  throw new InputError(`${path}: not a regular file, a character device or a pipe; choose another output`, { file: path });
}

/** `data` written in order: text pieces joined into writes of about WRITE_CHARS. */
function writeData(fd: number, data: string | Uint8Array | Iterable<string>): void {
  if (typeof data === 'string' || data instanceof Uint8Array) return writeAll(fd, data);
  let buf = '';
  for (const piece of data) {
    buf += piece;
    if (buf.length >= WRITE_CHARS) {
      writeAll(fd, buf);
      buf = '';
    }
  }
  if (buf) writeAll(fd, buf);
}

/** Copy the file `from` into the open descriptor `fd` (a device, a pipe, stdout). */
export function copyInto(from: string, fd: number): void {
  const src = openSync(from, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      const n = readSync(src, buf, 0, buf.length, null);
      if (n === 0) break;
      writeAll(fd, buf.subarray(0, n));
    }
  } finally {
    closeSync(src);
  }
}

/** A write through a descriptor fails without a path (ENOSPC, EIO): name the file it was for. */
export function namePath(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && typeof err.code === 'string' && err.path === undefined) err.path = path;
  return e;
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      // stdout made non-blocking by Node (a pipe to a slower reader): wait for room.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}

/** Something to Atomics.wait on: a sleep of a few milliseconds without a busy loop. */
const pause = new Int32Array(new SharedArrayBuffer(4));
