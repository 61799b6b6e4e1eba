/**
 * The experiment queue end to end: a real redis-server, BullMQ, the real CLI as
 * submitter and as three worker processes in three clones, a bare git remote and a
 * local-dir mlv remote.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { git, mlv, mlvOk, removeDir } from '../helpers/repo.js';
import { mlvAsync, mlvAsyncOk, s3Env, startS3, type S3Server } from '../helpers/s3server.js';
import { accuracy, cloneOf, makeTeam, startWorker, type Team } from '../helpers/queue.js';
import { startRedis } from '../helpers/redis.js';

const remoteExps = (bare: string) => git(bare, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/mlv/exps/']).split('\n').filter(Boolean).map((l) => { const [ref, oid] = l.split(' '); return { ref, oid }; });

describe('mlv exp run --queue and mlv worker', () => {
  let team: Team;
  const clones: string[] = [];
  before(async () => {
    team = await makeTeam();
    mlvOk(team.home, ['push']);
    for (let i = 0; i < 3; i++) clones.push(cloneOf(team.bare));
  });
  after(async () => {
    for (const c of clones) removeDir(c);
    await team.close();
  });

  test('a grid of 6 run by three workers in three clones: one ref each on the git remote, outputs on the mlv remote, right metrics', async () => {
    const sub = await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=2,5,7', '-S', 'train.depth=1,4', '--json']);
    const queued = JSON.parse(sub.stdout);
    assert.equal(queued.jobs.length, 6);
    assert.equal(queued.baseline, team.baseline);
    assert.equal(queued.queue, 'proj');
    const waiting = JSON.parse(mlvOk(team.home, ['queue', 'status', '--json']).stdout);
    assert.equal(waiting.counts.waiting, 6);
    assert.deepEqual(waiting.jobs.map((j: { id: string }) => j.id).sort(), queued.jobs.map((j: { id: string }) => j.id).sort());
    const workers = clones.map((c) => startWorker(c, ['--exit-when-idle'], { SLOW: '600' }));
    const exits = await Promise.all(workers.map((w) => w.exit));
    for (const e of exits) assert.equal(e.code, 0, e.stderr);

    const refs = remoteExps(team.bare);
    assert.equal(refs.length, 6, exits.map((e) => e.stderr).join('\n---\n'));
    for (const job of queued.jobs) {
      const ref = `refs/mlv/exps/${team.baseline}/${job.name}`;
      const hit = refs.find((r) => r.ref === ref);
      assert.ok(hit, `${ref} on the git remote`);
      const msg = git(team.bare, ['log', '-1', '--format=%B', hit.oid]);
      assert.match(msg, new RegExp(`Mlv-Exp-Job: proj/${job.id}\\n`));
      assert.match(msg, /Mlv-Exp-Status: ok/);
      assert.equal(git(team.bare, ['log', '-1', '--format=%P', hit.oid]).trim(), team.baseline);
      const m = JSON.parse(git(team.bare, ['show', `${hit.oid}:metrics.json`]));
      assert.equal(m.accuracy, accuracy(job.point['train.trees'], job.point['train.depth']));
    }
    // Every job ran once, and the work was shared: each result names its worker.
    const status = JSON.parse(mlvOk(team.home, ['queue', 'status', '--json']).stdout);
    assert.equal(status.counts.completed, 6);
    assert.equal(status.counts.failed, 0);
    const done = status.jobs.filter((j: { state: string }) => j.state === 'completed');
    assert.equal(done.length, 6);
    for (const j of done) {
      assert.equal(j.attempts, 1);
      assert.equal(j.result.reused, false);
      assert.equal(j.result.host.length > 0, true);
    }
    const byWorker = new Set(done.map((j: { worker: string }) => j.worker));
    assert.ok(byWorker.size >= 2, `jobs shared among workers: ${[...byWorker].join(', ')}`);

    // Anyone can fetch the results: refs from git, model outputs from the mlv remote.
    const reader = cloneOf(team.bare);
    try {
      mlvOk(reader, ['exp', 'pull', 'origin']);
      const shown = JSON.parse(mlvOk(reader, ['exp', 'show', '--json']).stdout);
      assert.equal(shown.rows.filter((r: { kind: string }) => r.kind === 'exp').length, 6);
      for (const job of queued.jobs) {
        const t = job.point['train.trees'];
        const d = job.point['train.depth'];
        mlvOk(reader, ['get', `refs/mlv/exps/${team.baseline}/${job.name}`, 'model/m.txt', '-o', `m-${job.name}.txt`]);
        assert.equal(readFileSync(join(reader, `m-${job.name}.txt`), 'utf8'), `${t}x${d}x10`);
      }
    } finally {
      removeDir(reader);
    }
  });

  test('--wait follows the jobs and prints the sweep table; the refs are fetched into the submitter\'s clone', async () => {
    const waiting = mlvAsyncOk(team.home, ['exp', 'run', '--queue', '--wait', '-S', 'train.trees=11,12', '--name', 'waited']);
    for (let i = 0; i < 100; i++) {
      const st = JSON.parse(mlvOk(team.home, ['queue', 'status', '--json']).stdout);
      if (st.counts.waiting === 2) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const workers = clones.slice(0, 2).map((c) => startWorker(c, ['--exit-when-idle']));
    const r = await waiting;
    await Promise.all(workers.map((w) => w.exit));
    assert.match(r.stdout, /waited-1\s+ok\s+train\.trees=11/);
    assert.match(r.stdout, /waited-2\s+ok\s+train\.trees=12/);
    assert.match(r.stdout, /2 ok, 0 failed/);
    const local = git(team.home, ['for-each-ref', '--format=%(refname)', `refs/mlv/exps/${team.baseline}/`]);
    assert.match(local, /\/waited-1\n/);
    assert.match(local, /\/waited-2\n/);
    const shown = JSON.parse(mlvOk(team.home, ['exp', 'show', '--json']).stdout);
    const w1 = shown.rows.find((x: { name: string }) => x.name === 'waited-1');
    assert.equal(w1.metrics['metrics.json:accuracy'] ?? w1.metrics.accuracy, accuracy(11, 3));
  });

  test('a failing experiment runs at most `attempts` (2) times, then is failed with its error; logs, retry, cancel', async () => {
    const sub = JSON.parse((await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=-1,3', '--name', 'bad', '--json'])).stdout);
    const [bad, good] = sub.jobs;
    const w = startWorker(clones[0], ['--exit-when-idle']);
    const e = await w.exit;
    assert.equal(e.code, 0, e.stderr);
    assert.equal(e.stderr.split(`▶ job ${bad.id}:`).length - 1, 2, e.stderr);
    assert.match(e.stderr, new RegExp(`✗ job ${bad.id}: bad-1 .*\\(will be retried\\)`));
    assert.equal(e.stderr.split(`▶ job ${good.id}:`).length - 1, 1);
    const status = JSON.parse(mlvOk(team.home, ['queue', 'status', '--json', '--sweep', sub.sweep]).stdout);
    const row = (id: string) => status.jobs.find((j: { id: string }) => j.id === id);
    assert.equal(row(bad.id).state, 'failed');
    assert.equal(row(bad.id).attempts, 2);
    assert.match(row(bad.id).error, /exited with code 3/);
    assert.equal(row(good.id).state, 'completed');
    // No ref for the failed run, on the remote or in the worker's clone; one for the good one.
    const refs = remoteExps(team.bare).map((r) => r.ref);
    assert.ok(refs.includes(`refs/mlv/exps/${team.baseline}/bad-2`));
    assert.ok(!refs.some((r) => r.endsWith('/bad-1')));
    assert.equal(git(clones[0], ['for-each-ref', 'refs/mlv/exps/', '--format=%(refname)']).includes('/bad-1'), false);
    // The log tells what happened, run by run.
    const logs = mlvOk(team.home, ['queue', 'logs', bad.id]);
    assert.match(logs.stdout, /Job .*: bad-1 \(failed/);
    assert.equal(logs.stdout.split('stage train: failed').length - 1, 2, logs.stdout);
    assert.match(logs.stdout, /negative trees/);
    // Retry puts it back with its attempts renewed; a completed job cannot be retried.
    const again = mlv(team.home, ['queue', 'retry', good.id]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /completed, not failed/);
    mlvOk(team.home, ['queue', 'retry', bad.id]);
    let st = JSON.parse(mlvOk(team.home, ['queue', 'status', '--json', '--sweep', sub.sweep]).stdout);
    assert.equal(st.jobs.find((j: { id: string }) => j.id === bad.id).state, 'waiting');
    // Cancel takes it out before any worker runs it.
    const c = JSON.parse(mlvOk(team.home, ['queue', 'cancel', '--all', '--json']).stdout);
    assert.deepEqual(c.removed, [bad.id]);
    st = JSON.parse(mlvOk(team.home, ['queue', 'status', '--json']).stdout);
    assert.equal(st.counts.waiting, 0);
    const missing = mlv(team.home, ['queue', 'logs', bad.id]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`job ${bad.id}: not in queue 'proj'`));
  });

  test('enqueue refuses what a worker could not run, naming what to push', async () => {
    // A commit not on the git remote.
    writeFileSync(join(team.home, 'notes.txt'), 'local only\n');
    git(team.home, ['add', 'notes.txt']);
    git(team.home, ['commit', '-qm', 'local only']);
    let r = await mlvAsync(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=3']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /baseline [0-9a-f]{7} is not on git remote 'origin'; push it first \(git push origin HEAD\)/);
    git(team.home, ['push', '-q', 'origin', 'main']);
    // Uncommitted params are not carried into a queued run.
    const params = readFileSync(join(team.home, 'params.yaml'), 'utf8');
    writeFileSync(join(team.home, 'params.yaml'), params.replace('depth: 3', 'depth: 4'));
    r = await mlvAsync(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=3']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /params\.yaml: uncommitted/);
    writeFileSync(join(team.home, 'params.yaml'), params);
    // Data committed but never pushed to the mlv remote.
    writeFileSync(join(team.home, 'data', 'extra.txt'), 'new data\n');
    mlvOk(team.home, ['add', 'data/extra.txt']);
    git(team.home, ['add', '-A']);
    git(team.home, ['commit', '-qm', 'more data']);
    git(team.home, ['push', '-q', 'origin', 'main']);
    r = await mlvAsync(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=3']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /data\/extra\.txt: not on mlv remote 'store'; push the data first \(mlv push\)/);
    // A key that is not a param.
    mlvOk(team.home, ['push']);
    r = await mlvAsync(team.home, ['exp', 'run', '--queue', '-S', 'train.tres=3']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /-S train\.tres: no such parameter/);
    // Nothing was queued by any refusal.
    const status = JSON.parse(mlvOk(team.home, ['queue', 'status', '--json']).stdout);
    assert.equal(status.counts.waiting, 0);
  });

  test('queue config: a password in the committed config is refused; one from the environment is used and never printed', async () => {
    const cfg = join(team.home, '.mlv', 'config');
    const text = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, text.replace(/url: "redis:\/\/127/, 'url: "redis://:s3cret-pw@127'));
    let r = mlv(team.home, ['queue', 'status']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.mlv\/config: queue\.url holds a password; put it in MLV_QUEUE_PASSWORD/);
    assert.doesNotMatch(r.stderr, /s3cret-pw/);
    writeFileSync(cfg, text);
    // A Redis that wants a password: it comes from the environment, and no output shows it.
    const locked = await startRedis({ requirepass: 's3cret-pw' });
    try {
      const url = `redis://127.0.0.1:${locked.port}/0`;
      r = await mlvAsync(team.home, ['queue', 'status'], { MLV_QUEUE_URL: url });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`queue redis://127\\.0\\.0\\.1:${locked.port}/0: cannot reach Redis: NOAUTH`));
      r = await mlvAsync(team.home, ['queue', 'status'], { MLV_QUEUE_URL: url, MLV_QUEUE_PASSWORD: 'wrong-pw' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: cannot reach Redis/);
      assert.doesNotMatch(r.stderr + r.stdout, /wrong-pw/);
      r = await mlvAsync(team.home, ['queue', 'status'], { MLV_QUEUE_URL: url, MLV_QUEUE_PASSWORD: 's3cret-pw' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Queue 'proj' \(redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0\): 0 waiting/);
      // The password may also sit in .mlv/config.local (never committed).
      writeFileSync(join(team.home, '.mlv', 'config.local'), `queue:\n  url: "redis://:s3cret-pw@127.0.0.1:${locked.port}/0"\n`);
      r = await mlvAsync(team.home, ['queue', 'status', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr + r.stdout, /s3cret-pw/);
    } finally {
      removeDir(join(team.home, '.mlv', 'config.local'));
      await locked.close();
    }
  });
});

describe('mlv worker with an S3 mlv remote (s3rver)', () => {
  let s3: S3Server;
  let team: Team;
  const clones: string[] = [];
  let awsEnv: Record<string, string>;
  before(async () => {
    s3 = await startS3(['team']);
    awsEnv = s3Env();
    team = await makeTeam({ remoteUrl: () => ['remote', 'add', 'store', 's3://team/mlv', '--endpoint-url', s3.endpoint, '--default'] });
    await mlvAsyncOk(team.home, ['push'], awsEnv);
    for (let i = 0; i < 2; i++) clones.push(cloneOf(team.bare));
  });
  after(async () => {
    for (const c of clones) removeDir(c);
    await team.close();
    await s3.close();
  });

  test('two workers pull inputs from S3 and push outputs there; a third clone gets the models', async () => {
    const sub = JSON.parse((await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=3,8', '--json'], awsEnv)).stdout);
    const workers = clones.map((c) => startWorker(c, ['--exit-when-idle'], awsEnv));
    for (const e of await Promise.all(workers.map((w) => w.exit))) assert.equal(e.code, 0, e.stderr);
    const st = JSON.parse((await mlvAsyncOk(team.home, ['queue', 'status', '--json'])).stdout);
    assert.equal(st.counts.completed, 2);
    for (const j of st.jobs) assert.ok(j.result.objects.pushed >= 1, JSON.stringify(j.result));
    const reader = cloneOf(team.bare);
    try {
      await mlvAsyncOk(reader, ['exp', 'pull', 'origin'], awsEnv);
      for (const job of sub.jobs) {
        await mlvAsyncOk(reader, ['get', `refs/mlv/exps/${team.baseline}/${job.name}`, 'model/m.txt', '-o', `m-${job.name}.txt`], awsEnv);
        assert.equal(readFileSync(join(reader, `m-${job.name}.txt`), 'utf8'), `${job.point['train.trees']}x3x10`);
      }
    } finally {
      removeDir(reader);
    }
  });
});
