/**
 * Fault injection (issue 11): random `kill -9` of add, push, pull, checkout, repro and
 * exp run. After each kill the same kind of command runs again and must succeed; then
 * `mlv fsck` and `git fsck` are clean, no user file is lost and no temp file is left in
 * the work tree. MLV_FAULT_TRIALS sets the trials per command (default 10; the
 * README's figures come from 40).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, git, makeRepo, MLV_BIN, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';
import { mulberry32 } from '../../src/ml/rng.js';

const TRIALS = Number(process.env.MLV_FAULT_TRIALS ?? 10);
const SEED = Number(process.env.MLV_FAULT_SEED ?? Date.now() % 100000);

// The seeded PRNG mlv trains with, so a failing run can be replayed (the seed is in every message).
const rng = mulberry32;

/** Start mlv, SIGKILL it after `ms` (if still running); resolves once it is gone. */
function runAndKill(cwd: string, args: string[], ms: number): Promise<{ killed: boolean; code: number | null; took: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [MLV_BIN, ...args], { cwd, env: env(), stdio: 'ignore' });
    let done = false;
    const timer = setTimeout(() => { if (!done) p.kill('SIGKILL'); }, ms);
    p.on('exit', (code, sig) => { done = true; clearTimeout(timer); resolve({ killed: sig === 'SIGKILL', code, took: Date.now() - t0 }); });
  });
}

function timed(cwd: string, args: string[]): number {
  const t0 = Date.now();
  mlvOk(cwd, args);
  return Date.now() - t0;
}

/** Paths under the work tree (not .git, not .mlv) that look like temp files. */
function tempsInWorkTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (!rel && (e.name === '.git' || e.name === '.mlv')) continue;
    if (/\.tmp$|^\.checkout\./.test(e.name)) out.push(p);
    if (e.isDirectory()) out.push(...tempsInWorkTree(dir, p));
  }
  return out;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** path → content hash of every file under `dir`. */
function snapshot(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, snapshot(dir, p));
    else out[p] = sha(readFileSync(join(dir, p)));
  }
  return out;
}

const NOTES = 'my notes, never tracked by anything\n';

/** The checks after every "next command". */
function assertHealthy(dir: string, what: string): void {
  const f = mlv(dir, ['fsck']);
  assert.equal(f.code, 0, `${what}: mlv fsck: ${f.stdout}${f.stderr}`);
  const g = spawnSync('git', ['fsck', '--no-progress'], { cwd: dir, encoding: 'utf8' });
  assert.equal(g.status, 0, `${what}: git fsck: ${g.stderr}`);
  assert.deepEqual(tempsInWorkTree(dir), [], `${what}: temp files in the work tree`);
  assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), NOTES, `${what}: the user's own file`);
}

/** Data that commands take long enough over to be killed midway: 30 small files, one of 5 MiB (streamed: over the 4 MiB chunk) and one of 1 MiB. */
function writeData(dir: string, version: number): void {
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(join(data, `f${i}.txt`), `file ${i} version ${version}\n`.repeat(200));
  for (const [n, mib] of [['big1.bin', 5], ['big2.bin', 1]] as const) {
    const b = Buffer.alloc(mib * 1024 * 1024);
    for (let i = 0; i < b.length; i += 4096) b.writeUInt32LE((i * 2654435761 + version * 97 + n.length) >>> 0, i);
    writeFileSync(join(data, n), b);
  }
}

const STAGE = `node -e "const f=require('fs');const p=+/p: *([0-9]+)/.exec(f.readFileSync('params.yaml','utf8'))[1];f.mkdirSync('out',{recursive:true});for(let i=0;i<30;i++)f.writeFileSync('out/r'+i+'.txt',f.readFileSync('data/f'+i+'.txt','utf8')+p);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,150);f.writeFileSync('metrics.json',JSON.stringify({p}))"`;

function setup(): { dir: string; remote: string; revs: string[] } {
  const dir = makeRepo();
  const remote = tempDir('mlv-fault-remote-');
  writeFileSync(join(dir, 'notes.txt'), NOTES);
  writeFileSync(join(dir, '.gitignore'), '/notes.txt\n');
  mlvOk(dir, ['init']);
  mlvOk(dir, ['remote', 'add', 'origin', remote]);
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  p: 0\n');
  writeFileSync(join(dir, 'mlv.yaml'), `stages:\n  train:\n    cmd: ${JSON.stringify(STAGE)}\n    deps: [data]\n    params: [train.p]\n    outs: [out]\n    metrics:\n      - metrics.json:\n          cache: false\n`);
  const revs: string[] = [];
  for (const v of [1, 2]) {
    writeData(dir, v);
    mlvOk(dir, ['add', 'data']);
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', `v${v}`]);
    revs.push(git(dir, ['rev-parse', 'HEAD']).trim());
  }
  mlvOk(dir, ['push']);
  return { dir, remote, revs };
}

interface Case {
  /** Get the repo ready so the command has work to do; returns its arguments. */
  prepare: (trial: number) => string[];
  /** What the next command checks beyond assertHealthy. */
  verify: (trial: number) => void;
}

