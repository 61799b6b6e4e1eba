/**
 * `mlv exp …` — experiments as commits on refs/mlv/exps (src/experiments/).
 */
import { Option } from 'commander';
import type { ExitCode, Program } from '../program.js';
import { onSignals, withInterrupt, type InterruptOptions } from '../interrupt.js';
import { count } from '../options.js';
import { describePoint, removeLiveWorktreesSync, type ExpEvent, type ExpResult, type ExpRunResult } from '../../src/api/expRun.js';
import type { ExpShowResult, ExpShowRow } from '../../src/api/expShow.js';
import { UsageError } from '../../src/errors/index.js';
import { defaultSearchText, parseBudget, type CostAxis } from '../../src/api/expSearch.js';
import { cwd, err, out, printJson } from '../io.js';
import { color, formatBytes, formatDelta, formatNumber, formatValue, PARAM, shortDate, table } from '../format.js';

// The library is loaded when a subcommand runs, so other commands do not pay for it.
const expApply: typeof import('../../src/api/expApply.js').expApply = async (o) => (await import('../../src/api/expApply.js')).expApply(o);
const expBest: typeof import('../../src/api/expBest.js').expBest = async (o) => (await import('../../src/api/expBest.js')).expBest(o);
const expBranch: typeof import('../../src/api/expBranch.js').expBranch = async (o) => (await import('../../src/api/expBranch.js')).expBranch(o);
const expDiff: typeof import('../../src/api/expDiff.js').expDiff = async (o) => (await import('../../src/api/expDiff.js')).expDiff(o);
const expPull: typeof import('../../src/api/expPull.js').expPull = async (o) => (await import('../../src/api/expPull.js')).expPull(o);
const expPush: typeof import('../../src/api/expPush.js').expPush = async (o) => (await import('../../src/api/expPush.js')).expPush(o);
const expRemove: typeof import('../../src/api/expRemove.js').expRemove = async (o) => (await import('../../src/api/expRemove.js')).expRemove(o);
const expRun: typeof import('../../src/api/expRun.js').expRun = async (o) => (await import('../../src/api/expRun.js')).expRun(o);
const expSearch: typeof import('../../src/api/expSearch.js').expSearch = async (o) => (await import('../../src/api/expSearch.js')).expSearch(o);
const expShow: typeof import('../../src/api/expShow.js').expShow = async (o) => (await import('../../src/api/expShow.js')).expShow(o);

