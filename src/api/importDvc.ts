import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NotFoundError } from '../errors/index.js';
import { applyImport, type ImportResult } from '../dvc/apply.js';
import { planImport, type MissingObject } from '../dvc/plan.js';
import { gitSync } from '../git/porcelain.js';
import { withRepoLock } from '../repo/lock.js';
import { gitRootOrThrow, openRepoAt, type RepoOptions } from '../repo/Repo.js';
import { init } from './init.js';

export interface ImportDvcOptions extends RepoOptions {
  /** Print the plan; write nothing. */
  dryRun?: boolean;
  /** The DVC cache to read (default: `[cache] dir` of .dvc/config, else .dvc/cache). */
  cache?: string;
  /** The command git runs as the merge driver, when the import runs `mlv init`. */
  mlvCommand?: string;
  /** Recorded as each stage's environment in mlv.lock (default: this process). */
  runtime?: { node: string; platform: string; arch: string };
}

export interface ImportDvcResult {
  dryRun: boolean;
  pointers: Array<{ path: string; from: string; kind: 'file' | 'dir'; files?: number; size?: number }>;
  /** Stages of dvc.yaml written to mlv.yaml. */
  stages: string[];
  /** After the import: stages recorded in mlv.lock, and those left for mlv repro with why. */
  recorded?: string[];
  stale?: ImportResult['stale'];
  remotes: Array<{ name: string; url: string; default: boolean }>;
  skipped: string[];
  notes: string[];
  /** Objects the DVC cache lacks (a dry run lists them; a real import refuses). */
  missing: MissingObject[];
  /** DVC objects verified and stored (planned, for a dry run). */
  objects: number;
  /** How to remove the DVC files once the import is committed. */
  removeDvc: string;
  /** The `git add` of what the import writes. */
  gitAdd: string;
}

/**
 * Bring a DVC 2.x/3.x project over: `.dvc` files become pointers, dvc.yaml and
 * dvc.lock become mlv.yaml and mlv.lock, local and S3 remotes carry over, and every
 * object in the DVC cache is checked against its md5 as it is stored. Nothing is
 * written when an object is missing. DVC's own files are left in place.
 * @example
 *   const plan = await importDvc({ cwd: '/work/dvc-project', dryRun: true });
 *   if (plan.missing.length === 0) await importDvc({ cwd: '/work/dvc-project' });
 */
export async function importDvc(opts: ImportDvcOptions): Promise<ImportDvcResult> {
  const root = gitRootOrThrow(opts.cwd);
  const plan = planImport(root, { cache: opts.cache ? resolve(opts.cwd, opts.cache) : undefined });
  const dvcFiles = [...new Set(plan.pointers.map((p) => p.from))];
  const dvcPaths = ['.dvc', ...['.dvcignore', 'dvc.yaml', 'dvc.lock'].filter((f) => existsSync(join(root, f))), ...dvcFiles];
  const removeDvc = `git rm -r -q ${dvcPaths.join(' ')} && rm -rf .dvc`;
  const base: ImportDvcResult = {
    dryRun: opts.dryRun === true,
    pointers: plan.pointers.map((p) => ({ path: p.path, from: p.from, kind: p.kind, ...(p.files !== undefined ? { files: p.files } : {}), ...(p.size !== undefined ? { size: p.size } : {}) })),
    stages: plan.stages,
    remotes: plan.remotes.map((r) => ({ name: r.name, url: r.url, default: r.default })),
    skipped: plan.skipped,
    notes: plan.notes,
    missing: plan.missing,
    objects: plan.objects,
    removeDvc,
    gitAdd: `git add ${['.mlv', '.mlvignore', '.gitattributes', ...plan.pointers.map((p) => `${p.path}.mlv`), ...(plan.mlvYaml ? ['mlv.yaml', 'mlv.lock'] : [])].join(' ')}`,
  };
  if (opts.dryRun) return base;
  if (plan.missing.length) {
    const pulls = [...new Set(plan.missing.map((m) => m.pull))];
    const list = plan.missing.slice(0, 10).map((m) => `${m.path} (${m.md5})`).join(', ') + (plan.missing.length > 10 ? ` and ${plan.missing.length - 10} more` : '');
    throw new NotFoundError('object', `the DVC cache (${plan.cacheDir}) lacks ${plan.missing.length} object(s): ${list}; fetch them with: ${pulls.join('; ')} — nothing was imported`, { missing: plan.missing, pulls });
  }
  const undo = existsSync(join(root, '.mlv')) ? undefined : await initUndoably(root, opts.mlvCommand);
  const repo = openRepoAt(root, { onLockWait: opts.onLockWait });
  const runtime = opts.runtime ?? { node: process.version, platform: process.platform, arch: process.arch };
  try {
    const r = await withRepoLock(repo, 'import-dvc', () => applyImport(repo, plan, runtime));
    return { ...base, recorded: r.recorded, stale: r.stale, objects: r.objects };
  } catch (e) {
    // A corrupt DVC object stops the import before anything points at mlv's objects;
    // a repository this import made an mlv workspace goes back to being a DVC one.
    undo?.();
    throw e;
  }
}

/** `mlv init`, and how to take it back. */
async function initUndoably(root: string, mlvCommand?: string): Promise<() => void> {
  const attrs = join(root, '.gitattributes');
  const attrsBefore = existsSync(attrs) ? readFileSync(attrs) : undefined;
  const r = await init({ cwd: root, mlvCommand });
  return () => {
    rmSync(join(root, '.mlv'), { recursive: true, force: true });
    for (const f of r.created) if (!f.startsWith('.mlv/')) rmSync(join(root, f), { force: true });
    if (attrsBefore === undefined) rmSync(attrs, { force: true });
    else writeFileSync(attrs, attrsBefore);
    if (r.mergeDriver.config) gitSync(root, ['config', '--local', '--remove-section', 'merge.mlv'], { allowFail: true });
  };
}
