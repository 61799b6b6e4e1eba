/**
 * Queue faults with real processes: a worker killed with SIGKILL mid-job, a job whose
 * ref an earlier attempt already pushed, a name another experiment holds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { git, mlvOk, removeDir, ROOT, tempDir } from '../helpers/repo.js';
import { mlvAsyncOk } from '../helpers/s3server.js';
import { accuracy, cloneOf, makeTeam, startWorker, type Team } from '../helpers/queue.js';

const remoteExps = (bare: string) => git(bare, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/mlv/exps/']).split('\n').filter(Boolean).map((l) => { const [ref, oid] = l.split(' '); return { ref, oid }; });
const statusOf = (dir: string) => JSON.parse(mlvOk(dir, ['queue', 'status', '--json']).stdout);

async function until(what: string, fn: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('queue faults', () => {
  let team: Team;
  const clones: string[] = [];
  before(async () => {
    // A short stall interval, so a dead worker's job moves on within seconds.
    team = await makeTeam({ stalled: 4000 });
    mlvOk(team.home, ['push']);
    for (let i = 0; i < 2; i++) clones.push(cloneOf(team.bare));
  });
  after(async () => {
    for (const c of clones) removeDir(c);
    await team.close();
  });

  test('a worker killed with SIGKILL mid-run: another takes the job after the stall interval; exactly one ref, right metrics', async () => {
    const sub = JSON.parse((await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=9', '--name', 'killed', '--json'])).stdout);
    const id = sub.jobs[0].id;
    const a = startWorker(clones[0], [], { SLOW: '60000' });
    // Wait until A is inside the train stage, then kill it without a chance to clean up.
    await until('worker A in stage train', () => {
      const j = statusOf(team.home).jobs.find((x: { id: string }) => x.id === id);
      return j?.state === 'active' && j.progress?.stage === 'train';
    });
    a.child.kill('SIGKILL');
    await a.exit;
    const b = startWorker(clones[1], ['--exit-when-idle']);
    const e = await b.exit;
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stderr, new RegExp(`✓ job ${id}: killed`));
    const refs = remoteExps(team.bare).filter((r) => r.ref.endsWith('/killed'));
    assert.equal(refs.length, 1);
    assert.equal(refs[0].ref, `refs/mlv/exps/${team.baseline}/killed`);
    const m = JSON.parse(git(team.bare, ['show', `${refs[0].oid}:metrics.json`]));
    assert.equal(m.accuracy, accuracy(9, 3));
    const j = statusOf(team.home).jobs.find((x: { id: string }) => x.id === id);
    assert.equal(j.state, 'completed');
    assert.equal(j.attempts, 2, 'started by A, then by B');
    assert.match(j.worker, new RegExp(`:${b.child.pid}$`));
    assert.equal(j.result.reused, false);
    // The model B pushed is complete on the mlv remote.
    const reader = cloneOf(team.bare);
    try {
      mlvOk(reader, ['exp', 'pull', 'origin']);
      mlvOk(reader, ['get', refs[0].ref, 'model/m.txt', '-o', 'm.txt']);
      mlvOk(reader, ['fsck']);
    } finally {
      removeDir(reader);
    }
  });

  test('Ctrl-C twice on a worker hands its job back at once (no stall wait); Ctrl-C once lets it finish', async () => {
    const sub = JSON.parse((await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=13,14', '--name', 'int', '--json'])).stdout);
    const [first, second] = sub.jobs;
    const a = startWorker(clones[0], [], { SLOW: '60000' });
    const inTrain = (id: string) => () => {
      const j = statusOf(team.home).jobs.find((x: { id: string }) => x.id === id);
      return j?.state === 'active' && j.progress?.stage === 'train';
    };
    await until('worker A in stage train', inTrain(first.id));
    a.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    a.child.kill('SIGINT');
    const ea = await a.exit;
    assert.equal(ea.code, 130, ea.stderr);
    assert.match(ea.stderr, new RegExp(`job ${first.id}: int-1  handed back to the queue`));
    // Back in the queue before any stall interval could have passed, never started again by A.
    let j = statusOf(team.home).jobs.find((x: { id: string }) => x.id === first.id);
    assert.equal(j.state, 'waiting');
    // Ctrl-C once: the worker finishes the job it has, takes no other, exits 0.
    const b = startWorker(clones[1], [], { SLOW: '3000' });
    await until('worker B in stage train', inTrain(first.id));
    b.child.kill('SIGINT');
    const eb = await b.exit;
    assert.equal(eb.code, 0, eb.stderr);
    assert.match(eb.stderr, new RegExp(`✓ job ${first.id}: int-1`));
    assert.doesNotMatch(eb.stderr, new RegExp(`job ${second.id}`));
    j = statusOf(team.home).jobs.find((x: { id: string }) => x.id === first.id);
    assert.equal(j.state, 'completed');
    assert.equal(remoteExps(team.bare).filter((r) => r.ref.endsWith('/int-1')).length, 1);
    assert.equal(statusOf(team.home).jobs.find((x: { id: string }) => x.id === second.id).state, 'waiting');
    mlvOk(team.home, ['queue', 'cancel', second.id]);
  });

  test('a job whose ref an earlier attempt already pushed completes without running again; a name held by another experiment fails the job at once', async () => {
    const sub = JSON.parse((await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=4,6', '--name', 'pre', '--json'])).stdout);
    const [first, second] = sub.jobs;
    // As if a worker had pushed first's ref and died before telling the queue: a commit
    // with first's trailer; and for second's name, a commit of some other run.
    const scratch = tempDir('mlv-scratch-');
    try {
      git(scratch, ['clone', '-q', team.bare, '.']);
      const tree = git(scratch, ['rev-parse', `${team.baseline}^{tree}`]).trim();
      const mk = (msg: string) => git(scratch, ['commit-tree', tree, '-p', team.baseline, '-m', msg]).trim();
      const mine = mk(`mlv exp pre-1\n\nMlv-Exp-Name: pre-1\nMlv-Exp-Status: ok\nMlv-Exp-Params: {"train.trees":4}\nMlv-Exp-Metrics: {"metrics.json:accuracy":0.5}\nMlv-Exp-Job: proj/${first.id}\n`);
      const theirs = mk('mlv exp pre-2\n\nMlv-Exp-Name: pre-2\nMlv-Exp-Status: ok\nMlv-Exp-Params: {}\n');
      git(scratch, ['push', '-q', 'origin', `${mine}:refs/mlv/exps/${team.baseline}/pre-1`, `${theirs}:refs/mlv/exps/${team.baseline}/pre-2`]);
      const w = startWorker(clones[1], ['--exit-when-idle']);
      const e = await w.exit;
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stderr, /already pushed by an earlier attempt/);
      const st = statusOf(team.home);
      const one = st.jobs.find((x: { id: string }) => x.id === first.id);
      assert.equal(one.state, 'completed');
      assert.equal(one.result.reused, true);
      assert.equal(one.result.commit, mine);
      assert.deepEqual(one.result.metrics, { 'metrics.json:accuracy': 0.5 });
      const two = st.jobs.find((x: { id: string }) => x.id === second.id);
      assert.equal(two.state, 'failed');
      assert.equal(two.attempts, 1, 'not retried: no run can fix it');
      assert.match(two.error, new RegExp(`refs/mlv/exps/${team.baseline}/pre-2 already exists on git remote 'origin' for an experiment run elsewhere; queue again with another --name`));
      // The remote refs are untouched.
      const refs = remoteExps(team.bare);
      assert.equal(refs.find((r) => r.ref.endsWith('/pre-1'))!.oid, mine);
      assert.equal(refs.find((r) => r.ref.endsWith('/pre-2'))!.oid, theirs);
    } finally {
      removeDir(scratch);
    }
  });

  test('a job whose baseline is not on the git remote fails at once with a clear message', async () => {
    // Queue a job by hand for a commit nobody pushed: mlv's own enqueue refuses that.
    writeFileSync(join(team.home, 'local.txt'), 'x\n');
    git(team.home, ['add', 'local.txt']);
    git(team.home, ['commit', '-qm', 'never pushed']);
    const ghost = git(team.home, ['rev-parse', 'HEAD']).trim();
    git(team.home, ['reset', '-q', '--hard', 'HEAD~1']);
    const script = `import { Queue } from 'bullmq';
const q = new Queue('proj', { connection: { host: '127.0.0.1', port: ${team.redis.port} } });
await q.add('exp', { v: 1, sweep: 'manual', baseline: '${ghost}', name: 'ghost', point: {}, submitter: 't@h', submitted: new Date().toISOString() }, { jobId: 'manual-1', attempts: 2 });
await q.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const w = startWorker(clones[0], ['--exit-when-idle']);
    const e = await w.exit;
    assert.equal(e.code, 0, e.stderr);
    const j = statusOf(team.home).jobs.find((x: { id: string }) => x.id === 'manual-1');
    assert.equal(j.state, 'failed');
    assert.equal(j.attempts, 1);
    assert.match(j.error, new RegExp(`baseline ${ghost.slice(0, 12)} is not on git remote 'origin'`));
  });
});

describe('queue faults: Redis and concurrent sweeps', () => {
  let team: Team;
  const clones: string[] = [];
  before(async () => {
    // appendfsync always: a Redis killed with SIGKILL has lost nothing it acknowledged.
    team = await makeTeam({ stalled: 4000, appendfsync: 'always' });
    mlvOk(team.home, ['push']);
    for (let i = 0; i < 2; i++) clones.push(cloneOf(team.bare));
  });
  after(async () => {
    for (const c of clones) removeDir(c);
    await team.close();
  });

  test('Redis killed and restarted mid-sweep: workers reconnect, every job completes, one ref each', async () => {
    const sub = JSON.parse((await mlvAsyncOk(team.home, ['exp', 'run', '--queue', '-S', 'train.trees=21,22,23,24', '--name', 'crash', '--json'])).stdout);
    const workers = clones.map((c) => startWorker(c, ['--exit-when-idle'], { SLOW: '1500' }));
    await until('a first job completed', () => workers.some((w) => /✓ job/.test(w.stderr())));
    await team.redis.stop('kill');
    await new Promise((r) => setTimeout(r, 1500));
    await team.redis.start();
    const exits = await Promise.all(workers.map((w) => w.exit));
    for (const e of exits) assert.equal(e.code, 0, e.stderr);
    assert.ok(exits.some((e) => /cannot reach|ECONNREFUSED|Connection is closed|connect/.test(e.stderr)), 'the workers saw Redis go away');
    const st = statusOf(team.home);
    assert.equal(st.counts.completed, 4, JSON.stringify(st.counts));
    assert.equal(st.counts.failed, 0);
    const refs = remoteExps(team.bare).filter((r) => /\/crash-\d$/.test(r.ref));
    assert.equal(refs.length, 4);
    for (const job of sub.jobs) {
      const hit = refs.find((r) => r.ref.endsWith(`/${job.name}`))!;
      const m = JSON.parse(git(team.bare, ['show', `${hit.oid}:metrics.json`]));
      assert.equal(m.accuracy, accuracy(job.point['train.trees'], 3));
    }
  });

  test('two people queue the same grid at once: distinct names, every run done once', async () => {
    const other = cloneOf(team.bare);
    try {
      const grid = ['exp', 'run', '--queue', '-S', 'train.trees=31,32', '-S', 'train.depth=2,5', '--json'];
      const [a, b] = await Promise.all([
        mlvAsyncOk(team.home, grid),
        mlvAsyncOk(other, grid, { GIT_AUTHOR_NAME: 'Other', GIT_COMMITTER_NAME: 'Other' }),
      ]);
      const ja = JSON.parse(a.stdout);
      const jb = JSON.parse(b.stdout);
      assert.notEqual(ja.sweep, jb.sweep);
      const names = [...ja.jobs, ...jb.jobs].map((j: { name: string }) => j.name);
      assert.equal(new Set(names).size, 8, names.join(' '));
      const workers = clones.map((c) => startWorker(c, ['--exit-when-idle']));
      for (const e of await Promise.all(workers.map((w) => w.exit))) assert.equal(e.code, 0, e.stderr);
      const refs = remoteExps(team.bare);
      for (const job of [...ja.jobs, ...jb.jobs]) {
        const hit = refs.filter((r) => r.ref === `refs/mlv/exps/${team.baseline}/${job.name}`);
        assert.equal(hit.length, 1, job.name);
        const m = JSON.parse(git(team.bare, ['show', `${hit[0].oid}:metrics.json`]));
        assert.equal(m.accuracy, accuracy(job.point['train.trees'], job.point['train.depth']));
      }
      const st = statusOf(team.home);
      assert.equal(st.counts.failed, 0);
      assert.equal(st.counts.waiting + st.counts.active, 0);
    } finally {
      removeDir(other);
    }
  });
});
