/**
 * Queued experiments in the ink app: job rows beneath their baseline with their state,
 * asked for again every `refreshMs` (the cursor stays on its row), the source's notice
 * in the title, and a job's detail view. The rows are those `mlv exp show` gets from
 * src/api/queueRows.ts (tests/integration/queue-show.test.ts runs them against Redis).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import type { VersionJob, VersionRow, VersionSource } from '../../src/compare/types.js';
import { KEY, renderUi, rowNames, rowOf } from './helpers.js';
import { memorySource, smallHistory } from './fixtures.js';

after(() => cleanup());

const base = smallHistory()[0].row;
const job = (state: VersionJob['state'], extra: Partial<VersionJob> = {}): VersionJob => ({
  queue: 'proj', id: 'ab12cd34-1', sweep: 'ab12cd34', state, submitter: 'ann@laptop', submitted: '2024-05-03T12:00:00.000Z', attempts: 0, maxAttempts: 2, ...extra,
});
const STEPS: Array<Pick<VersionRow, 'status' | 'message' | 'metrics'> & { job: VersionJob }> = [
  { status: 'queued', message: 'queued by ann@laptop at 12:00:00', metrics: {}, job: job('waiting') },
  { status: 'running', message: 'running on gpu1:4242 since 12:00:05, stage train running', metrics: {}, job: job('active', { worker: 'gpu1:4242', attempts: 1, progress: { stage: 'train', status: 'start' } }) },
  { status: 'ok', message: 'done on gpu1:4242, not fetched: mlv exp pull origin', metrics: { accuracy: 0.95 }, job: job('completed', { worker: 'gpu1:4242', attempts: 1, fetch: 'mlv exp pull origin' }) },
];

/** The fixture history with one queued job under the newest commit; `advance()` moves the job on a step. */
function queueSource(refreshMs: number): VersionSource & { calls: () => number; advance: () => void } {
  const mem = memorySource(smallHistory());
  let calls = 0;
  let step = 0;
  const row = (i: number): VersionRow => ({
    id: 'job:proj/ab12cd34-1', kind: 'job', rev: base.rev, name: 'q-1', baseline: base.rev, date: '2024-05-03T12:00:00Z',
    params: { ...base.params, 'train.n_estimators': 300 }, ...STEPS[Math.min(i, STEPS.length - 1)],
  });
  return {
    ...mem,
    refreshMs,
    async rows() {
      const rows = await mem.rows();
      calls++;
      return [rows[0], row(step), ...rows.slice(1)];
    },
    async detail(r) { return r.kind === 'job' ? { row: r, artifacts: [], reproCommand: r.job!.fetch ?? `mlv queue logs ${r.job!.id}` } : mem.detail(r); },
    notice: () => `queue 'proj': ${step === 0 ? '1 queued, 0 running' : step === 1 ? '0 queued, 1 running' : '1 done, not fetched'}`,
    calls: () => calls,
    advance: () => { step++; },
  };
}

test('a queued job is a row beneath its baseline with its state; refreshed, it shows its worker, then that it is done and how to fetch it', async () => {
  const source = queueSource(100);
  const ui = await renderUi(source, { columns: 160, rows: 30 });
  let f = ui.frame();
  assert.deepEqual(rowNames(f).slice(0, 3), ['b6e6223', 'q-1', 'exp-trees-200']);
  assert.match(rowOf(f, 'q-1'), /├ q-1 …\s+05-03 12:00\s+queued by ann@laptop at/);
  assert.match(f, /7 versions \(3 commits, 3 exps, 1 job\)\s+queue 'proj': 1 queued, 0 running/);
  await ui.press(KEY.down);
  assert.match(ui.frame(), /2\/7\s*$/m, 'the cursor on q-1');

  source.advance();
  f = await ui.waitFor((x) => /running on gpu1:4242/.test(x), 'the running state after a refresh');
  assert.match(rowOf(f, 'q-1'), /├ q-1 ▶\s+05-03 12:00\s+running on gpu1:4242/);
  assert.match(f, /queue 'proj': 0 queued, 1 running/);
  assert.match(f, /2\/7\s*$/m, 'the cursor stayed on q-1');

  source.advance();
  f = await ui.waitFor((x) => /q-1 ↓/.test(x), 'the done state');
  assert.match(rowOf(f, 'q-1'), /├ q-1 ↓\s+05-03 12:00\s+done on gpu1:4242/);
  assert.match(f, /queue 'proj': 1 done, not fetched/);

  await ui.press(KEY.enter);
  f = await ui.waitFor((x) => /fetch: mlv exp pull origin/.test(x), 'the detail view');
  assert.match(f, /q-1 \(queued job ab12cd34-1 on b6e6223\)/);
  assert.match(f, /done on gpu1:4242, not fetched: mlv exp pull origin/);
  assert.match(f, /queued by ann@laptop at 2024-05-03T12:00:00.000Z; sweep ab12cd34; runs 1\/2; worker gpu1:4242/);
  assert.doesNotMatch(f, /rebuild:/);
  ui.quit();
  const n = source.calls();
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(source.calls(), n, 'no refresh after the app is gone');
});

test('a source without refreshMs is read once', async () => {
  const mem = memorySource(smallHistory());
  const ui = await renderUi(mem);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(mem.calls.rows, 1);
  assert.doesNotMatch(ui.frame(), /job/);
  ui.quit();
});
