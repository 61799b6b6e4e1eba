/**
 * An opened mlv workspace: git root, config, object store and state index.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors/index.js';
import { gitCommonDir } from '../git/commonDir.js';
import { ObjectStore } from '../store/ObjectStore.js';
import { loadConfig, type Config } from './config.js';
import type { OnLockWait } from './lock.js';
import { findGitRoot } from './findRoot.js';
import { StateIndex } from './state.js';

export interface Repo {
  root: string;
  mlvDir: string;
  config: Config;
  store: ObjectStore;
  state(): StateIndex;
  /** Told when a command starts waiting for `.mlv/lock` held by another process. */
  onLockWait?: OnLockWait;
}

export interface RepoOptions {
  /** Directory the command runs in (the CLI passes its working directory). */
  cwd: string;
  /** Told once when the command starts waiting for `.mlv/lock` (the CLI prints a line). */
  onLockWait?: OnLockWait;
}

export function gitRootOrThrow(cwd: string): string {
  const root = findGitRoot(cwd);
  if (!root) throw new UsageError(`${cwd}: not inside a git repository (run git init first)`, { cwd }, 'ENOTGIT');
  return root;
}

/**
 * A linked worktree (`git worktree add`, used by repro --rev and experiments) has no
 * cache of its own: it shares the main work tree's, so objects are stored once.
 */
export function mainWorktreeRoot(root: string): string | undefined {
  try {
    if (!statSync(join(root, '.git')).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const common = gitCommonDir(root);
  return common === undefined ? undefined : dirname(common);
}

export function cacheDirFor(root: string): string {
  const own = join(root, '.mlv', 'cache');
  if (existsSync(own)) return own;
  const main = mainWorktreeRoot(root);
  return main ? join(main, '.mlv', 'cache') : own;
}

export function openRepoAt(root: string, opts: { onLockWait?: OnLockWait } = {}): Repo {
  const mlvDir = join(root, '.mlv');
  if (!existsSync(mlvDir)) throw new UsageError(`${root}: not an mlv repository (run mlv init)`, { root }, 'ENOTMLV');
  let state: StateIndex | undefined;
  const config = loadConfig(mlvDir);
  return {
    root,
    mlvDir,
    config,
    store: new ObjectStore(cacheDirFor(root), { durable: config.fsync }),
    state: () => (state ??= new StateIndex(mlvDir)),
    ...(opts.onLockWait ? { onLockWait: opts.onLockWait } : {}),
  };
}

export function openRepo(opts: RepoOptions): Repo {
  return openRepoAt(gitRootOrThrow(opts.cwd), opts);
}
