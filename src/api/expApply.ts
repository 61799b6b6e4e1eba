import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, InputError } from '../errors/index.js';
import { pickTrainStage, trialWarnings, writeTrialSection, type SearchSpec } from '../experiments/applySearch.js';
import { SEARCH_FILE } from '../experiments/search.js';
import { loadPipeline, PIPELINE_FILE } from '../pipeline/load.js';
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
  /** A search trial: the stage whose params section takes it (default: the one running `mlv train --params-section`). */
  stage?: string;
}

/** A search trial applied: where its algorithm and hyperparameters went, and what may keep `mlv repro` from its score. */
export interface AppliedTrial {
  stage: string;
  file: string;
  section: string;
  algorithm: string;
  params: Record<string, unknown>;
  validation: string;
  seed: number;
  data: string;
  /** The trial's cross-validated scores (the mean of each metric). */
  scores: Record<string, number>;
  warnings: string[];
}

export interface ExpApplyResult {
  exp: string;
  commit: string;
  /** Files written (or deleted) in the workspace: params, mlv.lock, metrics, pointers. */
  files: Array<{ path: string; change: 'written' | 'deleted' }>;
  data: CheckoutResult;
  /** Set when the experiment is a search trial (its commit holds only mlv-search.json). */
  trial?: AppliedTrial;
}

/**
 * Bring an experiment's files (params, mlv.lock, metrics, pointers) and its data into
 * the workspace, leaving git's HEAD and index alone (commit the result to keep it).
 * A search trial's algorithm and hyperparameters go into the params section of the
 * pipeline's train stage instead (experiments/applySearch.ts), so `mlv repro` rebuilds it.
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
  if (entries.length === 1 && entries[0].path === SEARCH_FILE && !entries[0].deleted) return applyTrial(repo.root, exp, opts);
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

async function applyTrial(root: string, exp: { name: string; commit: string }, opts: ExpApplyOptions): Promise<ExpApplyResult> {
  const [blob] = await readFilesAt(root, [`${exp.commit}:${SEARCH_FILE}`]);
  let spec: SearchSpec;
  try { spec = JSON.parse(blob!.toString('utf8')) as SearchSpec; } catch { throw new InputError(`experiment ${exp.name}: ${SEARCH_FILE} is not valid JSON`, { exp: exp.name }); }
  if ((spec as { status?: string }).status === 'failed') throw new InputError(`experiment ${exp.name}: the trial failed; there is nothing to apply`, { exp: exp.name });
  if (!existsSync(join(root, PIPELINE_FILE))) {
    throw new InputError(`experiment ${exp.name} is a search trial: applying it writes its algorithm and hyperparameters into the params section the pipeline's train stage reads, and there is no ${PIPELINE_FILE} (docs/experiments.md, "From a search to the pipeline")`, { exp: exp.name }, 'ENOTRAINSTAGE');
  }
  const t = pickTrainStage(loadPipeline(root), exp.name, opts.stage);
  const abs = fromRepoPath(root, t.file, `stage '${t.stage}'`);
  const mine = existsSync(abs) ? readFileSync(abs) : undefined;
  const text = mine?.toString('utf8') ?? '';
  const next = Buffer.from(writeTrialSection(text, t.file, t.section, spec, { validation: t.flags.validation === undefined, seed: t.flags.seed === undefined }));
  const [head] = await readFilesAt(root, [`HEAD:${t.file}`]);
  const dirty = !(mine === undefined ? head === undefined : head !== undefined && mine.equals(head));
  if (dirty && !(mine !== undefined && mine.equals(next)) && !opts.force) {
    throw new ConflictError(`${t.file}: uncommitted changes would be overwritten by experiment ${exp.name}; commit them first, or use --force`, { paths: [t.file] }, 'EDIRTY');
  }
  const warnings = trialWarnings(root, t, spec);
  writeFileAtomic(abs, next);
  const scores = Object.fromEntries(Object.entries(spec.metrics ?? {}).map(([k, v]) => [k, v.mean]));
  return {
    exp: exp.name, commit: exp.commit, files: [{ path: t.file, change: 'written' }], data: { changed: [], notPulled: [] },
    trial: { stage: t.stage, file: t.file, section: t.section, algorithm: spec.algorithm, params: spec.params, validation: spec.validation, seed: spec.seed, data: spec.data, scores, warnings },
  };
}
