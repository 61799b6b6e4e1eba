import type { Program } from '../program.js';
import { count } from '../options.js';
import { push } from '../../src/api/push.js';
import { pull } from '../../src/api/pull.js';
import { remoteList } from '../../src/api/remote.js';
import { cwd, lockWaitLine, err, out, printJson, progressBar } from '../io.js';
import { formatBytes } from '../format.js';

// The AWS SDK warns on every run under Node 20 (it will need 22 from 2027); mlv supports 20 and prints one line per error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Test hook (tests/integration/s3*.test.ts): `MLV_TEST_EXIT_AFTER_UPLOADS=N` kills the
 * process with SIGKILL once N objects are complete on the remote, to interrupt a push
 * deterministically mid-way. Not for users.
 */
function killAfterUploads(): ((hash: string) => void) | undefined {
  const n = Number(process.env.MLV_TEST_EXIT_AFTER_UPLOADS);
  if (!Number.isInteger(n) || n < 1) return undefined;
  let done = 0;
  return () => { if (++done >= n) process.kill(process.pid, 'SIGKILL'); };
}

export function register(program: Program): void {
  program
    .command('push')
    .description('send the objects the workspace refers to (or all commits) to a remote')
    .argument('[remote]', 'remote name (default: the default remote)')
    .option('-j, --jobs <n>', 'transfers at once', count('--jobs'))
    .option('-a, --all-commits', 'everything any branch, tag or refs/mlv/* refers to')
    .option('--exps', 'also everything experiments refer to')
    .option('--verify', 're-hash what the remote already has and replace damaged objects (reads them all back)')
    .option('--json', 'print the result as JSON')
    .action(async (remote: string | undefined, o: { jobs?: number; allCommits?: boolean; exps?: boolean; verify?: boolean; json?: boolean }) => {
      const bar = progressBar('push');
      const r = await push({ cwd: cwd(), remote, jobs: o.jobs, allCommits: o.allCommits, exps: o.exps, verify: o.verify, onProgress: bar.onProgress, onObject: killAfterUploads() }).finally(bar.done);
      if (r.notCached.length) err(`mlv: ${r.notCached.length} object(s) are not in the local cache and were not pushed`);
      if (r.repaired.length) err(`mlv: replaced ${r.repaired.length} damaged object(s) on '${r.remote}' (${r.repaired.slice(0, 3).map((h) => h.slice(0, 12)).join(', ')}${r.repaired.length > 3 ? ', …' : ''})`);
      if (o.json) return printJson(r);
      out(`pushed ${r.transferred} object(s) (${formatBytes(r.bytes)}) to '${r.remote}'; ${r.skipped} already there`);
    });
  for (const name of ['pull', 'fetch'] as const) {
    program
      .command(name)
      .description(name === 'pull' ? 'bring the objects the workspace needs from a remote, then check them out' : 'bring objects from a remote into the cache without touching the workspace')
      .argument('[remote]', 'remote name (default: the default remote); a path here starts the paths')
      .argument('[paths...]', 'only what these tracked paths need (a directory inside a tracked directory works)')
      .option('-j, --jobs <n>', 'transfers at once', count('--jobs'))
      .option('-a, --all-commits', 'everything any branch, tag or refs/mlv/* refers to')
      .option('-f, --force', 'checkout may overwrite data not in the cache')
      .option('--json', 'print the result as JSON')
      .option('-r, --remote <name>', 'remote name, when the first argument is a path')
      .action(async (first: string | undefined, rest: string[], o: { remote?: string; jobs?: number; allCommits?: boolean; force?: boolean; json?: boolean }) => {
        // `mlv pull data/train` names a path, `mlv pull origin data/train` a remote first.
        let remote = o.remote;
        let paths = rest;
        if (first !== undefined) {
          const isRemote = !o.remote && (await remoteList({ cwd: cwd() })).some((r) => r.name === first);
          if (isRemote) remote = first;
          else paths = [first, ...rest];
        }
        const bar = progressBar(name);
        const r = await pull({ cwd: cwd(), onLockWait: lockWaitLine, remote, paths, jobs: o.jobs, allCommits: o.allCommits, force: o.force, noCheckout: name === 'fetch', onProgress: bar.onProgress }).finally(bar.done);
        if (r.absent.length) err(`mlv: ${r.absent.length} object(s) are not on '${r.remote}' either`);
        if (o.json) return printJson(r);
        out(`fetched ${r.transferred} object(s) (${formatBytes(r.bytes)}) from '${r.remote}'`);
        for (const c of r.checkout?.changed ?? []) out(`  ${c.path}: ${c.written} written, ${c.removed} removed`);
      });
  }
}
