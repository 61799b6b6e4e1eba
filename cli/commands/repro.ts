import type { ExitCode, Program } from '../program.js';
import { withInterrupt } from '../interrupt.js';
import { count, number } from '../options.js';
import type { StageEvent } from '../../src/api/repro.js';
import type { VerifyResult } from '../../src/api/repro.js';
import { UsageError } from '../../src/errors/index.js';
import { cwd, lockWaitLine, err, out, printJson } from '../io.js';
import { color, table } from '../format.js';

interface Opts { force?: boolean; jobs: number; runCache?: boolean; rev?: string; tolerance?: number; json?: boolean; quiet?: boolean }

export function register(program: Program): void {
  program
    .command('repro')
    .description('run stale pipeline stages in dependency order and record mlv.lock; with --rev, verify that a past commit rebuilds to the same bytes and metrics')
    .argument('[stages...]', 'stages to bring up to date (and their upstream); default all')
    .option('-f, --force', 'run the stages even if nothing changed')
    .option('-j, --jobs <n>', 'run up to n independent stages in parallel', count('--jobs'), 1)
    .option('--no-run-cache', 'always run; never restore outputs of an identical earlier run')
    .option('--rev <rev>', 'rebuild that commit in a temporary worktree and compare with its mlv.lock')
    .option('--tolerance <x>', 'relative tolerance for metrics with --rev (default 1e-9)', number('--tolerance'))
    .option('-q, --quiet', "don't show the stages' own output")
    .option('--json', 'print the result as JSON')
    .action(async (stages: string[], o: Opts) => {
      if (o.rev !== undefined && stages.length) throw new UsageError('repro --rev rebuilds the whole pipeline of that commit; drop the stage names');
      if (o.rev === undefined && o.tolerance !== undefined) throw new UsageError('--tolerance applies to repro --rev');
      // Loaded on use: `mlv <other command>` does not pay for the pipeline modules.
      const { repro, reproRev } = await import('../../src/api/repro.js');
      const onStage = (e: StageEvent) => {
        if (e.status === 'start') err(`Running stage '${e.stage}'${e.message ? color.dim(` (${e.message})`) : ''}`);
        else if (e.status === 'cached') err(`Stage '${e.stage}' restored from the run cache`);
        else if (e.status === 'up-to-date' && !o.json) err(`Stage '${e.stage}' is up to date${e.message ? ` (${e.message})` : ''}`);
      };
      const onOutput = o.quiet ? undefined : (_s: string, chunk: Buffer) => { process.stderr.write(chunk); };
      const run = async (signal: AbortSignal): Promise<ExitCode> => {
        if (o.rev !== undefined) {
          const r = await reproRev({ cwd: cwd(), rev: o.rev, tolerance: o.tolerance, jobs: o.jobs, signal, onStage, onOutput });
          const code = report(r, Boolean(o.json));
          if (r.noteError) err(`mlv: note: the outcome was not recorded in refs/notes/mlv-repro: ${r.noteError}`);
          return code;
        }
        const r = await repro({ cwd: cwd(), onLockWait: lockWaitLine, stages, force: o.force, jobs: o.jobs, runCache: o.runCache, signal, onStage, onOutput });
        if (o.json) return printJson({ ran: r.ran, cached: r.cached, upToDate: r.upToDate });
        if (r.ran.length === 0 && r.cached.length === 0) out('Everything is up to date.');
        else out(`Ran ${r.ran.length} stage(s)${r.cached.length ? `, restored ${r.cached.length} from the run cache` : ''}; mlv.lock updated.`);
      };
      return withInterrupt({ stopping: 'stopping the running stages…' }, (signal) => run(signal).catch((e) => {
        if (!signal.aborted) throw e;
        err('mlv: interrupted; mlv.lock and the outputs of the stopped stage were left as they were');
        return 130;
      }));
    });
}

const short = (v: string | number | null, kind: string) =>
  v === null ? '—' : typeof v === 'number' ? String(v) : kind === 'out' ? v.slice(0, 12) : v;

function report(r: VerifyResult, json: boolean): ExitCode {
  const bad = r.rows.filter((x) => !x.match);
  if (json) printJson({ rev: r.rev, commit: r.commit, match: r.match, rows: r.rows, envDiffers: r.envDiffers, seconds: r.seconds });
  else {
    out(table(['stage', 'artifact / metric', 'recorded', 'rebuilt', 'match'], r.rows.map((x) => [
      x.stage, x.name, short(x.recorded, x.kind), short(x.rebuilt, x.kind), x.match ? color.green(x.added ? 'yes*' : 'yes') : color.red('NO'),
    ])));
    const later = r.rows.filter((x) => x.added);
    if (later.length) out(`\n* what was recorded rebuilt equal; this mlv also writes what that commit's did not: ${later.map((x) => (x.kind === 'out' ? `${x.name} (${x.added!.join(', ')})` : x.name)).join(', ')}`);
    if (r.match) out(`\n${r.rev} (${r.commit.slice(0, 12)}) reproduces: ${r.rows.length} output(s) and metric(s) match.`);
  }
  if (!r.match) {
    const names = bad.slice(0, 5).map((x) => `${x.name} (stage ${x.stage}${x.kind === 'metric' ? `: ${x.recorded} → ${x.rebuilt}` : ''})`).join(', ');
    err(`mlv: ${r.rev} does not reproduce: ${bad.length} of ${r.rows.length} differ: ${names}${bad.length > 5 ? ', …' : ''}`);
  }
  if (r.envDiffers.length && (!r.match || !json)) {
    const envs = [...new Map(r.envDiffers.map((e) => [e.key, e])).values()].map((e) => `${e.key} ${e.recorded ?? '—'} → ${e.now ?? '—'}`).join(', ');
    err(`mlv: note: the environment differs from the one recorded: ${envs}`);
  }
  return r.match ? 0 : 1;
}
