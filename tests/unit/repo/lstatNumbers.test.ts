/**
 * lstatNumbers (src/repo/lstatNumbers.ts) answers every number exactly as lstatSync
 * does, on real files: the state index compares them bit for bit, so a difference of
 * one nanosecond's rounding would make every file look changed, or none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRegularFile, lstatNumbers, lstatWay, statNumbers, ST_CTIME, ST_INO, ST_MODE, ST_MTIME, ST_SIZE } from '../../../src/repo/lstatNumbers.js';
import { env, makeRepo, MLV_BIN, mlvOk, removeDir, tempDir } from '../../helpers/repo.js';

const asStats = (out: Float64Array) => ({ mode: out[ST_MODE], size: out[ST_SIZE], mtimeMs: out[ST_MTIME], ctimeMs: out[ST_CTIME], ino: out[ST_INO] });
const fromLstat = (p: string) => { const s = lstatSync(p); return { mode: s.mode, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino }; };

test('files, an exec file, a directory and a symlink: the numbers lstatSync gives, through the binding on this Node', () => {
  const dir = tempDir('mlv-lstat-');
  try {
    const paths: string[] = [];
    // Fractional times of every size (utimes takes seconds): the ms conversion must round as Node's does.
    for (let i = 0; i < 2000; i++) {
      const p = join(dir, `f${i}`);
      writeFileSync(p, 'x'.repeat(i % 97));
      utimesSync(p, 1.7e9 + i * 0.123456789, 1.7e9 + i * 1.000000001 + (i % 7) / 3);
      paths.push(p);
    }
    const exe = join(dir, 'run.sh');
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(exe, 0o755);
    mkdirSync(join(dir, 'sub'));
    symlinkSync('f1', join(dir, 'link'));
    paths.push(exe, join(dir, 'sub'), join(dir, 'link'));
    const out = statNumbers();
    for (const p of paths) {
      assert.equal(lstatNumbers(p, out), true, p);
      assert.deepEqual(asStats(out), fromLstat(p), p);
    }
    assert.equal(lstatWay(), 'fast', 'Node 20 fs binding answered exactly as lstatSync, so it is used');
    assert.equal(isRegularFile(out[ST_MODE]), false, 'a symlink is not a regular file');
    lstatNumbers(exe, out);
    assert.equal(isRegularFile(out[ST_MODE]), true);
    assert.notEqual(out[ST_MODE] & 0o111, 0);
    // Nothing there: false, as lstatSync's throwIfNoEntry: false gives undefined; other errors throw alike.
    assert.equal(lstatNumbers(join(dir, 'gone'), out), false);
    assert.throws(() => lstatNumbers(join(dir, 'f1', 'x'), out), { code: 'ENOTDIR' });
  } finally { removeDir(dir); }
});

test('under --pending-deprecation status prints no warning (the binding is not touched) and answers alike', () => {
  const repo = makeRepo();
  try {
    mlvOk(repo, ['init']);
    mkdirSync(join(repo, 'ds'));
    for (let i = 0; i < 5; i++) writeFileSync(join(repo, 'ds', `f${i}.txt`), `${i}\n`);
    mlvOk(repo, ['add', 'ds']);
    writeFileSync(join(repo, 'ds', 'f3.txt'), 'edited\n');
    const run = (args: string[]) => spawnSync(process.execPath, [...args, MLV_BIN, 'status', '--json'], { cwd: repo, env: env(), encoding: 'utf8' });
    const plain = run([]);
    const warned = run(['--pending-deprecation']);
    assert.equal(warned.stderr, '');
    assert.deepEqual(JSON.parse(warned.stdout).data, JSON.parse(plain.stdout).data);
    assert.deepEqual(JSON.parse(plain.stdout).data[0].changes.map((c: { path: string }) => c.path), ['f3.txt']);
  } finally { removeDir(repo); }
});
