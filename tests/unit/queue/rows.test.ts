/**
 * Where the queue's job rows go among commits and experiments, how `exp show` names a
 * job whose baseline is not shown, and the words of each state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VersionJob, VersionRow } from '../../../src/compare/types.js';
import { describeJob, placeQueueRows } from '../../../src/api/queueRows.js';
import { renderShow } from '../../../cli/commands/exp.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const row = (kind: VersionRow['kind'], name: string, rev: string, baseline?: string): VersionRow => ({
  id: kind === 'job' ? `job:p/${name}` : kind === 'exp' ? `refs/mlv/exps/${baseline}/${name}` : rev,
  kind, rev, name, ...(baseline ? { baseline } : {}), date: '2026-12-02T10:00:00Z', message: kind === 'job' ? `state of ${name}` : '', params: {}, metrics: {},
  ...(kind === 'job' ? { status: 'queued' as const } : {}),
});

test('job rows go right beneath their baseline, before its experiments; a baseline not shown puts them last', () => {
  const rows = [row('commit', 'main', A), row('exp', 'e1', 'e'.repeat(40), A), row('commit', 'old', B)];
  const jobs = [row('job', 'j1', A, A), row('job', 'j2', C, C), row('job', 'j3', B, B), row('job', 'j4', A, A)];
  assert.deepEqual(placeQueueRows(rows, jobs).map((r) => r.name), ['main', 'j1', 'j4', 'e1', 'old', 'j3', 'j2']);
  assert.equal(placeQueueRows(rows, []), rows);
});

test('exp show: a State column only with job rows; a job under its baseline is in the tree, one whose baseline is not shown is name @baseline', () => {
  const plain = renderShow({ head: A, params: [], metrics: [], rows: [row('commit', 'main', A)] });
  assert.doesNotMatch(plain, /State/);
  const out = renderShow({ head: A, params: [], metrics: [], rows: [row('commit', 'main', A), row('job', 'j1', A, A), row('job', 'j2', C, C)] });
  const lines = out.split('\n');
  assert.match(lines[0], /^Experiment\s+Created\s+State$/);
  assert.match(lines[2], /^└─ j1\s+2026-12-02 10:00\s+state of j1$/);
  assert.match(lines[3], /^j2 @ccccccc\s+2026-12-02 10:00\s+state of j2$/);
});

const job = (state: VersionJob['state'], extra: Partial<VersionJob> = {}): VersionJob => ({
  queue: 'p', id: 's-1', sweep: 's', state, submitter: 'ann@box', submitted: '2026-12-02T10:00:00.000Z', attempts: 0, maxAttempts: 2, ...extra,
});
const local = (iso: string) => new Date(iso).toTimeString().slice(0, 8);

test('each state in words: who queued it, which worker runs it and in which stage, why it failed, how to fetch it', () => {
  assert.equal(describeJob(job('waiting')), `queued by ann@box at ${local('2026-12-02T10:00:00.000Z')}`);
  assert.equal(describeJob(job('waiting', { attempts: 1 })), `queued by ann@box at ${local('2026-12-02T10:00:00.000Z')} (run 2 of 2 next)`, 'back in the queue after a worker died');
  const started = '2026-12-02T10:01:02.000Z';
  assert.equal(describeJob(job('active', { worker: 'gpu:7', started, attempts: 1 })), `running on gpu:7 since ${local(started)}`);
  assert.equal(describeJob(job('active', { worker: 'gpu:7', started, attempts: 2, progress: { stage: 'train', status: 'start' } })), `running on gpu:7 since ${local(started)}, stage train running (run 2 of 2)`);
  assert.equal(describeJob(job('active', { worker: 'gpu:7', started, attempts: 1, progress: { stage: 'prepare', status: 'cached' } })), `running on gpu:7 since ${local(started)}, stage prepare from the run cache`);
  assert.equal(describeJob(job('failed', { attempts: 2 }), "\nstage 'train' failed: exited with code 3\nnegative trees"), "failed after 2 run(s): stage 'train' failed: exited with code 3");
  assert.equal(describeJob(job('failed', { attempts: 1 }), 'x'.repeat(300)).length, 'failed after 1 run(s): '.length + 160);
  assert.equal(describeJob(job('completed', { worker: 'gpu:7', fetch: 'mlv exp pull origin' })), 'done on gpu:7, not fetched: mlv exp pull origin');
});
