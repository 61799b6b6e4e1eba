/**
 * S3 remotes when things go wrong: each fault is one line on stderr, a non-zero exit,
 * no credentials in the output, and nothing corrupt left in the cache or on the remote.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, removeDir, tempDir } from '../helpers/repo.js';
import { closedPort, cuttingProxy, mlvAsync, mlvAsyncOk, s3Env, startS3, type S3Server } from '../helpers/s3server.js';

let s3: S3Server;
let env: Record<string, string>;
let repo: string;
const dirs: string[] = [];
const SECRET = 'S3RVER';

function oneLine(r: { stderr: string; stdout: string }): void {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0], /^mlv: /);
  assert.doesNotMatch(r.stderr + r.stdout, /\bat .+:\d+:\d+|S3RVER|wrong-secret/);
}

/** Every object in the cache hashes to its name; no temp files are left behind. */
function assertCacheIntact(dir: string): number {
  const base = join(dir, '.mlv', 'cache', 'objects', 'sha256');
  let n = 0;
  if (existsSync(base)) {
    for (const p of readdirSync(base)) {
      for (const r of readdirSync(join(base, p))) {
        assert.equal(createHash('sha256').update(readFileSync(join(base, p, r))).digest('hex'), p + r);
        n++;
      }
    }
  }
  const tmp = join(dir, '.mlv', 'cache', 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], []);
  return n;
}

async function remoteAdd(dir: string, name: string, url: string, endpoint: string, extra: string[] = []): Promise<void> {
  await mlvAsyncOk(dir, ['remote', 'add', name, url, '--endpoint-url', endpoint, '--force', ...extra], env);
}

before(async () => {
  s3 = await startS3(['bkt']);
  env = s3Env();
  repo = makeRepo();
  dirs.push(repo);
  await mlvAsyncOk(repo, ['init'], env);
  mkdirSync(join(repo, 'data'));
  for (let i = 0; i < 30; i++) writeFileSync(join(repo, 'data', `f${i}.bin`), randomBytes(100 * 1024));
  await mlvAsyncOk(repo, ['add', 'data'], env);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'data']);
});
after(async () => {
  await s3.close();
  for (const d of dirs) removeDir(d);
});