const collect = (v: string, acc: string[]) => [...acc, v];
const collectList = (v: string, acc: string[]) => [...acc, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function register(program: Program): void {
  const exp = program.command('exp').description('experiments: pipeline runs with changed params, kept as commits on refs/mlv/exps');

  exp.command('run')
    .description('run the pipeline with params overridden, in isolated worktrees; each run becomes an experiment commit')
    .option('-S, --set-param <key=value>', 'override a param: key=v, file.yaml:key=v; a,b,c makes a grid; range(lo,hi[,log]) with --random (repeatable)', collect, [])
    .option('-n, --name <name>', 'name of the experiment (a sweep gets <name>-1, <name>-2, …)')
    .option('-m, --message <text>', 'commit message of the experiment commits')
    .option('-j, --jobs <N>', 'runs at once, each in its own worktree', count('--jobs'), 1)
    .option('--random <N>', 'sample N points instead of the full grid', count('--random'))
    .option('--seed <N>', 'seed of --random sampling', count('--seed'), 0)
    .option('--queue', 'queue each run for mlv worker (queue: in .mlv/config) instead of running it here')
    .option('--wait', 'with --queue: follow the jobs and print the results as a local sweep does')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print the results as JSON')
    .action(async (o: { setParam: string[]; name?: string; message?: string; jobs: number; random?: number; seed: number; queue?: boolean; wait?: boolean; quiet?: boolean; json?: boolean }) => {
      if (o.wait && !o.queue) throw new UsageError('--wait goes with --queue');
      if (o.queue) return runQueued(o);
      const r = await withInterrupt(STOP_RUNS, (signal) => expRun({
        cwd: cwd(), set: o.setParam, name: o.name, message: o.message, jobs: o.jobs, random: o.random, seed: o.seed, signal,
        onEvent: o.quiet ? undefined : progress,
      }));
      if (o.json) printJson(r);
      else out(renderRun(r));
      return runCode(r);
    });

  exp.command('show')
    .description('baseline commits and their experiments: params, metrics and deltas against the baseline')
    .option('-n, --num <N>', 'commits of the current branch to show', count('-n'), 10)
    .option('--sort-by <key>', 'sort every row by a metric (best first) or a param')
    .addOption(new Option('--asc', 'sort ascending (default: best first)').conflicts('desc'))
    .addOption(new Option('--desc', 'sort descending (default: best first)').conflicts('asc'))
    .option('--only-changed', 'only params and metrics that differ between rows')
    .option('--metrics <globs>', "only these metric columns: globs on file:key or key, comma-separated or repeated ('acc*,eval.json:*', 'cost.*')", collectList, [])
    .option('--params <globs>', "only these param columns ('train.*')", collectList, [])
    .option('--json', 'print the table as JSON (every column unless --metrics/--params)')
    .action(async (o: { num: number; sortBy?: string; asc?: boolean; desc?: boolean; onlyChanged?: boolean; metrics: string[]; params: string[]; json?: boolean }) => {
      const r = await expShow({
        cwd: cwd(), commits: o.num, sortBy: o.sortBy, onlyChanged: o.onlyChanged, descending: o.asc ? false : o.desc ? true : undefined,
        metrics: o.metrics, params: o.params, columns: o.json ? 'all' : 'default', queue: { env: process.env },
      });
      for (const w of r.warnings ?? []) err(`mlv: warning: ${w}`);
      if (o.json) return printJson(r);
      out(renderShow(r));
      if (r.hidden?.length) err(color.dim(`${r.hidden.length} cost column(s) not shown (${r.hidden.slice(0, 3).join(', ')}${r.hidden.length > 3 ? ', …' : ''}); --metrics 'cost.*' shows them`));
    });

  exp.command('diff')
    .description('params, metrics and artifacts that differ between two experiments (or commits)')
    .argument('<a>').argument('<b>')
    .option('--json', 'print the result as JSON')
    .action(async (a: string, b: string, o: { json?: boolean }) => {
      const r = await expDiff({ cwd: cwd(), a, b });
      if (o.json) return printJson(r);
      const lines: string[] = [color.bold(`${a} (${r.aRev.slice(0, 7)}) → ${b} (${r.bRev.slice(0, 7)})`)];
      if (r.params.length) lines.push(color.bold('Params'), ...r.params.map((p) => `  ${p.key}: ${formatValue(p.a, PARAM)} → ${formatValue(p.b, PARAM)}`));
      if (r.metrics.length) lines.push(color.bold('Metrics'), ...r.metrics.map((m) => `  ${m.key}: ${formatNumber(m.a)} → ${formatNumber(m.b)}${m.delta !== undefined ? `  (${formatDelta(m.delta)})` : ''}`));
      if (r.artifacts.length) lines.push(color.bold('Artifacts'), ...r.artifacts.map((x) => `  ${x.change.padEnd(8)} ${x.path}  ${x.change === 'modified' ? `${formatBytes(x.oldSize ?? 0)} → ${formatBytes(x.newSize ?? 0)}` : formatBytes((x.oldSize ?? x.newSize) ?? 0)}`));
      if (lines.length === 1) lines.push('No differences.');
      out(lines.join('\n'));
    });

  exp.command('apply')
    .description("bring an experiment's params, lock, metrics and data into the workspace (HEAD and the index stay); a search trial's algorithm and hyperparameters go into the train stage's params section")
    .argument('<name>')
    .option('-f, --force', 'overwrite uncommitted changes')
    .option('--stage <name>', "search trials: the stage whose --params-section takes the trial (default: the one running mlv train --params-section)")
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { force?: boolean; stage?: string; json?: boolean }) => {
      const r = await expApply({ cwd: cwd(), exp: name, force: o.force, stage: o.stage });
      if (r.trial) for (const w of r.trial.warnings) err(`mlv: warning: ${w}`);
      if (o.json) return printJson(r);
      if (r.trial) {
        const t = r.trial;
        const score = Object.entries(t.scores).map(([k, v]) => `${k}=${formatNumber(v)}`).join(' ');
        out(`Applied search trial ${r.exp}: ${t.algorithm} ${describePoint(t.params as Parameters<typeof describePoint>[0])} into ${t.file}, section ${t.section} (read by stage '${t.stage}'; ${t.validation}, seed ${t.seed}).\nmlv repro rebuilds the model; its cross-validated score should be the trial's: ${score}.\nCommit the changes to keep them (git commit -am ...).`);
        return;
      }
      out(`Applied ${r.exp} (${r.commit.slice(0, 7)}): ${r.files.length} file(s), data of ${r.data.changed.length} path(s) updated.\nCommit the changes to keep them (git commit -am ...), or mlv exp branch ${r.exp} <branch>.`);
    });

  exp.command('branch')
    .description('make a git branch of an experiment')
    .argument('<name>').argument('<branch>')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, branch: string, o: { json?: boolean }) => {
      const r = await expBranch({ cwd: cwd(), exp: name, branch });
      if (o.json) return printJson(r);
      out(`Branch ${r.branch} now points at experiment ${r.exp} (${r.commit.slice(0, 7)}).`);
    });

  exp.command('remove')
    .alias('rm')
    .description('delete experiments')
    .argument('[names...]')
    .option('-A, --all', 'every experiment')
    .option('--json', 'print the result as JSON')
    .action(async (names: string[], o: { all?: boolean; json?: boolean }) => {
      const r = await expRemove({ cwd: cwd(), names, all: o.all });
      if (o.json) return printJson(r);
      out(`Removed ${r.removed.length} experiment(s)${r.removed.length && r.removed.length <= 10 ? ': ' + r.removed.map((x) => x.name).join(', ') : ''}.`);
    });

  exp.command('push')
    .description('send experiments to a git remote, and their data to the mlv remote')
    .argument('<git-remote>')
    .option('-r, --remote <name>', 'mlv remote for the data (default: the default remote)')
    .option('-f, --force', 'replace experiment refs that differ on the git remote')
    .option('--json', 'print the result as JSON')
    .action(async (gitRemote: string, o: { remote?: string; force?: boolean; json?: boolean }) => {
      const r = await expPush({ cwd: cwd(), gitRemote, remote: o.remote, force: o.force });
      if (o.json) return printJson(r);
      out(`Pushed ${r.refs} experiment ref(s) to ${gitRemote}${r.objects ? `; ${r.objects.transferred} object(s) to '${r.objects.remote}' (${r.objects.skipped} already there)` : '; no mlv remote configured, data not pushed'}.`);
    });

  exp.command('pull')
    .description('fetch experiments from a git remote, and their data from the mlv remote')
    .argument('<git-remote>')
    .option('-f, --force', 'replace local experiment refs that differ')
    .option('--json', 'print the result as JSON')
    .action(async (gitRemote: string, o: { force?: boolean; json?: boolean }) => {
      const r = await expPull({ cwd: cwd(), gitRemote, force: o.force });
      if (o.json) return printJson(r);
      out(`${r.refs} experiment(s) known; ${r.transferred} object(s) pulled${r.missing ? `; ${r.missing} object(s) still missing` : ''}.`);
      if (r.warning) err(`mlv: warning: ${r.warning}`);
    });

  exp.command('best')
    .description('the successful experiment with the best value of a metric')
    .requiredOption('--metric <name>', 'metric key (a unique suffix such as accuracy is enough)')
    .option('--max', 'higher is better')
    .option('--min', 'lower is better')
    .option('--json', 'print the result as JSON')
    .action(async (o: { metric: string; max?: boolean; min?: boolean; json?: boolean }) => {
      if (o.max && o.min) throw new UsageError('--max and --min exclude each other');
      const r = await expBest({ cwd: cwd(), metric: o.metric, direction: o.max ? 'max' : o.min ? 'min' : undefined });
      if (o.json) return printJson(r);
      const changed = Object.entries(r.best.overrides ?? {}).map(([k, v]) => `${k}=${formatValue(v, PARAM)}`).join(' ');
      out(`${r.best.name}  ${r.metric}=${formatNumber(r.value)} (${r.direction}, of ${r.considered})${changed ? '  ' + changed : ''}\n  ${r.best.ref}`);
      if (r.tied.length) out(`  tied with ${r.tied.slice(0, 5).join(', ')}${r.tied.length > 5 ? ` and ${r.tied.length - 5} more` : ''}`);
    });

  exp.command('search')
    .description('AutoML: try every algorithm for the task and its hyperparameters with mlv train; each trial is an experiment')
    .requiredOption('--data <csv>', 'training data (CSV)')
    .requiredOption('--target <col>', 'column to predict')
    .option('--task <task>', 'classification | regression (default: inferred)')
    .option('--algorithms <list>', `comma list (default: ${defaultSearchText()})`)
    .option('--trials <N>', 'random trials per algorithm (default: its small grid)', count('--trials'))
    .option('--validation <scheme>', 'kfold:N or holdout:F', 'kfold:5')
    .option('--metric <name>', 'what to optimise (default: accuracy or r2)')
    .option('--seed <N>', 'seed of sampling and training', count('--seed'), 0)
    .option('--budget <time>', 'start no trial after this long (90s, 10m, 1h); the running one finishes')
    .option('--cost <axis>', 'cost axis of the Pareto front: train_seconds | model_bytes | n_features', 'train_seconds')
    .option('--top <N>', 'leaderboard rows to print', count('--top'), 10)
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print the result as JSON')
    .action(async (o: { data: string; target: string; task?: string; algorithms?: string; trials?: number; validation: string; metric?: string; seed: number; budget?: string; cost: string; top: number; quiet?: boolean; json?: boolean }) => {
      const budgetSeconds = o.budget === undefined ? undefined : parseBudget(o.budget);
      const r = await withInterrupt(STOP_RUNS, (signal) => expSearch({
        cwd: cwd(), data: o.data, target: o.target, task: o.task as 'classification' | 'regression' | undefined,
        algorithms: o.algorithms?.split(',').map((s) => s.trim()).filter(Boolean), trials: o.trials, validation: o.validation,
        metric: o.metric, seed: o.seed, budgetSeconds, cost: o.cost as CostAxis, signal,
        onSkipped: (s) => err(`mlv: not searching ${s.algorithms.join(', ')}: ${s.reason}, and they refuse missing values (impute them with mlv featurize, or name them with --algorithms to try anyway)`),
        onTrial: o.quiet ? undefined : (t) => err(`${t.status === 'ok' ? color.green('✓') : color.red('✗')} ${t.name}  ${t.algorithm} ${describePoint(t.params)}  ${t.score !== undefined ? `${t.metric}=${formatNumber(t.score)}  ${t.cost!.train_seconds.toFixed(3)} s` : t.error ?? ''}`),
      }));
      if (r.budget && !o.quiet) err(`mlv: budget ${o.budget} used: ${r.trials.length} of ${r.planned} trials ran, ${r.budget.notStarted} not started`);
      if (o.json) return printJson(r);
      if (!r.best) {
        const first = r.trials.find((t) => t.error);
        out(first ? `No trial succeeded; ${first.name} (${first.algorithm}) failed with: ${first.error}` : 'No trial succeeded.');
        return 1;
      }
      const shown = r.leaderboard.slice(0, Math.max(0, o.top));
      const rows = shown.map((t) => [t.name, t.algorithm, describePoint(t.params), formatNumber(t.score), t.std !== undefined ? formatNumber(t.std) : '', t.cost!.train_seconds.toFixed(3), formatBytes(t.cost!.model_bytes), String(t.cost!.n_features), t.pareto ? '*' : '']);
      out(table(['Trial', 'Algorithm', 'Params', r.metric, '± std', 'train s', 'model', 'features', 'pareto'], rows));
      const failed = r.trials.length - r.leaderboard.length;
      const notes = [
        shown.length < r.trials.length ? `${shown.length} of ${r.trials.length} trials shown (${r.leaderboard.length} ok${failed ? `, ${failed} failed` : ''}; --top N, --json or mlv exp show for all)` : undefined,
        r.budget ? `the budget (${o.budget}) stopped the search: ${r.budget.notStarted} of ${r.planned} planned trials not started` : undefined,
      ].filter(Boolean);
      if (notes.length) out(notes.join('\n'));
      out(`Pareto front (${r.metric} against ${r.cost}, * above): ${r.pareto.join(', ')}`);
      out(`\nBest: ${r.best.algorithm} ${describePoint(r.best.params)}  ${r.metric}=${formatNumber(r.best.score)}  (experiment ${r.best.name}; mlv exp apply ${r.best.name} writes it into the train stage's params)`);
    });
}

