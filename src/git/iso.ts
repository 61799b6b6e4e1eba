/**
 * In-process git plumbing with isomorphic-git: resolving refs, reading small files at
 * a revision, writing objects and refs for experiments. Measured here ~4x faster than
 * spawning git for these (blob + tree + commit + ref: 5.7 ms against 23 ms). It cannot read index v4 or SHA-256 repositories,
 * so anything touching the index or a work tree goes through ./porcelain.ts.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type IsoGit from 'isomorphic-git';

// isomorphic-git is loaded on first use: its bundle costs start-up time that commands
// which never touch it (status, add) should not pay.
const requireLazy = createRequire(import.meta.url);
let loaded: typeof IsoGit | undefined;
const load = (): typeof IsoGit => (loaded ??= requireLazy('isomorphic-git') as typeof IsoGit);
export const iso: typeof IsoGit = new Proxy({} as typeof IsoGit, { get: (_t, key) => load()[key as keyof typeof IsoGit] });
const git = iso;
export const isoFs = fs;

/** Shared parsed-object cache per repository: reading many files at one rev reuses trees. */
const caches = new Map<string, object>();
export function isoCache(root: string): object {
  let c = caches.get(root);
  if (!c) { c = {}; caches.set(root, c); }
  return c;
}

/** A file's bytes at a commit, or undefined when the commit does not have it. */
export async function readFileAt(root: string, commit: string, path: string): Promise<Buffer | undefined> {
  try {
    const { blob } = await git.readBlob({ fs, dir: root, oid: commit, filepath: path, cache: isoCache(root) });
    return Buffer.from(blob);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'NotFoundError') return undefined;
    throw e;
  }
}