describe('configuration faults', () => {
  test('a bad s3 URL and S3 options on a local remote are input errors', async () => {
    let r = await mlvAsync(repo, ['remote', 'add', 'x', 's3://Bad_Bucket/p'], env);
    assert.equal(r.code, 2);
    oneLine(r);
    r = await mlvAsync(repo, ['remote', 'add', 'x', '/tmp/somewhere', '--region', 'eu-west-1'], env);
    assert.equal(r.code, 2);
    oneLine(r);
  });

  test('--profile goes to .mlv/config.local, the endpoint to .mlv/config', async () => {
    await remoteAdd(repo, 'prof', 's3://bkt/p', s3.endpoint, ['--profile', 'nosuchprofile']);
    assert.match(readFileSync(join(repo, '.mlv', 'config.local'), 'utf8'), /prof:\n\s+profile: "nosuchprofile"/);
    const shared = readFileSync(join(repo, '.mlv', 'config'), 'utf8');
    assert.doesNotMatch(shared, /nosuchprofile/);
    assert.ok(shared.includes(s3.endpoint));
    assert.match(git(repo, ['check-ignore', '.mlv/config.local']), /config\.local/);
    // A profile that does not exist: no credentials, said in one line.
    const r = await mlvAsync(repo, ['push', 'prof'], { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    assert.equal(r.code, 2);
    oneLine(r);
    assert.match(r.stderr, /no AWS credentials.*nosuchprofile/);
  });

  test('missing bucket: exit 2, one line naming it', async () => {
    await remoteAdd(repo, 'nob', 's3://no-such-bucket/p', s3.endpoint);
    for (const cmd of ['push', 'pull', 'fetch']) {
      const r = await mlvAsync(repo, [cmd, 'nob'], env);
      assert.equal(r.code, 2, `${cmd}: ${r.stderr}`);
      oneLine(r);
      assert.match(r.stderr, /bucket 'no-such-bucket' does not exist/);
    }
  });

  test('wrong endpoint (nothing listening): exit 2, one line', async () => {
    await remoteAdd(repo, 'closed', 's3://bkt/p', `http://127.0.0.1:${await closedPort()}`);
    const r = await mlvAsync(repo, ['push', 'closed'], env);
    assert.equal(r.code, 2);
    oneLine(r);
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  test('missing credentials: exit 2, one line', async () => {
    await remoteAdd(repo, 'good', 's3://bkt/p', s3.endpoint);
    const r = await mlvAsync(repo, ['push', 'good'], { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' });
    assert.equal(r.code, 2);
    oneLine(r);
    assert.match(r.stderr, /no AWS credentials found/);
  });

  test('access denied (an access key the server does not know): exit 2, one line, no secret', async () => {
    const r = await mlvAsync(repo, ['push', 'good'], { ...env, AWS_ACCESS_KEY_ID: 'UNKNOWNKEY', AWS_SECRET_ACCESS_KEY: 'wrong-secret' });
    assert.equal(r.code, 2);
    oneLine(r);
    assert.match(r.stderr, /access denied to s3:\/\/bkt\/p \(InvalidAccessKeyId\)/);
  });
});

describe('network failing mid-transfer', () => {
  test('push and pull stop with one line; the next run completes; nothing corrupt remains', async () => {
    const proxy = await cuttingProxy(s3.port, 1_200_000);
    try {
      await remoteAdd(repo, 'flaky', 's3://bkt/net', proxy.endpoint);
      const r = await mlvAsync(repo, ['push', 'flaky', '-j', '4'], env);
      assert.equal(r.code, 1, r.stderr);
      oneLine(r);
      assert.match(r.stderr, /network error during upload/);
    } finally {
      await proxy.close();
    }
    // Same bucket and prefix, straight to the server: finishes, and every object is whole.
    await remoteAdd(repo, 'direct', 's3://bkt/net', s3.endpoint);
    const done = JSON.parse((await mlvAsyncOk(repo, ['push', 'direct', '--json'], env)).stdout);
    assert.ok(done.transferred > 0 && done.skipped > 0, JSON.stringify(done));
    for (const [h] of Object.entries(localObjects(repo))) {
      const f = s3.objectFile('bkt', `net/sha256/${h.slice(0, 2)}/${h.slice(2)}`);
      assert.equal(createHash('sha256').update(readFileSync(f)).digest('hex'), h);
    }

    // A clone pulling through a connection that dies: one line, only verified objects cached.
    const dir = tempDir();
    dirs.push(dir);
    git(dir, ['clone', '-q', repo, 'c']);
    const c = join(dir, 'c');
    const pull = await cuttingProxy(s3.port, 1_200_000);
    try {
      await remoteAdd(c, 'flaky', 's3://bkt/net', pull.endpoint);
      const r = await mlvAsync(c, ['pull', 'flaky', '-j', '4'], env);
      assert.notEqual(r.code, 0);
      oneLine(r);
      const n = assertCacheIntact(c);
      assert.ok(n < 31, `cached ${n}`);
    } finally {
      await pull.close();
    }
    await remoteAdd(c, 'direct', 's3://bkt/net', s3.endpoint);
    await mlvAsyncOk(c, ['pull', 'direct'], env);
    assert.equal(assertCacheIntact(c), 31);
    for (let i = 0; i < 30; i++) assert.deepEqual(readFileSync(join(c, 'data', `f${i}.bin`)), readFileSync(join(repo, 'data', `f${i}.bin`)));
  });
});

function localObjects(dir: string): Record<string, number> {
  const base = join(dir, '.mlv', 'cache', 'objects', 'sha256');
  const out: Record<string, number> = {};
  for (const p of readdirSync(base)) for (const r of readdirSync(join(base, p))) out[p + r] = statSync(join(base, p, r)).size;
  return out;
}
