/**
 * lstat for the one-call-per-file loop of a status check (sectionScan.ts), without a
 * Stats object. Node 20's lstatSync builds one with four Date objects per call; over
 * 100k files that allocation and the garbage collection it causes cost about as much
 * as the system calls themselves. Node's own fs binding fills a shared array of numbers
 * instead, and that array is read here.
 *
 * The binding is not a public API, so it is used only after it has answered one path
 * exactly as lstatSync does (every number compared), and never under the permission
 * model (it would bypass the checks) or --pending-deprecation (it would warn). Any
 * doubt: lstatSync, as before.
 */
import { constants, lstatSync } from 'node:fs';

/** Indices of `out` as filled by lstatNumbers(). */
export const ST_MODE = 0;
export const ST_SIZE = 1;
export const ST_MTIME = 2;
export const ST_CTIME = 3;
export const ST_INO = 4;

/** An array for lstatNumbers() to fill: mode, size, mtimeMs, ctimeMs, ino. */
export const statNumbers = (): Float64Array => new Float64Array(5);

export const isRegularFile = (mode: number): boolean => (mode & constants.S_IFMT) === constants.S_IFREG;

type BindingLstat = (path: string, bigint: boolean, req: undefined, throwIfNoEntry: boolean) => Float64Array | undefined;

/** 'check': the binding has not been compared with lstatSync yet. */
let mode: 'check' | 'fast' | 'slow' = 'check';
let binding: BindingLstat | undefined;

function loadBinding(): BindingLstat | undefined {
  const p = process as unknown as { binding?: (name: string) => { lstat?: unknown }; permission?: unknown; execArgv: string[] };
  const flags = `${p.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (typeof p.binding !== 'function' || p.permission !== undefined || flags.includes('--pending-deprecation') || process.env.NODE_PENDING_DEPRECATION === '1') return undefined;
  try {
    const lstat = p.binding('fs').lstat;
    return typeof lstat === 'function' ? (lstat as BindingLstat) : undefined;
  } catch {
    return undefined;
  }
}

function fromBinding(path: string, out: Float64Array): boolean {
  const a = binding!(path, false, undefined, false);
  if (a === undefined) return false;
  // Node's msFromTimeSpec: seconds and nanoseconds to the milliseconds Stats reports.
  out[ST_MODE] = a[1];
  out[ST_SIZE] = a[8];
  out[ST_MTIME] = a[12] * 1000 + a[13] / 1e6;
  out[ST_CTIME] = a[14] * 1000 + a[15] / 1e6;
  out[ST_INO] = a[7];
  return true;
}

function fromStats(path: string, out: Float64Array): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return false;
  out[ST_MODE] = st.mode;
  out[ST_SIZE] = st.size;
  out[ST_MTIME] = st.mtimeMs;
  out[ST_CTIME] = st.ctimeMs;
  out[ST_INO] = st.ino;
  return true;
}

const probe = new Float64Array(5);

/**
 * lstat `path` into `out` (see ST_*). False when nothing is there (ENOENT); other
 * errors throw, as lstatSync's do.
 */
export function lstatNumbers(path: string, out: Float64Array): boolean {
  if (mode === 'fast') return fromBinding(path, out);
  if (mode === 'slow') return fromStats(path, out);
  const found = fromStats(path, out);
  if (!found) return false;
  binding ??= loadBinding();
  let same = false;
  try {
    same = binding !== undefined && fromBinding(path, probe) && probe.every((v, i) => v === out[i]);
  } catch { /* an unexpected binding: not used */ }
  mode = same ? 'fast' : 'slow';
  return true;
}

/** Which way lstatNumbers() answers: 'fast' (the binding, checked), 'slow' (lstatSync), or 'check' (not yet asked). */
export const lstatWay = (): typeof mode => mode;
