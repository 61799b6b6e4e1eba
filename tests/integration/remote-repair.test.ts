/**
 * A damaged object on a remote is repaired by the next push (issue 11, item 4): one of the
 * wrong size by every push (the listing carries sizes), one of the right size with the
 * wrong bytes by `push --verify` (which re-hashes what the remote holds). A pull that
 * meets a damaged object says how to repair it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';
import { mlvAsync, mlvAsyncOk, s3Env, startS3, type S3Server } from '../helpers/s3server.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Flip one byte in place: same size, wrong content. */
function flipByte(file: string, at = 3): void {
  chmodSync(file, 0o644);
  const b = readFileSync(file);
  b[at] ^= 0xff;
  writeFileSync(file, b);
}

/** Every object under a local remote, with whether its bytes hash to its name. */
function remoteObjects(root: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const base = join(root, 'sha256');
  for (const p of readdirSync(base)) for (const r of readdirSync(join(base, p))) out.set(p + r, sha(readFileSync(join(base, p, r))) === p + r);
  return out;
}

describe('push repairs a damaged object on a local remote', () => {
  let repo: string;
  let remote: string;
  let clone: string;
  const files = { 'a.bin': randomBytes(200_000), 'b.bin': randomBytes(5_000), 'c.txt': Buffer.from('small\n') };
  const hashOf = (name: keyof typeof files) => sha(files[name]);
  const objFile = (h: string) => join(remote, 'sha256', h.slice(0, 2), h.slice(2));

  before(() => {
    repo = makeRepo();
    remote = join(tempDir('mlv-remote-'), 'store');
    clone = join(tempDir('mlv-clone-'), 'c');
    mlvOk(repo, ['init']);
    for (const [n, b] of Object.entries(files)) writeFileSync(join(repo, n), b);
    mlvOk(repo, ['add', ...Object.keys(files)]);
    mlvOk(repo, ['remote', 'add', 'store', remote, '--default']);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'data']);
    const r = mlvOk(repo, ['push']);
    assert.match(r.stdout, /pushed 3 object\(s\)/);
    git(tempDir('mlv-clone-parent-'), ['clone', '-q', repo, clone]);
  });
  after(() => { removeDir(repo); removeDir(join(remote, '..')); removeDir(join(clone, '..')); });

  test('a truncated object is replaced by a plain push; the others are left alone', () => {
    const h = hashOf('a.bin');
    chmodSync(objFile(h), 0o644);
    truncateSync(objFile(h), 1000);
    const r = mlv(repo, ['push']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pushed 1 object\(s\) \(195 KiB\) to 'store'; 2 already there/);
    assert.equal(r.stderr.trim(), `mlv: replaced 1 damaged object(s) on 'store' (${h.slice(0, 12)})`);
    assert.deepEqual([...remoteObjects(remote).values()], [true, true, true]);
    assert.match(mlvOk(repo, ['push']).stdout, /pushed 0 object\(s\).*3 already there/);
  });

  test('a same-size corrupt object: a plain push cannot tell, pull refuses it naming the fix, push --verify replaces it, then pull works', () => {
    const h = hashOf('b.bin');
    flipByte(objFile(h));
    assert.match(mlvOk(repo, ['push']).stdout, /pushed 0 object\(s\).*3 already there/, 'a listing cannot see a same-size change');

    const bad = mlv(clone, ['pull']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`object ${h} is corrupt`));
    assert.match(bad.stderr, /1 damaged on the remote: 'mlv push --verify' from a clone that has them replaces them/);

    const json = JSON.parse(mlvOk(repo, ['push', '--verify', '--json']).stdout) as { transferred: number; skipped: number; repaired: string[] };
    assert.deepEqual(json.repaired, [h]);
    assert.equal(json.transferred, 1);
    assert.equal(json.skipped, 2);
    assert.deepEqual([...remoteObjects(remote).values()], [true, true, true]);
    const again = mlvOk(repo, ['push', '--verify']);
    assert.match(again.stdout, /pushed 0 object\(s\).*3 already there/);
    assert.equal(again.stderr, '');

    mlvOk(clone, ['pull']);
    for (const [n, b] of Object.entries(files)) assert.ok(readFileSync(join(clone, n)).equals(b), n);
  });

  test('status --remote counts a truncated object as not pushed', () => {
    const h = hashOf('c.txt');
    chmodSync(objFile(h), 0o644);
    truncateSync(objFile(h), 2);
    const st = JSON.parse(mlvOk(repo, ['status', '--remote', '--json']).stdout) as { notPushed: Array<{ path: string }> };
    assert.deepEqual(st.notPushed.map((r) => r.path), ['c.txt']);
    mlvOk(repo, ['push']);
    assert.equal(remoteObjects(remote).get(h), true);
  });
});

describe('push --verify on an S3 remote', () => {
  let s3: S3Server;
  let env: Record<string, string>;
  let repo: string;
  before(async () => {
    s3 = await startS3(['bkt']);
    env = s3Env();
    repo = makeRepo();
    await mlvAsyncOk(repo, ['init'], env);
    writeFileSync(join(repo, 'd.bin'), randomBytes(50_000));
    await mlvAsyncOk(repo, ['add', 'd.bin'], env);
    await mlvAsyncOk(repo, ['remote', 'add', 's3', 's3://bkt/v', '--endpoint-url', s3.endpoint, '--default', '--force'], env);
    await mlvAsyncOk(repo, ['push'], env);
  });
  after(async () => { await s3.close(); removeDir(repo); });

  test('downloads and re-hashes what the bucket holds, and replaces a same-size corrupt object', async () => {
    const h = sha(readFileSync(join(repo, 'd.bin')));
    const f = s3.objectFile('bkt', `v/sha256/${h.slice(0, 2)}/${h.slice(2)}`);
    flipByte(f, 1000);
    assert.match((await mlvAsyncOk(repo, ['push'], env)).stdout, /pushed 0 object\(s\).*1 already there/);
    const r = await mlvAsync(repo, ['push', '--verify'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pushed 1 object\(s\)/);
    assert.match(r.stderr, /replaced 1 damaged object\(s\) on 's3'/);
    assert.equal(sha(readFileSync(f)), h);
    const cacheTmp = join(repo, '.mlv', 'cache', 'tmp');
    assert.deepEqual(readdirSync(cacheTmp).filter((n) => !n.startsWith('.')), [], 'no verification download left in the cache');
  });
});
