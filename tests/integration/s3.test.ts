/**
 * S3 remotes end to end: the real mlv binary against s3rver on 127.0.0.1, real git
 * repositories in temp dirs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { git, makeRepo, removeDir, tempDir } from '../helpers/repo.js';
import { mlvAsync, mlvAsyncOk, s3Env, startS3, type S3Server } from '../helpers/s3server.js';

let s3: S3Server;
let env: Record<string, string>;
const dirs: string[] = [];

function write(root: string, rel: string, data: Buffer): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), data);
}

/** Every file under dir (relative path → sha256), skipping .git and .mlv. */
function snapshot(dir: string, sub = ''): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git' || e.name === '.mlv') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  if (existsSync(join(dir, sub))) walk(join(dir, sub));
  return out;
}

function cacheObjects(repo: string): Map<string, number> {
  const base = join(repo, '.mlv', 'cache', 'objects', 'sha256');
  const out = new Map<string, number>();
  if (!existsSync(base)) return out;
  for (const p of readdirSync(base)) for (const r of readdirSync(join(base, p))) out.set(p + r, statSync(join(base, p, r)).size);
  return out;
}

/** Objects s3rver holds under bucket/prefix: hash → size on its disk. */
function remoteObjects(bucket: string, prefix: string): Map<string, number> {
  const base = join(s3.dir, bucket, ...prefix.split('/'), 'sha256');
  const out = new Map<string, number>();
  if (!existsSync(base)) return out;
  for (const p of readdirSync(base)) {
    for (const f of readdirSync(join(base, p))) {
      const m = /^([0-9a-f]{62})\._S3rver_object$/.exec(f);
      if (m) out.set(p + m[1], statSync(join(base, p, f)).size);
    }
  }
  return out;
}

async function newProject(prefix: string, files: Record<string, Buffer>): Promise<string> {
  const repo = makeRepo();
  dirs.push(repo);
  await mlvAsyncOk(repo, ['init'], env);
  for (const [rel, data] of Object.entries(files)) write(repo, rel, data);
  const tops = [...new Set(Object.keys(files).map((f) => f.split('/')[0]))];
  await mlvAsyncOk(repo, ['add', ...tops], env);
  await mlvAsyncOk(repo, ['remote', 'add', 'origin', `s3://bkt/${prefix}`, '--endpoint-url', s3.endpoint, '--default'], env);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'data']);
  return repo;
}

function clone(repo: string): string {
  const dir = tempDir();
  dirs.push(dir);
  git(dir, ['clone', '-q', repo, 'c']);
  return join(dir, 'c');
}

before(async () => {
  s3 = await startS3(['bkt']);
  env = s3Env();
});
after(async () => {
  await s3.close();
  for (const d of dirs) removeDir(d);
});

