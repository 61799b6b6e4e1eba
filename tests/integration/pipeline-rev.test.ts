/**
 * `mlv repro --rev`: a past commit rebuilt in a temporary worktree from cached inputs
 * and checked against its mlv.lock, through the real CLI. The repository is built once
 * (in-process, to keep the suite fast) and the tests run in order on it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { env, git, makeRepo, mlv, MLV_BIN, removeDir, tempDir } from '../helpers/repo.js';
import { init } from '../../src/api/init.js';
import { add } from '../../src/api/add.js';
import { push } from '../../src/api/push.js';
import { remoteAdd } from '../../src/api/remote.js';
import { reproduce } from '../../src/pipeline/reproduce.js';
import { setParam } from '../../src/pipeline/params.js';

const PREP = `const fs = require('fs');
const rows = fs.readFileSync('data/raw.csv', 'utf8').trim().split('\\n').map(Number);
fs.mkdirSync('work', { recursive: true });
fs.writeFileSync('work/even.txt', rows.filter((x) => x % 2 === 0).join('\\n'));
fs.writeFileSync('work/odd.txt', rows.filter((x) => x % 2 === 1).join('\\n'));
`;
const TRAIN = `const fs = require('fs');
const k = Number(/k: (\\S+)/.exec(fs.readFileSync('params.yaml', 'utf8'))[1]);
const even = fs.readFileSync('work/even.txt', 'utf8').split('\\n').map(Number);
const w = even.reduce((a, b) => a + b, 0) * k;
fs.writeFileSync('model.json', JSON.stringify({ w }));
// 'noisy' varies run to run far below its tolerance in mlv.yaml.
fs.writeFileSync('metrics.json', JSON.stringify({ score: w / 1000, noisy: 0.5 + Math.random() * 1e-7 }));
`;
const PIPELINE = `stages:
  prep:
    cmd: node prep.js
    deps: [data/raw.csv, prep.js]
    outs: [work]
  train:
    cmd: node train.js
    deps: [work, train.js]
    params: [train.k]
    outs: [model.json]
    metrics:
      - metrics.json: { tolerance: { noisy: 0.001 } }
`;

let dir: string;
let storeDir: string;
let commits: Record<string, string> = {};
const rawObject = () => {
  const hash = /hash: sha256:([0-9a-f]{64})/.exec(readFileSync(join(dir, 'data/raw.csv.mlv'), 'utf8'))![1];
  return join(dir, '.mlv/cache/objects/sha256', hash.slice(0, 2), hash.slice(2));
};
const commitAll = (msg: string) => { git(dir, ['add', '-A']); git(dir, ['commit', '-qm', msg]); return git(dir, ['rev-parse', 'HEAD']).trim(); };

/** Every file of the work tree but .git and the cache, with a hash of its bytes. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (rel === '.git' || rel === join('.mlv', 'cache')) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function expectUntouched(before: { status: string; files: Record<string, string>; head: string }) {
  assert.equal(git(dir, ['status', '--porcelain']), before.status);
  assert.deepEqual(snapshot(), before.files);
  assert.equal(git(dir, ['rev-parse', 'HEAD']).trim(), before.head);
  assert.equal(git(dir, ['worktree', 'list']).trim().split('\n').length, 1, 'no worktree left behind');
  assert.deepEqual(readdirSync(join(dir, '.mlv', 'tmp')).filter((n) => n.startsWith('repro-')), []);
}
const state = () => ({ status: git(dir, ['status', '--porcelain']), files: snapshot(), head: git(dir, ['rev-parse', 'HEAD']).trim() });

before(async () => {
  dir = makeRepo();
  storeDir = tempDir('mlv-remote-');
  await init({ cwd: dir });
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data/raw.csv'), Array.from({ length: 200 }, (_, i) => (i * 37) % 101).join('\n') + '\n');
  await add({ cwd: dir, paths: ['data/raw.csv'] });
  commits.noLock = commitAll('data only');
  writeFileSync(join(dir, 'prep.js'), PREP);
  writeFileSync(join(dir, 'train.js'), TRAIN);
  writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  k: 1 # scale\n');
  for (const k of [1, 2, 3]) {
    if (k > 1) setParam(dir, 'train.k', k);
    await reproduce({ root: dir });
    commits[`k${k}`] = commitAll(`k=${k}`);
  }
});

after(() => { removeDir(dir); removeDir(storeDir); });

test('a deterministic pipeline two commits back rebuilds to the same bytes and metrics; nothing is touched', () => {
  // Leave some uncommitted work around: it must survive byte for byte.
  writeFileSync(join(dir, 'notes.txt'), 'uncommitted\n');
  setParam(dir, 'train.k', 9);
  const before = state();
  const r = mlv(dir, ['repro', '--rev', 'HEAD~2', '--json', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.commit, commits.k1);
  assert.equal(j.match, true);
  const names = j.rows.map((x: { stage: string; name: string }) => `${x.stage} ${x.name}`);
  assert.deepEqual(names, ['prep work', 'train model.json', 'train metrics.json:noisy', 'train metrics.json:score']);
  for (const row of j.rows) assert.equal(row.match, true);
  const noisy = j.rows.find((x: { name: string }) => x.name.endsWith('noisy'));
  assert.notEqual(noisy.recorded, noisy.rebuilt, 'the noisy metric differs, within its tolerance');
  assert.equal(noisy.tolerance, 0.001);
  const model = j.rows.find((x: { name: string }) => x.name === 'model.json');
  assert.match(model.recorded, /^[0-9a-f]{64}$/);
  expectUntouched(before);
  setParam(dir, 'train.k', 3);
  removeDir(join(dir, 'notes.txt'));
});

test('a nondeterministic stage fails the check, names the artifact and the environment change', () => {
  writeFileSync(join(dir, 'train.js'), TRAIN.replace('JSON.stringify({ w })', 'JSON.stringify({ w, at: process.hrtime.bigint().toString() })'));
  return (async () => {
    await reproduce({ root: dir });
    // Pretend the commit was recorded under another Node: the report must say so.
    writeFileSync(join(dir, 'mlv.lock'), readFileSync(join(dir, 'mlv.lock'), 'utf8').replace(/node: v[\d.]+/g, 'node: v0.0.1'));
    commits.nondet = commitAll('nondeterministic model');
    const before = state();
    const r = mlv(dir, ['repro', '--rev', 'HEAD', '-q']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /does not reproduce: 1 of \d+ differ: model\.json \(stage train/);
    assert.match(r.stderr, /environment differs .*node v0\.0\.1 → v\d+/);
    assert.match(r.stdout, /train\s+model\.json\s+[0-9a-f]{12}\s+[0-9a-f]{12}\s+NO/);
    expectUntouched(before);
  })();
});

test('a tampered cached input fails the check and names it', () => {
  const obj = rawObject();
  const original = readFileSync(obj);
  chmodSync(obj, 0o644);
  writeFileSync(obj, Buffer.concat([original, Buffer.from('999\n')]));
  try {
    const before = state();
    const r = mlv(dir, ['repro', '--rev', commits.k2, '-q']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^mlv: data\/raw\.csv: its cached data is damaged/m);
    expectUntouched(before);
  } finally {
    writeFileSync(obj, original);
    chmodSync(obj, 0o444);
  }
});

test('a missing input fails cleanly without a remote, and is pulled from the default remote when there is one', async () => {
  const obj = rawObject();
  renameSync(obj, obj + '.away');
  const before = state();
  const r = mlv(dir, ['repro', '--rev', commits.k2, '-q']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^mlv: data\/raw\.csv: data is not in the cache and no remote is configured/m);
  expectUntouched(before);
  renameSync(obj + '.away', obj);
  await remoteAdd({ cwd: dir, name: 'origin', url: storeDir, default: true });
  await push({ cwd: dir });
  renameSync(obj, obj + '.away');
  const ok = mlv(dir, ['repro', '--rev', commits.k2, '--json', '-q']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).match, true);
  assert.ok(existsSync(obj), 'pulled into the cache');
  removeDir(obj + '.away');
});

test('a revision without mlv.lock is one clear error', () => {
  const r = mlv(dir, ['repro', '--rev', commits.noLock]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^mlv: [0-9a-f]{40}: that commit has no mlv\.lock/m);
  assert.equal(git(dir, ['worktree', 'list']).trim().split('\n').length, 1);
});

test('Ctrl-C stops the rebuild and removes the worktree', async () => {
  const d = makeRepo();
  try {
    await init({ cwd: d });
    writeFileSync(join(d, 'mlv.yaml'), 'stages:\n  slow:\n    cmd: touch started; if [ -f .slow ]; then sleep 30; fi; echo x > o\n    outs: [o]\n');
    await reproduce({ root: d });
    writeFileSync(join(d, '.slow'), '');
    git(d, ['add', '-A']);
    git(d, ['commit', '-qm', 'slow']);
    const child = spawn(process.execPath, [MLV_BIN, 'repro', '--rev', 'HEAD'], { cwd: d, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const started = () => existsSync(join(d, '.mlv', 'tmp')) && readdirSync(join(d, '.mlv', 'tmp')).some((n) => n.startsWith('repro-') && existsSync(join(d, '.mlv', 'tmp', n, 'started')));
    for (let i = 0; i < 200 && !started(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(started(), `the stage did not start: ${stderr}`);
    const t = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.ok(Date.now() - t < 10_000, 'the sleeping stage was stopped');
    assert.match(stderr, /interrupted/);
    assert.equal(git(d, ['worktree', 'list']).trim().split('\n').length, 1);
    assert.deepEqual(readdirSync(join(d, '.mlv', 'tmp')).filter((n) => n.startsWith('repro-')), []);
  } finally {
    removeDir(d);
  }
});

test('the repository is sound afterwards (git fsck --strict)', () => {
  git(dir, ['fsck', '--strict', '--no-progress']);
  assert.equal(git(dir, ['worktree', 'list']).trim().split('\n').length, 1);
});