/** `exp run --queue [--wait]`: jobs instead of runs (src/api/queueSubmit.ts, queueWait.ts). */
async function runQueued(o: { setParam: string[]; name?: string; message?: string; random?: number; seed: number; wait?: boolean; quiet?: boolean; json?: boolean }): Promise<ExitCode> {
  const { queueSubmit } = await import('../../src/api/queueSubmit.js');
  const q = await queueSubmit({ cwd: cwd(), env: process.env, set: o.setParam, name: o.name, message: o.message, random: o.random, seed: o.seed });
  for (const w of q.warnings) err(`mlv: warning: ${w}`);
  if (!o.wait) {
    if (o.json) return printJson(q);
    out(`Queued ${q.jobs.length} experiment(s) on '${q.queue}' (${q.where}), sweep ${q.sweep}, baseline ${q.baseline.slice(0, 7)}:`);
    out(table(['Job', 'Experiment', 'Params'], q.jobs.map((j) => [j.id, j.name, describePoint(j.point)])));
    out(`Run mlv worker in any clone; follow with mlv queue status --sweep ${q.sweep}.`);
    return;
  }
  if (!o.quiet) err(`mlv: queued ${q.jobs.length} experiment(s) on '${q.queue}' (${q.where}), sweep ${q.sweep}; waiting for workers`);
  const { queueWait } = await import('../../src/api/queueWait.js');
  // Ctrl-C stops following, not the jobs: they stay queued for the workers.
  const ctl = new AbortController();
  const r = await onSignals((_sig, count) => {
    if (count > 1) process.exit(130);
    err(`mlv: stopped waiting; the jobs stay queued (mlv queue status --sweep ${q.sweep})`);
    ctl.abort();
  }, () => queueWait({
    cwd: cwd(), env: process.env, baseline: q.baseline, jobs: q.jobs.map((j) => j.id), signal: ctl.signal,
    onChange: o.quiet ? undefined : (row) => {
      if (row.state === 'active') err(`${color.dim('▶')} ${row.name}  on ${row.worker ?? '?'}${row.attempts > 1 ? `  (run ${row.attempts})` : ''}`);
      else if (row.state === 'completed') err(`${color.green('✓')} ${row.name}  ok  (${row.result?.seconds.toFixed(1) ?? '?'} s on ${row.result?.host ?? '?'})`);
      else if (row.state === 'failed') err(`${color.red('✗')} ${row.name}  failed: ${(row.error ?? '').split('\n')[0]}`);
    },
  }), { signals: ['SIGINT'] });
  if (ctl.signal.aborted) return 130;
  if (o.json) printJson({ ...r, queue: q.queue, sweep: q.sweep, jobs: q.jobs });
  else out(renderRun(r));
  return runCode(r);
}

