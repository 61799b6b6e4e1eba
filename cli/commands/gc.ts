import type { Program } from '../program.js';
import { gc } from '../../src/api/gc.js';
import { cwd, lockWaitLine, err, out, printJson } from '../io.js';
import { formatBytes } from '../format.js';
import { count } from '../options.js';


export function register(program: Program): void {
  program
    .command('gc')
    .description('delete cached objects nothing refers to (the workspace by default), and run-cache entries no kept version recorded')
    .option('-n, --dry-run', 'list what would be deleted, the bytes freed and what the run cache holds')
    .option('-a, --all-commits', 'keep everything reachable from any branch, tag or refs/mlv/*')
    .option('--keep-exps', 'keep everything experiments (refs/mlv/exps/*) refer to')
    .option('--keep-runs <n>', 'also keep the n most recently written or restored run-cache entries', count('--keep-runs'), 0)
    .option('--json', 'print the result as JSON')
    .action(async (o: { dryRun?: boolean; allCommits?: boolean; keepExps?: boolean; keepRuns: number; json?: boolean }) => {
      const r = await gc({ cwd: cwd(), onLockWait: lockWaitLine, dryRun: o.dryRun, allCommits: o.allCommits, keepExps: o.keepExps, keepRuns: o.keepRuns });
      if (r.fromHistory) {
        err(`mlv: ${r.fromHistory} of ${r.dryRun ? 'these' : 'the removed'} object(s) belong to older commits or experiments; those versions can now only come back from a remote that has them (keep them with --all-commits; share them first with mlv push --all-commits)`);
      }
      if (o.json) return printJson(r);
      const rc = r.runCache;
      if (o.dryRun) {
        for (const x of r.removed) out(`would remove ${x.hash}  ${formatBytes(x.size)}`);
        out(`Run cache: ${rc.entries} entr${rc.entries === 1 ? 'y' : 'ies'} naming ${formatBytes(rc.bytes)}; would keep ${rc.kept}, drop ${rc.dropped.length}.`);
        for (const d of rc.dropped) out(`would drop run ${d.key.slice(0, 12)}  ${d.outs.join(', ') || '(no outputs)'}  ${formatBytes(d.bytes)}  ${d.cmd.join(' && ')}`);
      }
      const runs = !o.dryRun && rc.dropped.length ? ` Dropped ${rc.dropped.length} run-cache entr${rc.dropped.length === 1 ? 'y' : 'ies'}; kept ${rc.kept}.` : '';
      out(`${o.dryRun ? 'Would remove' : 'Removed'} ${r.removed.length} object(s), ${formatBytes(r.bytes)}; kept ${r.kept}.${runs}`);
    });
}
