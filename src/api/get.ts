import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConflictError, InputError, NotFoundError } from '../errors/index.js';
import { resolveRev } from '../git/porcelain.js';
import { copyInto, streamTarget, tmpDirFor, tmpName } from '../store/atomic.js';
import { toRepoPath } from '../repo/paths.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import { trackedAtCommit, type Tracked } from '../repo/tracked.js';
import { readManifest } from '../repo/workspace.js';
import { fetchMissing } from '../remote/fetch.js';

export interface GetOptions extends RepoOptions {
  rev: string;
  path: string;
  /** Where to write it; `-` is this process's stdout (a file artifact only). */
  out?: string;
  force?: boolean;
}

export interface GetResult {
  path: string;
  out: string;
  kind: 'file' | 'dir';
  size: number;
  files: number;
  hash: string;
  pulled: number;
}

/**
 * One artifact, file or directory, as it was at `rev`, written to `out` (default: its
 * base name in the current directory). HEAD and the workspace's data are untouched.
 * Objects missing from the cache come from the default remote, verified.
 * @example
 *   await get({ cwd, rev: 'v1.0', path: 'models/model.json', out: '/tmp/model-v1.json' })
 */
export async function get(opts: GetOptions): Promise<GetResult> {
  const repo = openRepo(opts);
  const commit = resolveRev(repo.root, opts.rev);
  const path = toRepoPath(repo.root, opts.cwd, opts.path).replace(/\.mlv$/, '');
  const tracked = await trackedAtCommit(repo.root, commit);
  let t: Tracked | undefined = tracked.find((x) => x.path === path);
  if (!t) t = await fileInsideDir(repo, tracked, path);
  if (!t) throw new NotFoundError('path', `${opts.path}: not tracked by mlv at ${opts.rev}`, { path, rev: opts.rev });
  const toStdout = opts.out === '-';
  const out = toStdout ? '-' : resolve(opts.cwd, opts.out ?? basename(path));
  // `-o -`, a device or a pipe (`-o /dev/null`): the content is written into it, never
  // renamed over it; nothing is overwritten there, so no --force is needed.
  const stream = toStdout || streamTarget(out);
  if (stream && t.kind === 'dir') throw new InputError(`${opts.out}: ${path} is a directory; it can only be written to a directory path, not to stdout, a device or a pipe`, { out, path });
  if (!stream && existsSync(out) && !opts.force) throw new ConflictError(`${opts.out ?? basename(path)}: already exists; choose another -o or use --force`, { out });
  const pulled = await fetchMissing(repo, [t]);
  if (!stream) mkdirSync(dirname(out), { recursive: true });
  const tmp = tmpName(stream ? tmpDirFor(repo.root) : tmpDirFor(dirname(out)), basename(path));
  if (stream) {
    try {
      await repo.store.checkoutTo(t.hash, tmp, repo.config.link, { what: `${path} at ${opts.rev}` });
      const fd = toStdout ? 1 : openSync(out, 'w');
      try {
        copyInto(tmp, fd);
      } finally {
        if (!toStdout) closeSync(fd);
      }
    } finally {
      rmSync(tmp, { force: true });
    }
    return { path, out, kind: t.kind, size: t.size, files: t.files, hash: t.hash, pulled };
  }
  try {
    if (t.kind === 'file') {
      await repo.store.checkoutTo(t.hash, tmp, repo.config.link, { what: `${path} at ${opts.rev}` });
    } else {
      mkdirSync(tmp);
      for (const e of readManifest(repo, t.hash, path)) {
        await repo.store.checkoutTo(e.hash, join(tmp, ...e.path.split('/')), repo.config.link, { exec: e.exec, what: `${path}/${e.path} at ${opts.rev}` });
      }
    }
    if (existsSync(out)) rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { path, out, kind: t.kind, size: t.size, files: t.files, hash: t.hash, pulled };
}

/** A file inside a tracked directory, as a tracked file of its own (its blob from the manifest). */
async function fileInsideDir(repo: Repo, tracked: Tracked[], path: string): Promise<Tracked | undefined> {
  const dir = tracked.find((x) => x.kind === 'dir' && path.startsWith(x.path + '/'));
  if (!dir) return undefined;
  // Only the manifest is needed to find the file: fetch it alone, not the directory.
  await fetchMissing(repo, [{ ...dir, kind: 'file' }]);
  const rel = path.slice(dir.path.length + 1);
  const entries = readManifest(repo, dir.hash, dir.path);
  const e = entries.find((x) => x.path === rel);
  if (e) return { kind: 'file', hash: e.hash, size: e.size, files: 1, path, source: dir.source };
  // A sub-directory: a manifest of its own is not stored, so materialise its files one by one.
  const inside = entries.filter((x) => x.path.startsWith(rel + '/'));
  if (inside.length === 0) return undefined;
  const sub = inside.map((x) => ({ ...x, path: x.path.slice(rel.length + 1) }));
  const { serializeManifest } = await import('../store/manifest.js');
  const m = repo.store.addBytes(serializeManifest(sub));
  return { kind: 'dir', hash: m.hash, size: sub.reduce((a, x) => a + x.size, 0), files: sub.length, path, source: dir.source };
}
