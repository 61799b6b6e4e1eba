import type { ExitCode, Program } from '../program.js';
import { status } from '../../src/api/status.js';
import { UsageError } from '../../src/errors/index.js';
import { cwd, out, printJson } from '../io.js';
import { color, formatBytes } from '../format.js';

const HELP = `
States (the "state" field of --json; its "hint" is the command that fixes it):
  modified    differs from its pointer or mlv.lock       mlv add <path> | mlv repro <stage>
  missing     not in the work tree; the cache has it     mlv checkout <path>
  not pulled  in neither the work tree nor the cache     mlv pull <path>
              (a fresh clone, or the rest of a partial mlv pull <path>)
  not cached  the work tree matches; the cache lacks it  mlv add <path>
  damaged     written in place through a hard link: the  mlv add <path>, then delete the damaged
              cache object changed too                   cache object it names
              (docs/FORMAT.md, "Hard links")

--check exits 1 when data is modified, damaged, missing or not cached, or a stage is stale.
Data that is only not pulled does not count (like files outside a sparse git
checkout): a clone that fetched part of its data has no changes. Add --complete
to fail on it too. In --json, "clean" is what --check tests; "complete" is false
while anything is not pulled. A stage whose deps or outputs are only not pulled is
listed as not pulled, not stale ("reasons" empty, "notPulled" the paths).`;

const LABEL: Record<string, string> = { 'not-pulled': 'not pulled', 'not-cached': 'not cached' };

export function register(program: Program): void {
  program
    .command('status')
    .description('tracked data that is modified, missing, not pulled or not cached; stale pipeline stages')
    .option('--check', 'exit 1 when data is modified, missing or not cached, or a stage is stale (not pulled data does not count)')
    .option('--complete', 'with --check: also exit 1 when tracked data is not pulled')
    .option('-r, --remote [name]', 'compare the cache with a remote instead: what is not pushed, what is not local')
    .option('-a, --all-commits', 'with --remote: what every commit refers to, not only the workspace')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', HELP)
    .action(async (o: { check?: boolean; complete?: boolean; json?: boolean; remote?: string | boolean; allCommits?: boolean }) => {
      if (o.complete && !o.check) throw new UsageError('--complete only applies with --check');
      if (o.remote !== undefined) return showRemote(typeof o.remote === 'string' ? o.remote : undefined, o);
      const r = await status({ cwd: cwd() });
      const code = o.check && (!r.clean || (o.complete && !r.complete)) ? 1 : 0;
      if (o.json) { printJson(r); return code; }
      if (r.clean && r.complete) { out('Data and pipelines are up to date.'); return code; }
      const paint = (s: string) => (s === 'modified' ? color.yellow(s) : s === 'not pulled' ? color.dim(s) : color.red(s));
      const size = (n: { files: number; bytes: number }, kind: string) => (kind === 'dir' ? `${n.files} file(s), ${formatBytes(n.bytes)}` : formatBytes(n.bytes));
      for (const d of r.data) {
        const label = LABEL[d.state] ?? d.state;
        const what = d.state === 'not-pulled' && d.notPulled ? `  ${size(d.notPulled, d.kind)}` : '';
        out(`  ${paint(label.padEnd(10))} ${d.path}${d.stage ? color.dim(` (stage ${d.stage})`) : ''}${what}  ${color.dim(`(${d.hint})`)}`);
        // Damaged files first: their objects are the fix, and they must not hide past the cut.
        const changes = [...d.changes].sort((a, b) => Number(b.change === 'damaged') - Number(a.change === 'damaged'));
        for (const c of changes.slice(0, 20)) out(`      ${c.change.padEnd(8)} ${d.path}/${c.path}${c.object ? `  (cache object ${c.object})` : ''}`);
        if (d.changes.length > 20) out(`      … ${d.changes.length - 20} more`);
        // `mlv add` of a directory records only the files present: the rest would drop out of it.
        if (d.state !== 'not-pulled' && d.notPulled) out(`      and ${size(d.notPulled, 'dir')} not pulled${d.state === 'modified' && !d.recordedIn.endsWith('mlv.lock') ? ' (mlv add keeps them as recorded)' : ''}`);
      }
      for (const s of r.stages) {
        const np = s.notPulled?.length ? `not pulled: ${s.notPulled.join(', ')}` : undefined;
        if (s.reasons.length) out(`  ${color.yellow('stale'.padEnd(10))} stage ${s.stage}: ${[...s.reasons, ...(np ? [np] : [])].join('; ')}`);
        else out(`  ${color.dim('not pulled')} stage ${s.stage}: ${s.notPulled!.join(', ')}  ${color.dim(`(mlv pull ${s.notPulled!.join(' ')})`)}`);
      }
      if (r.clean) out(`No changes; the data not pulled is not in the cache yet (mlv pull fetches it; status --check ignores it without --complete).`);
      return code;
    });
}

async function showRemote(remote: string | undefined, o: { check?: boolean; json?: boolean; allCommits?: boolean }): Promise<ExitCode> {
  // Loaded only for --remote: a plain status does not open remotes.
  const { remoteStatus } = await import('../../src/api/remoteStatus.js');
  const r = await remoteStatus({ cwd: cwd(), remote, allCommits: o.allCommits });
  const code = o.check && !r.clean ? 1 : 0;
  if (o.json) { printJson(r); return code; }
  if (r.clean) { out(`Cache and remote '${r.remote}' hold everything the workspace refers to.`); return code; }
  const section = (title: string, rows: typeof r.notPushed, paint: (s: string) => string, hint: string) => {
    if (!rows.length) return;
    out(`${title} (${hint}):`);
    for (const x of rows) out(`  ${paint(x.path)}${x.kind === 'dir' ? '/' : ''}  ${x.objects} object(s)${x.bytes ? `, ${formatBytes(x.bytes)}` : ''}`);
  };
  section(`Not pushed to '${r.remote}'`, r.notPushed, color.yellow, 'mlv push');
  section('Not in the local cache', r.notLocal, color.yellow, 'mlv pull');
  section(`Neither cached nor on '${r.remote}'`, r.missing, color.red, 'lost unless another copy exists');
  for (const p of r.unknown) out(`  ${color.red(p)}/  directory listing is on neither side; its files are unknown`);
  return code;
}
