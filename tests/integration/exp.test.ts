/**
 * `mlv exp …` end to end: real git repositories, the real CLI, a tiny deterministic
 * two-stage pipeline of `node -e` commands.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { env, git, MLV_BIN, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';
import { accuracy, makeExpRepo } from '../helpers/exp.js';

const refsOf = (dir: string, prefix = 'refs/mlv/exps/') => git(dir, ['for-each-ref', '--format=%(refname) %(objectname)', prefix]).split('\n').filter(Boolean).map((l) => { const [ref, oid] = l.split(' '); return { ref, oid }; });
const worktrees = (dir: string) => git(dir, ['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree ')).length;
const tmpLeft = (dir: string) => (existsSync(join(dir, '.mlv', 'tmp')) ? readdirSync(join(dir, '.mlv', 'tmp')).filter((n) => n.startsWith('exp-')) : []);

describe('mlv exp', () => {
  let dir: string;
  let baseline: string;
  before(() => {
    dir = makeExpRepo();
    baseline = git(dir, ['rev-parse', 'HEAD']).trim();
  });
  after(() => removeDir(dir));

  test('exp run records a commit on refs/mlv/exps that plain git reads; workspace and HEAD untouched', () => {
    const r = mlvOk(dir, ['exp', 'run', '-S', 'train.trees=20', '--name', 't20', '--json']);
    const out = JSON.parse(r.stdout);
    assert.equal(out.results.length, 1);
    const res = out.results[0];
    assert.equal(res.status, 'ok');
    assert.equal(res.ref, `refs/mlv/exps/${baseline}/t20`);
    assert.equal(git(dir, ['rev-parse', res.ref]).trim(), res.commit);
    assert.equal(git(dir, ['log', '-1', '--format=%P', res.ref]).trim(), baseline);
    assert.match(git(dir, ['show', `${res.ref}:params.yaml`]), /# hyperparameters\ntrain:\n {2}trees: 20\n {2}depth: 3/);
    const metrics = JSON.parse(git(dir, ['show', `${res.ref}:metrics.json`]));
    assert.equal(metrics.accuracy, accuracy(20, 3));
    assert.equal(res.metrics['metrics.json:accuracy'], accuracy(20, 3)); // metrics are named file:key
    assert.match(git(dir, ['show', `${res.ref}:mlv.lock`]), /train\.trees: 20/);
    assert.match(git(dir, ['log', '-1', '--format=%B', res.ref]), /Mlv-Exp-Status: ok/);
    // Only what the run changed differs from the baseline.
    assert.deepEqual(git(dir, ['diff', '--name-only', baseline, res.ref]).trim().split('\n').sort(), ['metrics.json', 'mlv.lock', 'params.yaml']);
    // The workspace, HEAD and the index did not move.
    assert.equal(git(dir, ['rev-parse', 'HEAD']).trim(), baseline);
    assert.equal(git(dir, ['status', '--porcelain']), '');
    assert.match(readFileSync(join(dir, 'params.yaml'), 'utf8'), /trees: 10/);
    assert.equal(worktrees(dir), 1);
    assert.deepEqual(tmpLeft(dir), []);
    git(dir, ['fsck', '--strict', '--no-progress']);
    // The name is taken now.
    const again = mlv(dir, ['exp', 'run', '-S', 'train.trees=21', '--name', 't20']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /t20.*already exists/);
  });

  test('a grid of 8 with --jobs 2: distinct refs, right metrics; failing runs are recorded and do not stop the rest', () => {
    const r = mlv(dir, ['exp', 'run', '-S', 'train.trees=-1,2,5,7', '-S', 'train.depth=1,4', '--jobs', '2', '--json']);
    assert.equal(r.code, 1, r.stderr); // some runs failed
    const out = JSON.parse(r.stdout);
    assert.equal(out.results.length, 8);
    assert.equal(out.ok, 6);
    assert.equal(out.failed, 2);
    const refs = new Set(out.results.map((x: { ref: string }) => x.ref));
    assert.equal(refs.size, 8);
    for (const x of out.results) {
      const t = x.params['train.trees'];
      const d = x.params['train.depth'];
      assert.equal(git(dir, ['rev-parse', x.ref]).trim(), x.commit);
      const msg = git(dir, ['log', '-1', '--format=%B', x.ref]);
      if (t < 0) {
        assert.equal(x.status, 'failed');
        assert.match(x.error, /exited with code 3/);
        assert.match(msg, /Mlv-Exp-Status: failed/);
        assert.match(msg, /negative trees/);
        continue;
      }
      assert.equal(x.status, 'ok');
      const m = JSON.parse(git(dir, ['show', `${x.ref}:metrics.json`]));
      assert.equal(m.accuracy, accuracy(t, d));
      assert.match(git(dir, ['show', `${x.ref}:params.yaml`]), new RegExp(`trees: ${t}\\n {2}depth: ${d}`));
    }
    assert.equal(worktrees(dir), 1);
    assert.deepEqual(tmpLeft(dir), []);
    git(dir, ['fsck', '--strict', '--no-progress']);
  });

  test('exp show --json: baselines with their experiments, deltas; --sort-by orders every row', () => {
    // A second baseline with its own experiment.
    writeFileSync(join(dir, 'params.yaml'), '# hyperparameters\ntrain:\n  trees: 30\n  depth: 3\n');
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['commit', '-qam', 'more trees']);
    const second = git(dir, ['rev-parse', 'HEAD']).trim();
    mlvOk(dir, ['exp', 'run', '-S', 'train.depth=9', '--name', 'deep', '-q']);

    const show = JSON.parse(mlvOk(dir, ['exp', 'show', '--json']).stdout);
    assert.deepEqual(show.metrics, ['metrics.json:accuracy', 'metrics.json:loss']);
    assert.deepEqual(show.params, ['train.depth', 'train.trees']);
    const ids = show.rows.map((r: { kind: string; name: string }) => `${r.kind}:${r.name}`);
    assert.equal(ids[0], 'commit:main');
    assert.equal(ids[1], 'exp:deep');
    const firstBase = show.rows.findIndex((r: { rev: string }) => r.rev === baseline);
    assert.ok(firstBase > 1);
    assert.equal(show.rows.filter((r: { baseline?: string }) => r.baseline === baseline).length, 9);
    const deep = show.rows[1];
    assert.equal(deep.baseline, second);
    assert.deepEqual(deep.changedParams, ['train.depth']);
    assert.equal(deep.metrics['metrics.json:accuracy'], accuracy(30, 9));
    assert.ok(Math.abs(deep.deltas['metrics.json:accuracy'] - (accuracy(30, 9) - accuracy(30, 3))) < 1e-12);
    const failed = show.rows.filter((r: { status?: string }) => r.status === 'failed');
    assert.equal(failed.length, 2);
    assert.deepEqual(failed[0].metrics, {});

    const sorted = JSON.parse(mlvOk(dir, ['exp', 'show', '--json', '--sort-by', 'accuracy']).stdout);
    assert.deepEqual(sorted.sortBy, { kind: 'metric', key: 'metrics.json:accuracy', descending: true });
    const values = sorted.rows.map((r: { metrics: Record<string, number> }) => r.metrics['metrics.json:accuracy']).filter((v: unknown) => v !== undefined);
    assert.deepEqual(values, [...values].sort((a: number, b: number) => b - a));
    assert.equal(sorted.rows[0].name, 'deep'); // the best is from the second baseline
    assert.ok(sorted.rows.slice(1, 4).some((r: { baseline?: string }) => r.baseline === baseline));
    const loss = JSON.parse(mlvOk(dir, ['exp', 'show', '--json', '--sort-by', 'loss']).stdout);
    assert.equal(loss.sortBy.descending, false);
    assert.equal(loss.rows[0].name, 'deep');

    const best = JSON.parse(mlvOk(dir, ['exp', 'best', '--metric', 'accuracy', '--json']).stdout);
    assert.equal(best.best.name, 'deep');

    const text = mlvOk(dir, ['exp', 'show']).stdout;
    assert.match(text, /main \(HEAD\)/);
    assert.match(text, /└─ deep/);
  });

  test('exp diff, apply (refusing to clobber) and branch', () => {
    const d = JSON.parse(mlvOk(dir, ['exp', 'diff', 't20', 'deep', '--json']).stdout);
    assert.deepEqual(d.params.map((p: { key: string }) => p.key), ['train.depth', 'train.trees']);
    const acc = d.metrics.find((m: { key: string }) => m.key === 'metrics.json:accuracy');
    assert.equal(acc.a, accuracy(20, 3));
    assert.equal(acc.b, accuracy(30, 9));
    assert.deepEqual(d.artifacts.map((a: { path: string; change: string }) => `${a.change}:${a.path}`), ['modified:model']);

    // An uncommitted edit that the experiment would overwrite: refused, nothing changed.
    writeFileSync(join(dir, 'params.yaml'), '# mine\ntrain:\n  trees: 1\n  depth: 1\n');
    const refused = mlv(dir, ['exp', 'apply', 't20']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /params\.yaml/);
    assert.match(readFileSync(join(dir, 'params.yaml'), 'utf8'), /# mine/);
    git(dir, ['checkout', '-q', '--', 'params.yaml']);

    mlvOk(dir, ['exp', 'apply', 't20']);
    assert.match(readFileSync(join(dir, 'params.yaml'), 'utf8'), /trees: 20\n {2}depth: 3/);
    assert.equal(readFileSync(join(dir, 'model', 'm.txt'), 'utf8'), '20x3x10');
    assert.equal(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')).accuracy, accuracy(20, 3));
    assert.equal(git(dir, ['diff', '--cached', '--name-only']), ''); // the index is the user's
    const status = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
    assert.equal(status.stages.length, 0, JSON.stringify(status.stages)); // the applied lock matches the data
    git(dir, ['checkout', '-q', '--', '.']);
    mlvOk(dir, ['checkout']);

    const b = JSON.parse(mlvOk(dir, ['exp', 'branch', 'deep', 'deeper', '--json']).stdout);
    assert.equal(git(dir, ['rev-parse', 'deeper']).trim(), b.commit);
    assert.equal(mlv(dir, ['exp', 'branch', 'deep', 'deeper']).code, 2);
  });

  test('experiments survive a rebase of their baseline and git gc; mlv gc --keep-exps keeps their data', () => {
    const before = refsOf(dir);
    const expModel = JSON.parse(mlvOk(dir, ['exp', 'show', '--json']).stdout).rows.find((r: { name: string }) => r.name === 'deep');
    const lock = parseYaml(git(dir, ['show', `${expModel.rev}:mlv.lock`]));
    const modelHash: string | undefined = lock.stages.train.outs.find((o: { path: string }) => o.path === 'model')?.hash.replace('sha256:', '');
    assert.ok(modelHash);
    // Rewrite the baseline (amend), then collect garbage aggressively.
    git(dir, ['commit', '-q', '--amend', '-m', 'more trees (reworded)']);
    git(dir, ['reflog', 'expire', '--expire=now', '--all']);
    git(dir, ['gc', '-q', '--prune=now']);
    assert.deepEqual(refsOf(dir), before);
    for (const r of before) assert.equal(git(dir, ['cat-file', '-t', r.oid]).trim(), 'commit');
    git(dir, ['fsck', '--strict', '--no-progress']);
    const show = JSON.parse(mlvOk(dir, ['exp', 'show', '--json']).stdout);
    assert.ok(show.rows.some((r: { name: string }) => r.name === 'deep'));
    // A new commit on the branch does not lose them either.
    writeFileSync(join(dir, 'notes.txt'), 'x\n');
    git(dir, ['add', 'notes.txt']);
    git(dir, ['commit', '-qm', 'notes']);
    assert.deepEqual(refsOf(dir), before);

    const cache = join(dir, '.mlv', 'cache', 'objects', 'sha256', modelHash!.slice(0, 2), modelHash!.slice(2));
    assert.ok(existsSync(cache));
    mlvOk(dir, ['gc', '--keep-exps']);
    assert.ok(existsSync(cache), 'the experiment model survives gc --keep-exps');
  });

  test('exp remove one, then --all', () => {
    const n = refsOf(dir).length;
    mlvOk(dir, ['exp', 'remove', 't20']);
    assert.equal(refsOf(dir).length, n - 1);
    assert.equal(mlv(dir, ['exp', 'remove', 't20']).code, 2);
    mlvOk(dir, ['exp', 'remove', '--all']);
    assert.equal(refsOf(dir).length, 0);
  });
});

describe('mlv exp: interruption and sharing', () => {
  test('SIGINT mid-sweep leaves no worktree and no half-written ref', async () => {
    const dir = makeExpRepo();
    try {
      const baseline = git(dir, ['rev-parse', 'HEAD']).trim();
      const child = spawn(process.execPath, [MLV_BIN, 'exp', 'run', '-S', 'train.trees=1,2,3,4,5,6', '--jobs', '2', '-q'], { cwd: dir, env: env({ SLOW: '4000' }), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c) => { stderr += c; });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Wait until both worktrees exist and their stages run, then interrupt.
      const t0 = Date.now();
      while (tmpLeft(dir).length < 2 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
      assert.equal(tmpLeft(dir).length, 2, 'two runs started');
      await new Promise((r) => setTimeout(r, 1500));
      child.kill('SIGINT');
      const code = await exited;
      assert.equal(code, 130, stderr);
      assert.equal(worktrees(dir), 1);
      assert.deepEqual(tmpLeft(dir), []);
      // Every ref names a complete experiment commit of this baseline; no stray locks.
      for (const r of refsOf(dir)) {
        assert.equal(git(dir, ['cat-file', '-t', r.oid]).trim(), 'commit');
        assert.equal(git(dir, ['log', '-1', '--format=%P', r.oid]).trim(), baseline);
      }
      assert.ok(refsOf(dir).length < 6);
      git(dir, ['fsck', '--strict', '--no-progress']);
      assert.equal(git(dir, ['status', '--porcelain']), '');
    } finally {
      removeDir(dir);
    }
  });

  test('exp push and pull move the refs and the cached data', () => {
    const dir = makeExpRepo();
    const bare = tempDir();
    const store = tempDir();
    const clone = tempDir();
    try {
      git(bare, ['init', '-q', '--bare', '-b', 'main', '.']);
      git(dir, ['remote', 'add', 'origin', bare]);
      git(dir, ['push', '-q', 'origin', 'main']);
      mlvOk(dir, ['remote', 'add', 'store', store, '--default']);
      mlvOk(dir, ['exp', 'run', '-S', 'train.trees=40', '--name', 'shared', '-q']);
      const pushed = JSON.parse(mlvOk(dir, ['exp', 'push', 'origin', '--json']).stdout);
      assert.equal(pushed.refs, 1);
      assert.ok(pushed.objects.transferred >= 1);
      const ref = refsOf(dir)[0];
      assert.equal(git(bare, ['rev-parse', ref.ref]).trim(), ref.oid);

      removeDir(clone);
      git(dir, ['clone', '-q', bare, clone]);
      assert.equal(refsOf(clone).length, 0);
      mlvOk(clone, ['remote', 'add', 'store', store, '--default']);
      const pulled = JSON.parse(mlvOk(clone, ['exp', 'pull', 'origin', '--json']).stdout);
      assert.equal(pulled.refs, 1);
      assert.equal(pulled.missing, 0);
      assert.ok(pulled.transferred >= 1);
      mlvOk(clone, ['exp', 'apply', 'shared']);
      assert.equal(readFileSync(join(clone, 'model', 'm.txt'), 'utf8'), '40x3x10');
    } finally {
      for (const d of [dir, bare, store, clone]) removeDir(d);
    }
  });
});