/** A sweep's exit code: 130 when runs were cancelled, 1 when one failed. */
const runCode = (r: ExpRunResult): number => (r.cancelled ? 130 : r.failed ? 1 : 0);

/** SIGINT/SIGTERM: abort (running stages are stopped, worktrees removed); a second signal removes worktrees at once and exits. */
const STOP_RUNS: InterruptOptions = {
  stopping: 'stopping; unfinished runs are not recorded (again to exit at once)',
  again: () => { removeLiveWorktreesSync(); process.exit(130); },
  cleanup: removeLiveWorktreesSync,
};

function progress(e: ExpEvent): void {
  if (e.type === 'start') err(`${color.dim('▶')} ${e.name}  ${describePoint(e.point)}`);
  else if (e.type === 'stage' && e.event.status === 'failed') err(`  ${e.name}: stage ${e.event.stage} failed${e.event.message ? ': ' + e.event.message.split('\n')[0] : ''}`);
  else if (e.type === 'done') {
    const r = e.result;
    const mark = r.status === 'ok' ? color.green('✓') : r.status === 'failed' ? color.red('✗') : color.yellow('–');
    err(`${mark} ${r.name}  ${r.status}${r.error && r.status === 'failed' ? ': ' + r.error.split('\n')[0] : ''}  (${r.seconds.toFixed(1)} s)`);
    // The command's own last words say why it failed; the first line only says that it did.
    if (r.status === 'failed' && r.error) {
      const tail = r.error.split('\n').slice(1).filter((l) => l.trim() && !l.startsWith('---')).slice(-3);
      for (const l of tail) err(`    ${l}`);
    }
  }
}