describe('s3 remote', () => {
  let a: string;
  const files: Record<string, Buffer> = {};
  before(async () => {
    for (let i = 0; i < 12; i++) files[`data/train/part-${i}.bin`] = randomBytes(40_000 + i);
    for (let i = 0; i < 6; i++) files[`data/test/part-${i}.bin`] = randomBytes(20_000 + i);
    files['data/test/empty.txt'] = Buffer.alloc(0);
    // Multipart uploads are covered by s3multipart.test.ts with small parts.
    files['model.bin'] = randomBytes(3 * 1024 * 1024 + 3);
    a = await newProject('proj', files);
  });

  test('remote add keeps the endpoint in .mlv/config and nothing secret anywhere', () => {
    const cfg = readFileSync(join(a, '.mlv', 'config'), 'utf8');
    assert.match(cfg, /url: "s3:\/\/bkt\/proj"/);
    assert.ok(cfg.includes(`endpoint_url: "${s3.endpoint}"`));
    for (const f of readdirSync(join(a, '.mlv'))) {
      const p = join(a, '.mlv', f);
      if (statSync(p).isFile()) assert.ok(!readFileSync(p, 'utf8').includes('S3RVER'), `${f} holds a credential`);
    }
  });

  test('push sends every object once, in the cache layout, and a second push sends nothing', async () => {
    const local = cacheObjects(a);
    const r = JSON.parse((await mlvAsyncOk(a, ['push', '--json'], env)).stdout);
    assert.equal(r.transferred, local.size);
    assert.equal(r.skipped, 0);
    assert.deepEqual(remoteObjects('bkt', 'proj'), local);
    for (const [h] of local) {
      const remote = readFileSync(s3.objectFile('bkt', `proj/sha256/${h.slice(0, 2)}/${h.slice(2)}`));
      assert.equal(createHash('sha256').update(remote).digest('hex'), h);
    }
    const again = JSON.parse((await mlvAsyncOk(a, ['push', '--json'], env)).stdout);
    assert.equal(again.transferred, 0);
    assert.equal(again.skipped, local.size);
    for (const [key, n] of s3.writes) if (key.startsWith('proj/')) assert.equal(n, 1, `${key} written ${n} times`);
  });

  test('a clone pulls everything back byte for byte', async () => {
    const b = clone(a);
    const r = JSON.parse((await mlvAsyncOk(b, ['pull', '--json'], env)).stdout);
    assert.equal(r.transferred, cacheObjects(a).size);
    assert.deepEqual(snapshot(b), snapshot(a));
    assert.deepEqual(cacheObjects(b), cacheObjects(a));
    const st = await mlvAsync(b, ['status', '--remote', '--json'], env);
    assert.equal(st.code, 0, st.stderr);
    assert.equal(JSON.parse(st.stdout).clean, true);
  });

  test('pull of one directory inside a tracked directory fetches only its files', async () => {
    const c = clone(a);
    const r = JSON.parse((await mlvAsyncOk(c, ['pull', 'data/train', '--json'], env)).stdout);
    // The directory listing (manifest) plus the 12 files under data/train.
    assert.equal(r.transferred, 13);
    assert.deepEqual(snapshot(c, 'data/train'), snapshot(a, 'data/train'));
    assert.equal(existsSync(join(c, 'data', 'test')), false);
    assert.equal(existsSync(join(c, 'model.bin')), false);
    const want = new Set(Object.entries(files).filter(([p]) => p.startsWith('data/train/')).map(([, d]) => createHash('sha256').update(d).digest('hex')));
    const cached = [...cacheObjects(c).keys()];
    assert.equal(cached.filter((h) => want.has(h)).length, 12);
    assert.equal(cached.length, 13);

    // status --remote: the rest is on the remote, not here.
    const st = JSON.parse((await mlvAsyncOk(c, ['status', '--remote', 'origin', '--json'], env)).stdout);
    assert.deepEqual(st.notPushed, []);
    const notLocal = Object.fromEntries(st.notLocal.map((x: { path: string; objects: number }) => [x.path, x.objects]));
    assert.deepEqual(notLocal, { data: 7, 'model.bin': 1 });
    const text = await mlvAsync(c, ['status', '--remote', '--check'], env);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /Not in the local cache/);
    assert.match(text.stdout, /model\.bin/);

    // fetch fills the cache without touching the workspace.
    await mlvAsyncOk(c, ['fetch'], env);
    assert.equal(cacheObjects(c).size, cacheObjects(a).size);
    assert.equal(existsSync(join(c, 'model.bin')), false);
  });

  test('status --remote lists what is not pushed', async () => {
    write(a, 'extra/new.bin', randomBytes(5000));
    await mlvAsyncOk(a, ['add', 'extra'], env);
    const st = JSON.parse((await mlvAsyncOk(a, ['status', '--remote', '--json'], env)).stdout);
    assert.deepEqual(st.notPushed.map((x: { path: string }) => x.path), ['extra']);
    assert.equal(st.notPushed[0].objects, 2); // manifest and file
    assert.equal(st.clean, false);
    const r = JSON.parse((await mlvAsyncOk(a, ['push', '--json'], env)).stdout);
    assert.equal(r.transferred, 2);
    assert.equal(JSON.parse((await mlvAsyncOk(a, ['status', '--remote', '--json'], env)).stdout).clean, true);
  });

  test('a remote object whose bytes do not match its name is refused on pull', async () => {
    const victim = createHash('sha256').update(files['data/train/part-3.bin']).digest('hex');
    const f = s3.objectFile('bkt', `proj/sha256/${victim.slice(0, 2)}/${victim.slice(2)}`);
    const bad = Buffer.from(readFileSync(f));
    bad[100] ^= 0xff;
    writeFileSync(f, bad);
    const b = clone(a);
    const r = await mlvAsync(b, ['pull'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(victim));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(cacheObjects(b).has(victim), false);
    // Everything else arrived intact and verified.
    for (const [h] of cacheObjects(b)) assert.equal(createHash('sha256').update(readFileSync(join(b, '.mlv/cache/objects/sha256', h.slice(0, 2), h.slice(2)))).digest('hex'), h);
    // Repair the remote so other tests see a clean store.
    bad[100] ^= 0xff;
    writeFileSync(f, bad);
  });
});

