/**
 * `mlv worker` — take experiments from the queue (src/api/queueWorker.ts) and run them
 * in this clone. Ctrl-C once: finish the current job(s), then stop. Twice: stop them and
 * hand the jobs back to the queue. Three times: exit at once.
 */
import type { Program } from '../program.js';
import { onSignals } from '../interrupt.js';
import { count } from '../options.js';
import { describePoint, removeLiveWorktreesSync } from '../../src/api/expRun.js';
import type { WorkerEvent } from '../../src/api/queueWorker.js';
import { cwd, err, printJson } from '../io.js';
import { color } from '../format.js';

export function register(program: Program): void {
  program.command('worker')
    .description('run queued experiments (mlv exp run --queue) in this clone; results go to the git and mlv remotes')
    .option('-c, --concurrency <N>', 'experiments at once, each in its own worktree', count('--concurrency'), 1)
    .option('--exit-when-idle', 'stop once the queue has nothing waiting or running')
    .option('--max-jobs <N>', 'stop after taking N jobs', count('--max-jobs'))
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print a summary as JSON when the worker stops')
    .action(async (o: { concurrency: number; exitWhenIdle?: boolean; maxJobs?: number; quiet?: boolean; json?: boolean }) => {
      const { queueWorker } = await import('../../src/api/queueWorker.js');
      const stop = new AbortController();
      const handBack = new AbortController();
      const onSignal = (sig: NodeJS.Signals, count: number) => {
        if (count === 1) { err(`mlv worker: ${sig}: finishing the current job(s), then stopping (again to hand them back to the queue)`); stop.abort(); return; }
        if (count === 2) { err(`mlv worker: ${sig}: handing the current job(s) back to the queue (again to exit at once)`); handBack.abort(); return; }
        removeLiveWorktreesSync();
        process.exit(130);
      };
      const r = await onSignals(onSignal, () => queueWorker({
        cwd: cwd(), env: process.env, concurrency: o.concurrency, exitWhenIdle: o.exitWhenIdle, maxJobs: o.maxJobs,
        stop: stop.signal, handBack: handBack.signal, onEvent: o.quiet ? quietEvent : progress,
      }), { cleanup: removeLiveWorktreesSync });
      if (o.json) printJson(r);
      else if (!o.quiet) err(`mlv worker: stopped: ${r.ok} ok, ${r.failed} failed${r.handedBack ? `, ${r.handedBack} handed back` : ''}`);
      return r.handedBack ? 130 : 0;
    });
}

function quietEvent(e: WorkerEvent): void {
  if (e.type === 'warning' || e.type === 'error') err(`mlv worker: ${e.message}`);
}

function progress(e: WorkerEvent): void {
  switch (e.type) {
    case 'ready': err(`mlv worker ${e.worker}: waiting for jobs on queue '${e.queue}' (${e.where})`); break;
    case 'warning': case 'error': err(`mlv worker: ${e.message}`); break;
    case 'start': err(`${color.dim('▶')} job ${e.job}: ${e.data.name}  ${describePoint(e.data.point)}${e.attempt > 1 ? `  (attempt ${e.attempt})` : ''}`); break;
    case 'done': {
      const r = e.result;
      err(`${color.green('✓')} job ${e.job}: ${r.name}  ${r.reused ? 'already pushed by an earlier attempt' : `${r.seconds.toFixed(1)} s`}  → ${r.ref.slice(0, 24)}…/${r.name}`);
      break;
    }
    case 'failed': err(`${color.red('✗')} job ${e.job}: ${e.name}  ${e.error.split('\n')[0]}${e.final ? '' : '  (will be retried)'}`); break;
    case 'handed-back': err(`${color.yellow('–')} job ${e.job}: ${e.name}  handed back to the queue`); break;
  }
}
