import type { Command } from 'commander';
import { gc } from '../../src/api/gc.js';
import { cwd, lockWaitLine, err, formatBytes, out, printJson } from '../io.js';

export function register(program: Command): void {
  program
    .command('gc')
    .description('delete cached objects nothing refers to (the workspace by default)')
    .option('-n, --dry-run', 'list what would be deleted and the bytes freed')
    .option('-a, --all-commits', 'keep everything reachable from any branch, tag or refs/mlv/*')
    .option('--keep-exps', 'keep everything experiments (refs/mlv/exps/*) refer to')
    .option('--json', 'print the result as JSON')
    .action(async (o: { dryRun?: boolean; allCommits?: boolean; keepExps?: boolean; json?: boolean }) => {
      const r = await gc({ cwd: cwd(), onLockWait: lockWaitLine, dryRun: o.dryRun, allCommits: o.allCommits, keepExps: o.keepExps });
      if (r.fromHistory) {
        err(`mlv: ${r.fromHistory} of ${r.dryRun ? 'these' : 'the removed'} object(s) belong to older commits or experiments; those versions can now only come back from a remote that has them (keep them with --all-commits; share them first with mlv push --all-commits)`);
      }
      if (o.json) return printJson(r);
      if (o.dryRun) for (const x of r.removed) out(`would remove ${x.hash}  ${formatBytes(x.size)}`);
      out(`${o.dryRun ? 'Would remove' : 'Removed'} ${r.removed.length} object(s), ${formatBytes(r.bytes)}; kept ${r.kept}.`);
    });
}