async function trials(name: string, dir: string, c: Case): Promise<void> {
  const random = rng(SEED + name.length * 1000);
  // How long one uninterrupted run takes here, so kills land anywhere in it.
  let span = timed(dir, c.prepare(-1));
  c.verify(-1);
  let killed = 0;
  for (let t = 0; t < TRIALS; t++) {
    const args = c.prepare(t);
    const ms = Math.round(50 + random() * span);
    const r = await runAndKill(dir, args, ms);
    if (r.killed) killed++;
    // A run that finished before its kill shows the command is quicker than the first
    // timing (a cold start, a busier moment): later kills aim inside what it really takes.
    else span = Math.max(20, Math.min(span, r.took - 50));
    const what = `${name} trial ${t} (kill at ${ms} ms of ~${span}, seed ${SEED})`;
    const next = mlv(dir, args);
    assert.equal(next.code, 0, `${what}: the next mlv ${args.join(' ')}: ${next.stderr}`);
    c.verify(t);
    assertHealthy(dir, what);
  }
  // Most kills must land while the command runs, or the test proves little.
  assert.ok(killed >= Math.ceil(TRIALS / 2), `${name}: only ${killed} of ${TRIALS} runs were killed (span ${span} ms)`);
}

describe(`kill -9 at random (${TRIALS} trials per command)`, () => {
  let dir: string;
  let remote: string;
  let revs: string[];
  before(() => ({ dir, remote, revs } = setup()));
  after(() => { removeDir(dir); removeDir(remote); });

  test('add', async () => {
    let expected: Record<string, string> = {};
    await trials('add', dir, {
      prepare: (t) => {
        writeData(dir, 100 + t);
        expected = snapshot(join(dir, 'data'));
        return ['add', 'data'];
      },
      verify: () => {
        assert.deepEqual(snapshot(join(dir, 'data')), expected, 'the data being added is intact');
        const rows = JSON.parse(mlvOk(dir, ['status', '--json']).stdout).data as Array<{ path: string; state: string }>;
        assert.deepEqual(rows.filter((r) => r.path === 'data'), [], 'data.mlv records the data as it is');
      },
    });
    git(dir, ['checkout', '-q', '--', 'data.mlv']);
    mlvOk(dir, ['checkout', '--force']);
  });

  test('push', async () => {
    await trials('push', dir, {
      prepare: () => { rmSync(join(remote, 'sha256'), { recursive: true, force: true }); return ['push', '--all-commits']; },
      verify: () => {
        const objects = readdirSync(join(remote, 'sha256')).flatMap((p) => readdirSync(join(remote, 'sha256', p)));
        assert.ok(objects.length >= 64, `every object is on the remote (${objects.length})`);
      },
    });
  });

  test('pull', async () => {
    const expected = snapshot(join(dir, 'data'));
    await trials('pull', dir, {
      prepare: () => {
        rmSync(join(dir, '.mlv', 'cache', 'objects'), { recursive: true, force: true });
        rmSync(join(dir, 'data'), { recursive: true, force: true });
        return ['pull'];
      },
      verify: () => assert.deepEqual(snapshot(join(dir, 'data')), expected, 'the data is back'),
    });
  });

  test('checkout', async () => {
    mlvOk(dir, ['pull', '--all-commits']);
    const want: Record<string, Record<string, string>> = {};
    for (const r of revs) {
      mlvOk(dir, ['checkout', r]);
      want[r] = snapshot(join(dir, 'data'));
    }
    let rev = revs[0];
    await trials('checkout', dir, {
      prepare: (t) => { rev = revs[(t + 2) % 2]; return ['checkout', rev]; },
      verify: () => {
        assert.equal(git(dir, ['rev-parse', 'HEAD']).trim(), rev);
        assert.deepEqual(snapshot(join(dir, 'data')), want[rev]);
      },
    });
    git(dir, ['checkout', '-q', 'main']);
    mlvOk(dir, ['checkout']);
  });

  test('repro', async () => {
    let p = 0;
    await trials('repro', dir, {
      prepare: (t) => {
        p = 1000 + t;
        writeFileSync(join(dir, 'params.yaml'), `train:\n  p: ${p}\n`);
        return ['repro'];
      },
      verify: () => {
        assert.deepEqual(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')), { p });
        assert.equal(mlv(dir, ['status', '--check']).code, 0);
      },
    });
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'repro trials']);
  });

  test('exp run', async () => {
    const refs = () => git(dir, ['for-each-ref', '--format=%(refname)', 'refs/mlv/exps/']).split('\n').filter(Boolean).length;
    let before = 0;
    await trials('exp run', dir, {
      prepare: (t) => { before = refs(); return ['exp', 'run', '-S', `train.p=${5000 + t}`]; },
      verify: () => {
        assert.ok(refs() >= before + 1, 'the next run is recorded');
        const wts = git(dir, ['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree ')).length;
        assert.equal(wts, 1, 'no worktree left behind');
      },
    });
  });
});
