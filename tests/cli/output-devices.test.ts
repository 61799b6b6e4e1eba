/**
 * An output that is a device or a pipe (`-o /dev/null`, `-o -`, a FIFO) is written into,
 * never replaced: a temp file renamed over it would put a regular file where the device
 * was (run as root, over /dev/null itself, which every later shell redirect then fills).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, git, makeRepo, MLV_BIN, mlv, mlvOk, removeDir, ROOT } from '../helpers/repo.js';

/** A character device like /dev/null in `dir` (needs root: mknod), or undefined. */
function makeNullDevice(dir: string): string | undefined {
  const path = join(dir, 'null-device');
  return spawnSync('mknod', ['-m', '666', path, 'c', '1', '3']).status === 0 ? path : undefined;
}

/** Run mlv writing into a FIFO while `cat` reads it; what the reader got. */
function throughFifo(cwd: string, fifo: string, args: string[]): { code: number | null; got: string; stderr: string } {
  const got = join(cwd, 'fifo-read.out');
  const script = `cat '${fifo}' > '${got}' & reader=$!; '${process.execPath}' '${MLV_BIN}' ${args.map((a) => `'${a}'`).join(' ')}; rc=$?; wait $reader; exit $rc`;
  const r = spawnSync('bash', ['-c', script], { cwd, env: env(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, got: readFileSync(got, 'utf8'), stderr: r.stderr };
}

describe('outputs that are devices or pipes', () => {
  let dir: string;
  const content = 'a,b\n1,2\n3,4\n';
  before(() => {
    dir = makeRepo();
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'data.csv'), content);
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'x.txt'), 'x\n');
    mlvOk(dir, ['add', 'data.csv', 'd']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'v1']);
    copyFileSync(join(ROOT, 'fixtures', 'ml', 'iris.csv'), join(dir, 'iris.csv'));
    spawnSync('mkfifo', [join(dir, 'fifo')]);
  });
  after(() => removeDir(dir));

  test('get -o - writes the artifact to stdout and nothing else', () => {
    const r = mlvOk(dir, ['get', 'HEAD', 'data.csv', '-o', '-']);
    assert.equal(r.stdout, content);
  });

  test('get -o - of a big chunked file through a slow shell pipe gives the same bytes', () => {
    // Node makes a piped stdout non-blocking: a write that finds the pipe full gets EAGAIN.
    const big = join(dir, 'big.bin');
    const bytes = Buffer.alloc(12 << 20);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(big, bytes);
    mlvOk(dir, ['add', 'big.bin']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'big']);
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${MLV_BIN}' get HEAD big.bin -o - | (sleep 1; sha256sum)`], { cwd: dir, env: env(), encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.split(' ')[0], createHash('sha256').update(bytes).digest('hex'));
  });

  test('get -o - into a reader that stops early ends quietly with 141 and leaves no temp file', () => {
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${MLV_BIN}' get HEAD big.bin -o - | head -c 10 >/dev/null; echo "rc=\${PIPESTATUS[0]}"`], { cwd: dir, env: env(), encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'rc=141', r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(readdirSync(join(dir, '.mlv', 'tmp')).filter((n) => n.includes('big.bin')), []);
  });

  test('get -o - of a directory is one exit-2 line', () => {
    const r = mlv(dir, ['get', 'HEAD', 'd', '-o', '-']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /d is a directory/);
  });

  test('get into a FIFO streams the content through it, without --force', () => {
    const r = throughFifo(dir, join(dir, 'fifo'), ['get', 'HEAD', 'data.csv', '-o', 'fifo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.got, content);
    assert.ok(lstatSync(join(dir, 'fifo')).isFIFO(), 'the FIFO is still a FIFO');
  });

  test('explore -o into a FIFO writes the report through it (atomic writes leave pipes in place)', () => {
    const r = throughFifo(dir, join(dir, 'fifo'), ['explore', 'iris.csv', '-o', 'fifo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.got).rows, 150);
    assert.ok(lstatSync(join(dir, 'fifo')).isFIFO());
  });

  test('get --force and explore -o into a character device leave it a device', (t) => {
    const dev = makeNullDevice(dir);
    if (!dev) return t.skip('mknod needs root');
    mlvOk(dir, ['get', 'HEAD', 'data.csv', '-o', dev, '--force']);
    assert.ok(lstatSync(dev).isCharacterDevice(), 'get replaced the device with a file');
    mlvOk(dir, ['get', 'HEAD', 'data.csv', '-o', dev]);
    mlvOk(dir, ['explore', 'iris.csv', '-o', dev]);
    assert.ok(lstatSync(dev).isCharacterDevice(), 'explore -o replaced the device with a file');
  });
});
