import { MlvError } from './MlvError.js';

/** What an errno means to a user, for the errors that are the machine's state, not mlv's bug. */
const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
};

/**
 * The disk is full, read-only, or refuses access: exit 2, one line naming the path and
 * the cause. `code` is the errno (ENOSPC, EROFS, …).
 */
export class EnvironmentError extends MlvError {
  constructor(errno: string, path: string, cause: string, hint = '') {
    super(errno, `${path}: ${cause}${hint ? `; ${hint}` : ''}`, 2, { path, errno });
  }
}

/**
 * The EnvironmentError for a Node system error whose errno is the machine's state, or
 * undefined for anything else (which stays an internal error).
 * @example
 *   try { writeFileSync('/dev/full', 'x') } catch (e) { environmentError(e)?.message } // '/dev/full: no space left on device'
 */
export function environmentError(e: unknown): EnvironmentError | undefined {
  if (e instanceof MlvError) return undefined; // mlv's own, already worded (and its code may be an errno)
  const err = e as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  const errno = err?.code;
  if (typeof errno !== 'string' || !(errno in CAUSES)) return undefined;
  // A copy that fails for room or a read-only target names its destination.
  const path = (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EROFS' ? err?.dest ?? err?.path : err?.path ?? err?.dest) ?? '(unknown path)';
  const hint = errno === 'ENOSPC' || errno === 'EDQUOT' ? 'free some space and run the command again' : '';
  return new EnvironmentError(errno, String(path), CAUSES[errno], hint);
}
