/**
 * Queued, running, failed and finished-but-not-fetched experiments as rows of
 * `mlv exp show`, through the real CLI against a real redis-server and real workers;
 * Redis unreachable or silent gives the table and one warning; no queue configured
 * means no connection and no BullMQ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, MLV_BIN, mlv, mlvOk, removeDir, ROOT, tempDir } from '../helpers/repo.js';
import { closedPort, mlvAsyncOk } from '../helpers/s3server.js';
import { accuracy, cloneOf, makeTeam, queueBlock, startWorker, type Team, type WorkerProc } from '../helpers/queue.js';
import { makeExpRepo } from '../helpers/exp.js';
import { openVersionSource } from '../../src/api/versionSource.js';

interface Row { id: string; kind: string; name: string; baseline?: string; status?: string; message: string; params: Record<string, unknown>; metrics: Record<string, number>; changedParams?: string[]; error?: string; job?: Record<string, unknown> }

// This machine runs at load 7-20: a generous wait for Redis, so no row goes missing for
// lack of CPU (the 2 s default is what the unreachable-Redis tests below use).
const SLOW_MACHINE = { MLV_QUEUE_READ_TIMEOUT: '30000' };
const table = (dir: string) => {
  const r = mlvOk(dir, ['exp', 'show'], { env: SLOW_MACHINE });
  assert.equal(r.stderr, '');
  return r.stdout;
};
const show = (dir: string) => {
  const r = mlvOk(dir, ['exp', 'show', '--json'], { env: SLOW_MACHINE });
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as { rows: Row[]; queue?: Record<string, unknown>; warnings?: string[] };
};
const jobRows = (rows: Row[]) => rows.filter((r) => r.kind === 'job');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mlv exp show: the queue\'s experiments as rows', () => {
  let team: Team;
  let clone: string;
  const workers: WorkerProc[] = [];
  before(async () => {
    team = await makeTeam({ queueName: 'shown' });
    mlvOk(team.home, ['push']);
    clone = cloneOf(team.bare);
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exit));
    removeDir(clone);
    await team.close();
  });

  test('queued jobs are rows beneath their baseline, with their overrides as params; the table has a State column', async () => {
    const before = show(team.home);
    assert.equal(jobRows(before.rows).length, 0);
    assert.deepEqual(before.queue, { name: 'shown', where: team.redis.url, queued: 0, running: 0, failed: 0, notFetched: 0 });
    assert.doesNotMatch(table(team.home), /State/, 'no job, no State column');

    const sub = JSON.parse((await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=-1,4', '--name', 'q', '--json'])).stdout);
    const r = show(team.home);
    const jobs = jobRows(r.rows);
    assert.deepEqual(jobs.map((j) => j.name), ['q-1', 'q-2']);
    const base = r.rows.findIndex((x) => x.kind === 'commit' && x.id === team.baseline);
    assert.deepEqual(r.rows.slice(base + 1, base + 3).map((x) => x.name), ['q-1', 'q-2'], 'right beneath the baseline');
    for (const [i, j] of jobs.entries()) {
      assert.equal(j.status, 'queued');
      assert.equal(j.baseline, team.baseline);
      assert.equal(j.id, `job:shown/${sub.jobs[i].id}`);
      assert.equal(j.job!.state, 'waiting');
      assert.equal(j.job!.sweep, sub.sweep);
      assert.equal(j.params['train.depth'], 3, 'the baseline\'s params');
      assert.deepEqual(j.changedParams, ['train.trees']);
      assert.match(j.message, /^queued by \S+@\S+ at \d\d:\d\d:\d\d$/);
      assert.deepEqual(j.metrics, {});
    }
    assert.equal(jobs[0].params['train.trees'], -1);
    assert.equal(jobs[1].params['train.trees'], 4);
    assert.equal(r.queue!.queued, 2);

    // mlv ui's source: the same rows, asked again every 5 s, the counts in its notice.
    const source = await openVersionSource(team.home, { queue: { env: SLOW_MACHINE } });
    assert.equal(source.refreshMs, 5000);
    const uiRows = await source.rows();
    assert.deepEqual(uiRows.filter((x) => x.kind === 'job').map((x) => x.name), ['q-1', 'q-2']);
    assert.equal(source.notice!(), "queue 'shown': 2 queued, 0 running");
    const detail = await source.detail(uiRows.find((x) => x.name === 'q-1')!);
    assert.deepEqual(detail.artifacts, []);
    assert.equal(detail.reproCommand, `mlv queue logs ${sub.jobs[0].id}`);

    const shown = table(team.home);
    assert.match(shown, /Experiment\s+Created\s+State\s+train\.depth/);
    assert.match(shown, /├─ q-1 .*queued by \S+ at [\d:]+\s+3\s+-1/);
    assert.match(shown, /└─ q-2 .*queued by/);
  });

  test('a failed job shows its first error line; a finished one not fetched says how to fetch it, with its metrics; exp pull turns it into the experiment', async () => {
    const w = startWorker(clone, ['--exit-when-idle']);
    workers.push(w);
    const e = await w.exit;
    assert.equal(e.code, 0, e.stderr);
    const r = show(team.home);
    const [failed, done] = jobRows(r.rows);
    assert.equal(failed.name, 'q-1');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.job!.attempts, 2);
    assert.match(failed.message, /^failed after 2 run\(s\): stage 'train' failed: /);
    assert.doesNotMatch(failed.message, /\n/);
    assert.match(failed.error!, /negative trees/, 'the whole error stays in the row');
    assert.equal(done.name, 'q-2');
    assert.equal(done.status, 'ok');
    assert.equal(done.job!.fetch, 'mlv exp pull origin');
    assert.match(done.message, /^done on \S+:\d+, not fetched: mlv exp pull origin$/);
    assert.equal(done.metrics['metrics.json:accuracy'], accuracy(4, 3));
    assert.deepEqual({ ...r.queue }, { name: 'shown', where: team.redis.url, queued: 0, running: 0, failed: 1, notFetched: 1, fetch: 'mlv exp pull origin' });
    const shown = table(team.home);
    assert.match(shown, /q-1 .*failed after 2 run\(s\): /);
    assert.match(shown, /q-2 .*done on \S+, not fetched: mlv exp pull origin/);

    mlvOk(team.home, ['exp', 'pull', 'origin']);
    const pulled = show(team.home);
    assert.deepEqual(jobRows(pulled.rows).map((j) => j.name), ['q-1'], 'the fetched experiment is no job row any more');
    const exp = pulled.rows.find((x) => x.kind === 'exp' && x.name === 'q-2')!;
    assert.equal(exp.metrics['metrics.json:accuracy'], accuracy(4, 3));

    // Retried, it is queued again; cancelled, it is gone.
    const id = String(failed.job!.id);
    mlvOk(team.home, ['queue', 'retry', id]);
    assert.equal(jobRows(show(team.home).rows)[0].status, 'queued');
    mlvOk(team.home, ['queue', 'cancel', id]);
    assert.equal(jobRows(show(team.home).rows).length, 0);
  });

  test('a running job shows its worker, since when and its stage', async () => {
    await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=6', '--name', 'slow']);
    const w = startWorker(clone, ['--exit-when-idle'], { SLOW: '60000' });
    workers.push(w);
    let row: Row | undefined;
    for (let i = 0; i < 300 && !row; i++) {
      row = jobRows(show(team.home).rows).find((j) => j.status === 'running' && (j.job!.progress as { stage?: string } | undefined)?.stage === 'train');
      if (!row) await sleep(200);
    }
    assert.ok(row, `no running row; worker said: ${w.stderr()}`);
    assert.equal(row.name, 'slow');
    assert.match(String(row.job!.worker), new RegExp(`:${w.child.pid}$`));
    assert.match(row.message, new RegExp(`^running on \\S+:${w.child.pid} since \\d\\d:\\d\\d:\\d\\d, stage train running$`));
    assert.ok(row.job!.started);
    assert.match(table(team.home), /[├└]─ slow .*running on \S+ since [\d:]+, stage train running\s+3\s+6/);
    w.child.kill('SIGKILL');
    await w.exit;
  });
});

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
async function silentServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let n = 0;
  const server = createServer((s) => { n++; sockets.add(s); s.on('error', () => undefined); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => n,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** The real CLI, asynchronously (the silent server lives in this process), with a loader hook tracing bullmq/ioredis imports. */