describe('interrupted push', () => {
  test('a push killed mid-way is finished by the next push, sending nothing twice', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 60; i++) files[`shards/s-${String(i).padStart(2, '0')}.bin`] = randomBytes(100 * 1024);
    const repo = await newProject('killed', files);
    const total = cacheObjects(repo).size;
    const killed = await mlvAsync(repo, ['push', '-j', '4'], { ...env, MLV_TEST_EXIT_AFTER_UPLOADS: '10' });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const local = cacheObjects(repo);
    // Requests already on the wire when the client died may still land on the server:
    // measure the remote once it has stopped changing.
    let after1 = remoteObjects('bkt', 'killed');
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const again = remoteObjects('bkt', 'killed');
      if (again.size === after1.size && [...again].every(([h, n]) => after1.get(h) === n)) break;
      after1 = again;
    }
    const complete = [...after1].filter(([h, size]) => local.get(h) === size).length;
    assert.ok(complete >= 10 && complete < total, `complete after kill: ${complete} of ${total}`);

    const r = JSON.parse((await mlvAsyncOk(repo, ['push', '--json'], env)).stdout);
    assert.equal(r.skipped, complete);
    assert.equal(r.transferred, total - complete);
    assert.deepEqual(remoteObjects('bkt', 'killed'), local);
    // s3rver announces a write after answering it, so a write the killed client never saw
    // answered may go unannounced; what matters is that no key was ever written twice.
    const writes = [...s3.writes].filter(([k]) => k.startsWith('killed/'));
    assert.ok(writes.length >= r.transferred, `${writes.length} writes announced, ${r.transferred} sent by the second push`);
    for (const [key, n] of writes) assert.equal(n, 1, `${key} was written ${n} times`);
  });
});

describe('--all-commits and --exps', () => {
  test('push scopes: workspace, experiments, every commit', async () => {
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const v1 = randomBytes(3000);
    const repo = await newProject('scopes', { 'm/weights.bin': v1 });
    // A side branch: only --all-commits reaches it.
    git(repo, ['checkout', '-q', '-b', 'side']);
    const side = randomBytes(3000);
    write(repo, 'm/weights.bin', side);
    await mlvAsyncOk(repo, ['add', 'm'], env);
    git(repo, ['commit', '-q', '-am', 'side']);
    git(repo, ['checkout', '-q', 'main']);
    const v2 = randomBytes(3000);
    write(repo, 'm/weights.bin', v2);
    await mlvAsyncOk(repo, ['add', 'm'], env);
    git(repo, ['commit', '-q', '-am', 'v2']);
    // An experiment commit on top of main that only refs/mlv/exps points at.
    git(repo, ['checkout', '-q', '-b', 'tmp']);
    const v3 = randomBytes(3000);
    write(repo, 'm/weights.bin', v3);
    await mlvAsyncOk(repo, ['add', 'm'], env);
    git(repo, ['commit', '-q', '-am', 'exp']);
    git(repo, ['update-ref', 'refs/mlv/exps/e1', 'HEAD']);
    git(repo, ['checkout', '-q', 'main']);
    git(repo, ['branch', '-q', '-D', 'tmp']);
    await mlvAsyncOk(repo, ['checkout'], env);

    await mlvAsyncOk(repo, ['push'], env);
    let on = remoteObjects('bkt', 'scopes');
    assert.deepEqual([v1, v2, v3, side].map((b) => on.has(sha(b))), [false, true, false, false]);
    await mlvAsyncOk(repo, ['push', '--exps'], env);
    on = remoteObjects('bkt', 'scopes');
    // The experiment and the history it grew from.
    assert.deepEqual([v1, v2, v3, side].map((b) => on.has(sha(b))), [true, true, true, false]);
    const r = JSON.parse((await mlvAsyncOk(repo, ['push', '--all-commits', '--json'], env)).stdout);
    on = remoteObjects('bkt', 'scopes');
    assert.ok(on.has(sha(side)));
    assert.equal(r.transferred, 2); // the side file and its directory listing
  });
});