function renderRun(r: ExpRunResult): string {
  const metricKeys = [...new Set(r.results.flatMap((x) => Object.keys(x.metrics)))].sort().slice(0, 6);
  const rows = r.results.map((x: ExpResult) => [
    x.name,
    x.status === 'ok' ? color.green('ok') : x.status === 'failed' ? color.red('failed') : color.yellow('cancelled'),
    describePoint(x.params),
    ...metricKeys.map((k) => formatNumber(x.metrics[k])),
  ]);
  const summary = `${r.ok} ok, ${r.failed} failed${r.cancelled ? `, ${r.cancelled} cancelled` : ''} (baseline ${r.baseline.slice(0, 7)}). See mlv exp show.`;
  return `${table(['Experiment', 'Status', 'Params', ...metricKeys], rows)}\n${summary}`;
}

const JOB_COLOR: Record<string, (s: string) => string> = { running: color.yellow, failed: color.red, ok: color.green, queued: color.dim };

export function renderShow(r: ExpShowResult): string {
  if (r.rows.length === 0) return 'No commits yet.';
  const sorted = Boolean(r.sortBy);
  // A State column only when the queue has rows: the table is otherwise as it always was.
  const jobs = r.rows.some((row) => row.kind === 'job');
  const rowsOut: string[][] = [];
  let commit: string | undefined;
  r.rows.forEach((row, i) => {
    const next = r.rows[i + 1];
    let name: string;
    if (row.kind === 'commit') {
      commit = row.rev;
      name = color.bold(row.name) + (row.rev === r.head ? color.dim(' (HEAD)') : '');
    } else if (sorted || row.baseline !== commit) name = `${row.name} ${color.dim(`@${row.baseline!.slice(0, 7)}`)}`;
    else name = `${next && next.kind !== 'commit' && next.baseline === row.baseline ? '├─' : '└─'} ${row.name}`;
    const status = row.kind === 'exp' && row.status === 'failed' ? color.red(' ✗') : '';
    const params = r.params.map((k) => {
      const v = row.params[k];
      const s = v === undefined ? '-' : formatValue(v, PARAM);
      return row.kind !== 'commit' && (row as ExpShowRow).changedParams?.includes(k) ? color.yellow(s) : s;
    });
    const metrics = r.metrics.map((k) => {
      const v = row.metrics[k];
      if (v === undefined) return '-';
      const d = (row as ExpShowRow).deltas?.[k];
      return d === undefined || d === 0 ? formatNumber(v) : `${formatNumber(v)} ${color.dim(`(${formatDelta(d)})`)}`;
    });
    const state = row.kind === 'job' ? [(JOB_COLOR[row.status ?? ''] ?? String)(row.message)] : jobs ? [''] : [];
    rowsOut.push([name + status, shortDate(row.date), ...state, ...params, ...metrics]);
  });
  return table(['Experiment', 'Created', ...(jobs ? ['State'] : []), ...r.params, ...r.metrics], rowsOut);
}
