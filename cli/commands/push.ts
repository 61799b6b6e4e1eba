import type { Command } from 'commander';
import { push } from '../../src/api/push.js';
import { pull } from '../../src/api/pull.js';
import { cwd, err, formatBytes, out, printJson, progressBar } from '../io.js';

const jobs = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--jobs takes a whole number ≥ 1, not '${v}'`);
  return n;
};

export function register(program: Command): void {
  program
    .command('push')
    .description('send the objects the workspace refers to (or all commits) to a remote')
    .argument('[remote]', 'remote name (default: the default remote)')
    .option('-j, --jobs <n>', 'transfers at once', jobs)
    .option('-a, --all-commits', 'everything any branch, tag or refs/mlv/* refers to')
    .option('--exps', 'also everything experiments refer to')
    .option('--json', 'print the result as JSON')
    .action(async (remote: string | undefined, o: { jobs?: number; allCommits?: boolean; exps?: boolean; json?: boolean }) => {
      const bar = progressBar('push');
      const r = await push({ cwd: cwd(), remote, jobs: o.jobs, allCommits: o.allCommits, exps: o.exps, onProgress: bar.onProgress }).finally(bar.done);
      if (r.notCached.length) err(`mlv: ${r.notCached.length} object(s) are not in the local cache and were not pushed`);
      if (o.json) return printJson(r);
      out(`pushed ${r.transferred} object(s) (${formatBytes(r.bytes)}) to '${r.remote}'; ${r.skipped} already there`);
    });
  for (const name of ['pull', 'fetch'] as const) {
    program
      .command(name)
      .description(name === 'pull' ? 'bring the objects the workspace needs from a remote, then check them out' : 'bring objects from a remote into the cache without touching the workspace')
      .argument('[remote]', 'remote name (default: the default remote)')
      .argument('[paths...]', 'only what these tracked paths need')
      .option('-j, --jobs <n>', 'transfers at once', jobs)
      .option('-a, --all-commits', 'everything any branch, tag or refs/mlv/* refers to')
      .option('-f, --force', 'checkout may overwrite data not in the cache')
      .option('--json', 'print the result as JSON')
      .action(async (remote: string | undefined, paths: string[], o: { jobs?: number; allCommits?: boolean; force?: boolean; json?: boolean }) => {
        const bar = progressBar(name);
        const r = await pull({ cwd: cwd(), remote, paths, jobs: o.jobs, allCommits: o.allCommits, force: o.force, noCheckout: name === 'fetch', onProgress: bar.onProgress }).finally(bar.done);
        if (r.absent.length) err(`mlv: ${r.absent.length} object(s) are not on '${r.remote}' either`);
        if (o.json) return printJson(r);
        out(`fetched ${r.transferred} object(s) (${formatBytes(r.bytes)}) from '${r.remote}'`);
        for (const c of r.checkout?.changed ?? []) out(`  ${c.path}: ${c.written} written, ${c.removed} removed`);
      });
  }
}