function mlvTraced(cwd: string, args: string[], extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', join(ROOT, 'tests', 'ui', 'trace-imports.mjs'), MLV_BIN, ...args], { cwd, env: env({ MLV_TRACE_PATTERN: '^(bullmq|ioredis)(/|$)', ...extra }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

describe('mlv exp show when the queue is not there', () => {
  let repo: string;
  let scratch: string;
  before(() => {
    repo = makeExpRepo();
    scratch = tempDir('mlv-trace-');
  });
  after(() => {
    removeDir(repo);
    removeDir(scratch);
  });
  const config = () => join(repo, '.mlv', 'config');

  test('no queue configured: no connection attempt and neither bullmq nor ioredis loaded, even with MLV_QUEUE_URL set', async () => {
    const server = await silentServer();
    try {
      const trace = join(scratch, 'none.txt');
      writeFileSync(trace, '');
      const r = await mlvTraced(repo, ['exp', 'show', '--json'], { MLV_TRACE_IMPORTS: trace, MLV_QUEUE_URL: `redis://127.0.0.1:${server.port}/0` });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const out = JSON.parse(r.stdout);
      assert.equal(out.queue, undefined);
      assert.equal(out.warnings, undefined);
      const source = await openVersionSource(repo, { queue: { env: { MLV_QUEUE_URL: `redis://127.0.0.1:${server.port}/0` } } });
      assert.equal(source.refreshMs, undefined, 'mlv ui reads the rows once');
      assert.equal((await source.rows()).filter((x) => x.kind === 'job').length, 0);
      assert.equal(server.connections(), 0);
      assert.equal(readFileSync(trace, 'utf8'), '');
    } finally {
      await server.close();
    }
  });

  test('Redis refusing connections: the same table, one warning naming the URL without the password, exit 0', async () => {
    const plain = mlvOk(repo, ['exp', 'show']).stdout;
    const port = await closedPort();
    const original = readFileSync(config(), 'utf8');
    writeFileSync(config(), original + queueBlock(`redis://127.0.0.1:${port}/0`, 'gone'));
    try {
      const trace = join(scratch, 'refused.txt');
      writeFileSync(trace, '');
      const r = await mlvTraced(repo, ['exp', 'show'], { MLV_TRACE_IMPORTS: trace, MLV_QUEUE_PASSWORD: 's3cr3t-pw' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, plain);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], new RegExp(`^mlv: warning: queue 'gone' at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0 not reached \\(.*ECONNREFUSED.*\\); queued and running experiments not shown$`));
      assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t-pw/);
      assert.match(readFileSync(trace, 'utf8'), /^bullmq$/m, 'configured: the queue is asked');
      const json = mlv(repo, ['exp', 'show', '--json'], { env: { MLV_QUEUE_PASSWORD: 's3cr3t-pw' } });
      assert.equal(json.code, 0);
      assert.equal(JSON.parse(json.stdout).warnings.length, 1);
      assert.doesNotMatch(json.stdout + json.stderr, /s3cr3t-pw/);
    } finally {
      writeFileSync(config(), original);
    }
  });

  test('Redis accepting but never answering: the table and one warning after the 2 s timeout, exit 0', async () => {
    const plain = mlvOk(repo, ['exp', 'show']).stdout;
    const server = await silentServer();
    const original = readFileSync(config(), 'utf8');
    writeFileSync(config(), original + queueBlock(`redis://127.0.0.1:${server.port}/0`, 'silent'));
    try {
      const r = await mlvTraced(repo, ['exp', 'show'], {});
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, plain);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^mlv: warning: queue 'silent' at redis:\/\/127\.0\.0\.1:\d+\/0 not reached \(.*no answer within 2000 ms\); queued and running experiments not shown$/);
      assert.ok(server.connections() >= 1, 'it did try');
    } finally {
      writeFileSync(config(), original);
      await server.close();
    }
  });
});

