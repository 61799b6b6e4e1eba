import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ConflictError } from '../errors/index.js';
import { resolveExp } from '../experiments/refs.js';
import { gitSync, readFilesAt } from '../git/porcelain.js';
import { fromRepoPath } from '../repo/paths.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { writeFileAtomic } from '../store/atomic.js';
import { checkout, type CheckoutResult } from './checkout.js';

export interface ExpApplyOptions extends RepoOptions {
  exp: string;
  /** Overwrite uncommitted changes to the files and data the experiment brings. */
  force?: boolean;
}

export interface ExpApplyResult {
  exp: string;
  commit: string;
  /** Files written (or deleted) in the workspace: params, mlv.lock, metrics, pointers. */
  files: Array<{ path: string; change: 'written' | 'deleted' }>;
  data: CheckoutResult;
}

/**
 * Bring an experiment's files (params, mlv.lock, metrics, pointers) and its data into
 * the workspace, leaving git's HEAD and index alone (commit the result to keep it).
 * Refuses, before changing anything, when that would overwrite uncommitted changes.
 * @example
 *   await expApply({ cwd, exp: 'brisk-otter-042' });
 */
export async function expApply(opts: ExpApplyOptions): Promise<ExpApplyResult> {
  const repo = openRepo(opts);
  const exp = resolveExp(repo.root, opts.exp);
  const changed = gitSync(repo.root, ['diff', '--name-status', '-z', '--no-renames', exp.baseline, exp.commit])
    .split('\0').filter(Boolean);
  const entries: Array<{ path: string; deleted: boolean }> = [];
  for (let i = 0; i + 1 < changed.length; i += 2) entries.push({ path: changed[i + 1], deleted: changed[i] === 'D' });
  const blobs = await readFilesAt(repo.root, entries.map((e) => `${exp.commit}:${e.path}`));
  const heads = await readFilesAt(repo.root, entries.map((e) => `HEAD:${e.path}`));

  // A file the user changed since HEAD, that the experiment would change differently, is theirs.
  const before = entries.map((e) => {
    const abs = fromRepoPath(repo.root, e.path, `experiment ${exp.name}`);
    return existsSync(abs) ? readFileSync(abs) : undefined;
  });
  const conflicts = entries.filter((e, i) => {
    const mine = before[i];
    const theirs = e.deleted ? undefined : blobs[i];
    const head = heads[i];
    const dirty = !(mine === undefined ? head === undefined : head !== undefined && mine.equals(head));
    const same = mine === undefined ? theirs === undefined : theirs !== undefined && mine.equals(theirs);
    return dirty && !same;
  }).map((e) => e.path);
  if (conflicts.length && !opts.force) {
    throw new ConflictError(`${conflicts.join(', ')}: uncommitted changes would be overwritten by experiment ${exp.name}; commit them first, or use --force`, { paths: conflicts }, 'EDIRTY');
  }

  const files: ExpApplyResult['files'] = [];
  const write = (i: number, content: Buffer | undefined) => {
    const abs = fromRepoPath(repo.root, entries[i].path, `experiment ${exp.name}`);
    if (content === undefined) rmSync(abs, { force: true });
    else writeFileAtomic(abs, content);
  };
  entries.forEach((e, i) => {
    write(i, e.deleted ? undefined : blobs[i]);
    files.push({ path: e.path, change: e.deleted ? 'deleted' : 'written' });
  });
  let data: CheckoutResult;
  try {
    data = await checkout({ cwd: repo.root, force: opts.force });
  } catch (e) {
    // Data that would be lost: put the files back as they were, so nothing changed.
    entries.forEach((_, i) => write(i, before[i]));
    throw e;
  }
  return { exp: exp.name, commit: exp.commit, files, data };
}
