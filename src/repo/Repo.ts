/**
 * An opened mlv workspace: git root, config, object store and state index.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors/index.js';
import { ObjectStore } from '../store/ObjectStore.js';
import { loadConfig, type Config } from './config.js';
import { findGitRoot } from './findRoot.js';
import { StateIndex } from './state.js';

export interface Repo {
  root: string;
  mlvDir: string;
  config: Config;
  store: ObjectStore;
  state(): StateIndex;
}

export interface RepoOptions {
  /** Directory the command runs in (the CLI passes process.cwd()). */
  cwd: string;
}

export function gitRootOrThrow(cwd: string): string {
  const root = findGitRoot(cwd);
  if (!root) throw new UsageError(`${cwd}: not inside a git repository (run git init first)`, { cwd }, 'ENOTGIT');
  return root;
}

export function openRepoAt(root: string): Repo {
  const mlvDir = join(root, '.mlv');
  if (!existsSync(mlvDir)) throw new UsageError(`${root}: not an mlv repository (run mlv init)`, { root }, 'ENOTMLV');
  let state: StateIndex | undefined;
  return {
    root,
    mlvDir,
    config: loadConfig(mlvDir),
    store: new ObjectStore(join(mlvDir, 'cache')),
    state: () => (state ??= new StateIndex(mlvDir)),
  };
}

export function openRepo(opts: RepoOptions): Repo {
  return openRepoAt(gitRootOrThrow(opts.cwd));
}
