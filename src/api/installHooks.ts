import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitDir, HOOK_GUARD } from '../git/porcelain.js';
import { writeFileAtomic } from '../store/atomic.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { registerMergeDriver, type MergeDriverSetup } from '../merge/register.js';

const MARK = '# installed by mlv install-hooks';

export interface InstallHooksOptions extends RepoOptions {
  /** The command that runs mlv (absolute node + script, so hooks work without PATH). */
  mlvCommand: string;
}

/**
 * Git hooks so data follows git: post-checkout runs `mlv checkout` after a branch
 * checkout; pre-push runs `mlv push`. Existing hooks not written by mlv are kept: mlv
 * refuses to replace them. Also registers `mlv merge-driver` (.git/config, .gitattributes).
 * @example
 *   await installHooks({ cwd, mlvCommand: '/usr/bin/node /opt/mlv/bin/mlv.js' })
 */
export async function installHooks(opts: InstallHooksOptions): Promise<{ installed: string[]; skipped: string[]; mergeDriver: MergeDriverSetup }> {
  const repo = openRepo(opts);
  const hooksDir = join(gitDir(repo.root), 'hooks');
  const hooks: Record<string, string> = {
    'post-checkout': `#!/bin/sh\n${MARK}\n# $3 is 1 for a branch checkout, 0 for a file checkout.\n[ "$3" = "1" ] || exit 0\n[ -n "$${HOOK_GUARD}" ] && exit 0\nexec ${opts.mlvCommand} checkout\n`,
    'pre-push': `#!/bin/sh\n${MARK}\nexec ${opts.mlvCommand} push\n`,
  };
  const installed: string[] = [];
  const skipped: string[] = [];
  for (const [name, body] of Object.entries(hooks)) {
    const p = join(hooksDir, name);
    if (existsSync(p) && !readFileSync(p, 'utf8').includes(MARK)) { skipped.push(name); continue; }
    writeFileAtomic(p, body, { mode: 0o755 });
    chmodSync(p, 0o755);
    installed.push(name);
  }
  // git does not copy merge drivers with a clone: this is how a clone gets `mlv merge-driver`.
  const mergeDriver = registerMergeDriver(repo.root, opts.mlvCommand);
  return { installed, skipped, mergeDriver };
}

/** The directory of the installed mlv package (its bin/mlv.js runs the hooks). */
export { mlvPackageRoot } from '../pipeline/env.js';
