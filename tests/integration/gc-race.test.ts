/**
 * `mlv gc` while an experiment runs in its worktree: the run does not hold the main
 * work tree's `.mlv/lock`, so gc must itself keep what the run is using and what it
 * has written but no ref names yet, including objects that were already in the cache
 * (a run that rebuilds an old version's output writes nothing new). Real repos, the real CLI.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PIPELINE } from '../helpers/exp.js';
import { env, git, makeRepo, MLV_BIN, mlvOk, removeDir } from '../helpers/repo.js';

// train keeps its model between runs (`persist`, as a stage resuming from checkpoints
// does), so it has no run-cache entry to keep its objects; a third stage after it says it
// started, then holds the run for HOLD ms.
const HOLD = `node -e "const f=require('fs');f.writeFileSync('hold-started','');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,+(process.env.HOLD||0));f.writeFileSync('held.txt',f.readFileSync('model/m.txt'))"`;
const YAML = `${PIPELINE.replace('outs: [model]', 'outs:\n      - model: { persist: true }')}  hold:
    cmd: ${JSON.stringify(HOLD)}
    deps: [model]
    outs: [held.txt]
`;

const params = (trees: number) => `train:\n  trees: ${trees}\n  depth: 3\n`;

/** Every file under the cache's objects, made as old as `ms` ago (an earlier version's, made a while back). */
function age(dir: string, ms: number, rel = join('.mlv', 'cache', 'objects')): void {
  const t = new Date(Date.now() - ms);
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = join(rel, e.name);
    if (e.isDirectory()) age(dir, ms, p);
    else utimesSync(join(dir, p), t, t);
  }
}

/** The worktree directory of the running experiment once its hold stage has started. */
async function holding(dir: string, timeoutMs: number): Promise<string> {
  const tmp = join(dir, '.mlv', 'tmp');
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const n of existsSync(tmp) ? readdirSync(tmp) : []) if (n.startsWith('exp-') && existsSync(join(tmp, n, 'hold-started'))) return join(tmp, n);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the experiment never reached its hold stage');
}

test('gc during exp run keeps what the run wrote or reused; the run succeeds and its data checks out whole', async () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'mlv.yaml'), YAML);
    writeFileSync(join(dir, '.gitignore'), 'hold-started\n', { flag: 'a' });
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'raw.txt'), Array.from({ length: 10 }, (_, i) => `row ${i}`).join('\n') + '\n');
    mlvOk(dir, ['add', 'data/raw.txt']);
    // v1 (trees 20) and v2 (trees 10), run without the run cache: v1's model is only in
    // the cache's objects, which no version in gc's default scope names any more.
    writeFileSync(join(dir, 'params.yaml'), params(20));
    mlvOk(dir, ['repro', '-q', '--no-run-cache']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'v1']);
    writeFileSync(join(dir, 'params.yaml'), params(10));
    mlvOk(dir, ['repro', '-q', '--no-run-cache']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'v2']);
    age(dir, 2 * 3600_000);

    // The experiment goes back to trees 20: train rebuilds v1's model, byte for byte.
    const run = spawn(process.execPath, [MLV_BIN, 'exp', 'run', '-q', '-S', 'train.trees=20', '--name', 'back'], { cwd: dir, env: env({ HOLD: '6000' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    run.stdout.on('data', (d) => { out += d; });
    run.stderr.on('data', (d) => { out += d; });
    const exited = new Promise<number>((r) => run.on('close', (code) => r(code ?? -1)));
    const wt = await holding(dir, 60_000);
    const model = readFileSync(join(wt, 'model', 'm.txt'), 'utf8');
    assert.equal(model, '20x3x10');

    mlvOk(dir, ['gc']);
    assert.ok(statSync(wt).isDirectory(), 'gc ran while the experiment was still running');
    const code = await exited;
    assert.equal(code, 0, out);

    // The experiment's data is whole: applied and checked out, every output is there.
    mlvOk(dir, ['exp', 'apply', 'back']);
    mlvOk(dir, ['checkout']);
    assert.equal(readFileSync(join(dir, 'model', 'm.txt'), 'utf8'), '20x3x10');
    assert.equal(readFileSync(join(dir, 'held.txt'), 'utf8'), '20x3x10');
    const fsck = mlvOk(dir, ['fsck']);
    assert.doesNotMatch(fsck.stdout + fsck.stderr, /missing|corrupt/i);
    git(dir, ['fsck', '--no-dangling']);
  } finally {
    removeDir(dir);
  }
});

test('storing content the cache already has makes its object recent, as git freshens; a re-add the state index answers does not', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'a.txt'), 'the same bytes\n');
    mlvOk(dir, ['add', 'a.txt']);
    writeFileSync(join(dir, 'small.txt'), 'x'.repeat(100));
    mlvOk(dir, ['add', 'small.txt']);
    age(dir, 2 * 3600_000);
    const objectOf = (file: string) => join(dir, '.mlv', 'cache', 'objects', 'sha256', ...((h) => [h.slice(0, 2), h.slice(2)])(/sha256:([0-9a-f]{64})/.exec(readFileSync(join(dir, file), 'utf8'))![1]));
    const ageMs = (file: string) => Date.now() - statSync(objectOf(file)).mtimeMs;

    mlvOk(dir, ['add', 'a.txt']);
    assert.ok(ageMs('a.txt.mlv') > 3600_000, 'an unchanged file is not stored again');
    mkdirSync(join(dir, 'copy'));
    writeFileSync(join(dir, 'copy', 'a.txt'), 'the same bytes\n');
    writeFileSync(join(dir, 'copy', 'small.txt'), 'x'.repeat(100));
    mlvOk(dir, ['add', 'copy']);
    assert.ok(ageMs('a.txt.mlv') < 600_000, 'the object was stored again');
    assert.ok(ageMs('small.txt.mlv') < 600_000);
  } finally {
    removeDir(dir);
  }
});
