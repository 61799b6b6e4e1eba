import type { Command } from 'commander';
import { status } from '../../src/api/status.js';
import { remoteStatus } from '../../src/api/remoteStatus.js';
import { setExitCode } from '../main.js';
import { color, cwd, formatBytes, out, printJson } from '../io.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('tracked data that is modified, missing or not cached; stale pipeline stages')
    .option('--check', 'exit 1 when anything is dirty')
    .option('-r, --remote [name]', 'compare the cache with a remote instead: what is not pushed, what is not local')
    .option('-a, --all-commits', 'with --remote: what every commit refers to, not only the workspace')
    .option('--json', 'print the result as JSON')
    .action(async (o: { check?: boolean; json?: boolean; remote?: string | boolean; allCommits?: boolean }) => {
      if (o.remote !== undefined) return showRemote(typeof o.remote === 'string' ? o.remote : undefined, o);
      const r = await status({ cwd: cwd() });
      if (o.check && !r.clean) setExitCode(1);
      if (o.json) return printJson(r);
      if (r.clean) return out('Data and pipelines are up to date.');
      const paint = (s: string) => (s === 'modified' ? color.yellow(s) : color.red(s));
      for (const d of r.data) {
        out(`  ${paint(d.state.padEnd(10))} ${d.path}${d.stage ? color.dim(` (stage ${d.stage})`) : ''}`);
        for (const c of d.changes.slice(0, 20)) out(`      ${c.change.padEnd(8)} ${d.path}/${c.path}`);
        if (d.changes.length > 20) out(`      … ${d.changes.length - 20} more`);
      }
      for (const s of r.stages) out(`  ${color.yellow('stale'.padEnd(10))} stage ${s.stage}: ${s.reasons.join('; ')}`);
    });
}

async function showRemote(remote: string | undefined, o: { check?: boolean; json?: boolean; allCommits?: boolean }): Promise<void> {
  const r = await remoteStatus({ cwd: cwd(), remote, allCommits: o.allCommits });
  if (o.check && !r.clean) setExitCode(1);
  if (o.json) return printJson(r);
  if (r.clean) return out(`Cache and remote '${r.remote}' hold everything the workspace refers to.`);
  const section = (title: string, rows: typeof r.notPushed, paint: (s: string) => string, hint: string) => {
    if (!rows.length) return;
    out(`${title} (${hint}):`);
    for (const x of rows) out(`  ${paint(x.path)}${x.kind === 'dir' ? '/' : ''}  ${x.objects} object(s)${x.bytes ? `, ${formatBytes(x.bytes)}` : ''}`);
  };
  section(`Not pushed to '${r.remote}'`, r.notPushed, color.yellow, 'mlv push');
  section('Not in the local cache', r.notLocal, color.yellow, 'mlv pull');
  section(`Neither cached nor on '${r.remote}'`, r.missing, color.red, 'lost unless another copy exists');
  for (const p of r.unknown) out(`  ${color.red(p)}/  directory listing is on neither side; its files are unknown`);
}
