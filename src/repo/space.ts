/**
 * Room on the disk for what a command is about to write, checked before it changes
 * anything, so a full disk stops it whole instead of half-way (a checkout that moved
 * HEAD but could not write the data would leave old data under the new commit).
 */
import { statfsSync } from 'node:fs';
import { EnvironmentError } from '../errors/index.js';
import type { LinkType } from '../store/ObjectStore.js';

const MiB = 1024 * 1024;

/** Bytes free to this user on the file system holding `dir`; undefined where statfs fails. */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch { return undefined; }
}

/**
 * Refuse when `bytes` of copies cannot fit next to `dir` (with 1 MiB to spare for
 * metadata). Links that take no room (hardlink, symlink first in `links`) need none;
 * a reflink is counted as a copy, since the file system may not support it.
 * @example
 *   checkRoom('/repo', 2e9, ['reflink', 'copy'], 'checkout') // throws ENOSPC when 2 GB are not free
 */
export function checkRoom(dir: string, bytes: number, links: readonly LinkType[], what: string): void {
  if (bytes <= 0 || links[0] === 'hardlink' || links[0] === 'symlink') return;
  const free = freeBytes(dir);
  if (free === undefined || bytes + MiB <= free) return;
  throw new EnvironmentError('ENOSPC', dir, `no space left on device for ${what}: it writes ${mib(bytes)}, ${mib(free)} are free`, 'nothing was changed; free some space and run it again');
}

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
