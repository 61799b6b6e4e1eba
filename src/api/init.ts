import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { renderConfig, DEFAULT_CONFIG } from '../repo/config.js';
import { gitRootOrThrow, type RepoOptions } from '../repo/Repo.js';
import { registerMergeDriver, type MergeDriverSetup } from '../merge/register.js';

export interface InitResult {
  root: string;
  created: string[];
  /** What registering `mlv merge-driver` changed in .git/config and .gitattributes. */
  mergeDriver: MergeDriverSetup;
}

export interface InitOptions extends RepoOptions {
  /** The command git runs as the merge driver (default `mlv`, found on PATH). */
  mlvCommand?: string;
}

const MLV_GITIGNORE = '# mlv local state: never committed (docs/FORMAT.md)\n/cache/\n/state\n/lock\n/tmp/\n/config.local\n';

const MLVIGNORE = `# .mlvignore: what \`mlv add <directory>\` skips, in .gitignore syntax.
# A .mlvignore in any directory applies below it. Examples:
# *.tmp
# .ipynb_checkpoints/
# __pycache__/
`;

/**
 * Make the git repository around `cwd` an mlv workspace. Idempotent: only what is
 * missing is created. Registers `mlv merge-driver` for `*.mlv` and `mlv.lock`.
 * @example
 *   await init({ cwd: '/home/me/project' }) // → { root, created: ['.mlv/config', ...] }
 */
export async function init(opts: InitOptions): Promise<InitResult> {
  const root = gitRootOrThrow(opts.cwd);
  const created: string[] = [];
  const mlvDir = join(root, '.mlv');
  const ensure = (rel: string, content: string) => {
    const p = join(root, rel);
    if (existsSync(p)) return;
    writeFileAtomic(p, content);
    created.push(rel);
  };
  mkdirSync(join(mlvDir, 'cache', 'objects', 'sha256'), { recursive: true });
  mkdirSync(join(mlvDir, 'cache', 'tmp'), { recursive: true });
  ensure('.mlv/config', renderConfig({ ...DEFAULT_CONFIG }, 'shared'));
  ensure('.mlv/.gitignore', MLV_GITIGNORE);
  ensure('.mlvignore', MLVIGNORE);
  if (created.includes('.mlv/config')) created.splice(1, 0, '.mlv/cache/');
  const mergeDriver = registerMergeDriver(root, opts.mlvCommand ?? 'mlv');
  return { root, created, mergeDriver };
}
