/**
 * Concurrent mlv processes on one repository (issue 11, item 2): the repo lock is taken
 * over from a dead holder by exactly one process, and writers wait a bounded time for a
 * live one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, git, makeRepo, MLV_BIN, mlv, mlvOk, removeDir, type RunResult } from '../helpers/repo.js';

function mlvAsync(cwd: string, args: string[], extra: Record<string, string> = {}, onStderr?: (d: string) => void): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MLV_BIN, ...args], { cwd, env: env(extra) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; onStderr?.(String(d)); });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync('true');
  return r.pid!;
}

/** Holders never overlap: the trace alternates take (+pid) and release (-pid) of one pid. */
function assertOneHolderAtATime(trace: string[]): void {
  let holder: string | undefined;
  for (const [i, ev] of trace.entries()) {
    if (ev.startsWith('+')) {
      assert.equal(holder, undefined, `two holders at once: ${ev.slice(1)} took the lock while ${holder} held it (event ${i}: ${trace.join(' ')})`);
      holder = ev.slice(1);
    } else {
      assert.equal(ev.slice(1), holder, `release by a non-holder (event ${i}: ${trace.join(' ')})`);
      holder = undefined;
    }
  }
  assert.equal(holder, undefined);
}

describe('the repository lock', () => {
  let dir: string;
  before(() => {
    dir = makeRepo();
    mlvOk(dir, ['init']);
  });
  after(() => removeDir(dir));

  test('4 parallel mlv add against a stale lock, 25 trials: one holder at a time, no .gitignore line lost', async () => {
    const trace = join(dir, '..', `${dir.split('/').pop()}-trace`);
    try {
      for (let trial = 0; trial < 25; trial++) {
        const names = Array.from({ length: 4 }, (_, i) => `f${trial}-${i}.bin`);
        for (const n of names) writeFileSync(join(dir, n), `${n}\n`);
        writeFileSync(join(dir, '.mlv', 'lock'), `${deadPid()} ${hostname()} 0123456789abcdef add\n`);
        rmSync(trace, { force: true });
        const rs = await Promise.all(names.map((n) => mlvAsync(dir, ['add', n], { MLV_TEST_LOCK_TRACE: trace })));
        for (const [i, r] of rs.entries()) assert.equal(r.code, 0, `trial ${trial}: mlv add ${names[i]}: ${r.stderr}`);
        const events = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
        assert.equal(events.length, 8, `trial ${trial}: ${events.join(' ')}`);
        assertOneHolderAtATime(events);
        const ignored = readFileSync(join(dir, '.gitignore'), 'utf8').split('\n');
        for (const n of names) {
          assert.ok(ignored.includes(`/${n}`), `trial ${trial}: .gitignore lost /${n}`);
          assert.ok(existsSync(join(dir, `${n}.mlv`)), `trial ${trial}: no pointer for ${n}`);
        }
        assert.equal(existsSync(join(dir, '.mlv', 'lock')), false, 'the lock is released');
      }
      const markers = join(dir, '.mlv', 'tmp', 'locks');
      assert.deepEqual(existsSync(markers) ? readdirSync(markers) : [], [], 'no takeover marker left behind');
    } finally {
      rmSync(trace, { force: true });
    }
  });

  test('a writer waits for a live holder and goes on when it releases; past the wait it fails naming the holder', async () => {
    writeFileSync(join(dir, 'w.bin'), 'w\n');
    const lock = join(dir, '.mlv', 'lock');
    // This test process is alive: a lock naming it is held.
    writeFileSync(lock, `${process.pid} ${hostname()} feedfacefeedface gc\n`);
    try {
      const quick = mlv(dir, ['add', 'w.bin'], { env: { MLV_LOCK_TIMEOUT: '0' } });
      assert.equal(quick.code, 2);
      assert.match(quick.stderr, new RegExp(`\\.mlv/lock: held by mlv gc \\(pid ${process.pid} on ${hostname()}\\)`));
      assert.equal(quick.stderr.trim().split('\n').length, 1);
      const bounded = mlv(dir, ['add', 'w.bin'], { env: { MLV_LOCK_TIMEOUT: '0.5' } });
      assert.equal(bounded.code, 2);
      assert.match(bounded.stderr, /after waiting 1 s/);

      assert.equal(bounded.stderr.trim().split('\n').length, 2, bounded.stderr);
      assert.match(bounded.stderr.split('\n')[0], new RegExp(`^mlv: waiting for \\.mlv/lock held by pid ${process.pid} \\(mlv gc\\)… up to 0\\.5 s`));

      let said = '';
      const waiting = mlvAsync(dir, ['add', 'w.bin'], { MLV_LOCK_TIMEOUT: '30' }, (d) => { said += d; });
      // Its waiting line is the sign it found the lock held (start-up is slow on a loaded machine).
      for (let t = 0; t < 200 && !said.includes('waiting for'); t++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(existsSync(join(dir, 'w.bin.mlv')), false, 'nothing is written while the lock is held');
      rmSync(lock);
      const r = await waiting;
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(dir, 'w.bin.mlv')));
      const waitLines = r.stderr.split('\n').filter((l) => l.includes('waiting for .mlv/lock'));
      assert.deepEqual(waitLines, [`mlv: waiting for .mlv/lock held by pid ${process.pid} (mlv gc)… up to 30 s (MLV_LOCK_TIMEOUT sets the wait)`], 'one line, once, while waiting');
    } finally {
      rmSync(lock, { force: true });
    }
  });

  test('lock_timeout in .mlv/config.local sets the wait; the environment wins; bad values are one clear error', () => {
    writeFileSync(join(dir, 'c.bin'), 'c\n');
    const lock = join(dir, '.mlv', 'lock');
    const local = join(dir, '.mlv', 'config.local');
    writeFileSync(lock, `${process.pid} ${hostname()} feedfacefeedface repro\n`);
    try {
      writeFileSync(local, 'lock_timeout: 0\n');
      const t0 = Date.now();
      const r = mlv(dir, ['add', 'c.bin'], { env: { MLV_LOCK_TIMEOUT: '' } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /held by mlv repro/);
      assert.doesNotMatch(r.stderr, /after waiting/);
      assert.ok(Date.now() - t0 < 8000, 'lock_timeout: 0 does not wait the default 10 s');
      const env1 = mlv(dir, ['add', 'c.bin'], { env: { MLV_LOCK_TIMEOUT: '1' } });
      assert.match(env1.stderr, /after waiting 1 s/);
      writeFileSync(local, 'lock_timeout: soon\n');
      const bad = mlv(dir, ['status']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /\.mlv\/config\.local: lock_timeout must be a number of seconds/);
      writeFileSync(local, '');
      const badEnv = mlv(dir, ['add', 'c.bin'], { env: { MLV_LOCK_TIMEOUT: '-1' } });
      assert.equal(badEnv.code, 2);
      assert.match(badEnv.stderr, /MLV_LOCK_TIMEOUT=-1: expected a number of seconds/);
    } finally {
      rmSync(lock, { force: true });
      rmSync(local, { force: true });
    }
  });

  test('every command that takes the lock says once that it waits, naming the holder', () => {
    const remote = join(dir, '..', `${dir.split('/').pop()}-remote`);
    const lock = join(dir, '.mlv', 'lock');
    writeFileSync(join(dir, 'p.bin'), 'p\n');
    writeFileSync(join(dir, 'mlv.yaml'), 'stages:\n  copy:\n    cmd: cp p.bin q.bin\n    deps: [p.bin]\n    outs: [q.bin]\n');
    try {
      mlvOk(dir, ['remote', 'add', 'store', remote, '--default']);
      writeFileSync(lock, `${process.pid} ${hostname()} feedfacefeedface exp-run\n`);
      for (const args of [['add', 'p.bin'], ['checkout'], ['pull'], ['fetch'], ['gc'], ['repro']]) {
        const r = mlv(dir, args, { env: { MLV_LOCK_TIMEOUT: '0.2' } });
        assert.equal(r.code, 2, `mlv ${args.join(' ')}: ${r.stderr}`);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.filter((l) => l.startsWith('mlv: waiting for .mlv/lock held by pid')).length, 1, `mlv ${args.join(' ')}: ${r.stderr}`);
        assert.match(lines[0], new RegExp(`^mlv: waiting for \\.mlv/lock held by pid ${process.pid} \\(mlv exp-run\\)`), `mlv ${args.join(' ')}`);
        assert.match(lines.at(-1)!, /\.mlv\/lock: held by mlv exp-run/);
      }
      assert.equal(existsSync(join(dir, 'q.bin')), false, 'repro ran nothing while waiting');
    } finally {
      rmSync(lock, { force: true });
      rmSync(remote, { recursive: true, force: true });
      rmSync(join(dir, 'mlv.yaml'), { force: true });
    }
  });

  test('an empty lock (an older mlv killed between creating and writing it) is taken over once it is 2 s old, not before', () => {
    writeFileSync(join(dir, 'e.bin'), 'e\n');
    const lock = join(dir, '.mlv', 'lock');
    writeFileSync(lock, '');
    // Dated a minute ahead: at a high load, mlv's own start-up can take longer than the
    // 2 s grace, and the lock must still be young when it is looked at.
    const young = new Date(Date.now() + 60_000);
    utimesSync(lock, young, young);
    const fresh = mlv(dir, ['add', 'e.bin'], { env: { MLV_LOCK_TIMEOUT: '0' } });
    assert.equal(fresh.code, 2, 'a lock being written is waited for');
    assert.match(fresh.stderr, /\.mlv\/lock: held by/);
    const old = new Date(Date.now() - 5000);
    utimesSync(lock, old, old);
    const r = mlv(dir, ['add', 'e.bin'], { env: { MLV_LOCK_TIMEOUT: '0' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(lock), false);
    assert.deepEqual(readdirSync(join(dir, '.mlv', 'tmp', 'locks')).filter((n) => n.startsWith('.new-')), [], 'no temp line left behind');
  });

  test('a takeover marker left by a killed taker does not block the next writer', () => {
    writeFileSync(join(dir, 'm.bin'), 'm\n');
    const stale = `${deadPid()} ${hostname()} 00000000000000aa add\n`;
    writeFileSync(join(dir, '.mlv', 'lock'), stale);
    // What a taker killed between creating its marker and removing the lock leaves.
    mkdirSync(join(dir, '.mlv', 'tmp', 'locks'), { recursive: true });
    const marker = join(dir, '.mlv', 'tmp', 'locks', createHash('sha256').update(stale).digest('hex').slice(0, 16));
    writeFileSync(marker, `${deadPid()} ${hostname()} 00000000000000bb takeover\n`);
    const r = mlv(dir, ['add', 'm.bin'], { env: { MLV_LOCK_TIMEOUT: '0' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(marker), false);
    assert.equal(existsSync(join(dir, '.mlv', 'lock')), false);
  });
});
