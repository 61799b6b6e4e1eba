/**
 * Chunked files through an S3 remote (s3rver on 127.0.0.1) and a local one: only missing
 * chunks move, and a push killed midway leaves no chunk list without its chunks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, git, makeRepo, mlvOk, MLV_BIN, removeDir, tempDir } from '../helpers/repo.js';
import { mlvAsyncOk, s3Env, startS3, type S3Server } from '../helpers/s3server.js';

let s3: S3Server;
let s3env: Record<string, string>;
const dirs: string[] = [];
before(async () => {
  s3 = await startS3(['bkt']);
  s3env = s3Env({ MLV_TEST_CHUNKING: '1' });
});
after(async () => {
  await s3.close();
  for (const d of dirs) removeDir(d);
});

function rows(n: number, seed: number): string {
  let out = '';
  let a = seed;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    out += `${i},${a.toString(36)},${a % 1000}\n`;
  }
  return out;
}

test('S3: a chunked file goes up and comes back; an edit pushes only its chunks', async () => {
  const repo = makeRepo();
  dirs.push(repo);
  await mlvAsyncOk(repo, ['init'], s3env);
  await mlvAsyncOk(repo, ['remote', 'add', 'origin', 's3://bkt/chunks', '--endpoint-url', s3.endpoint, '--default'], s3env);
  const v1 = rows(12000, 1);
  writeFileSync(join(repo, 'd.csv'), v1);
  await mlvAsyncOk(repo, ['add', 'd.csv'], s3env);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'v1']);
  const p1 = JSON.parse((await mlvAsyncOk(repo, ['push', '--json'], s3env)).stdout);
  assert.ok(p1.transferred > 50);
  const v2 = 'inserted,row,0\n' + v1;
  writeFileSync(join(repo, 'd.csv'), v2);
  await mlvAsyncOk(repo, ['add', 'd.csv'], s3env);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'v2']);
  const p2 = JSON.parse((await mlvAsyncOk(repo, ['push', '--json'], s3env)).stdout);
  // The first chunk (and maybe the next) and the new list: not the file again.
  assert.ok(p2.transferred <= 4, `${p2.transferred} objects pushed for a one-row insert`);
  assert.ok(p2.bytes < v2.length * 0.15, `${p2.bytes} bytes pushed`);
  for (const [key, n] of s3.writes) if (key.startsWith('chunks/')) assert.equal(n, 1, `${key} written ${n} times`);

  const dir = tempDir();
  dirs.push(dir);
  git(dir, ['clone', '-q', repo, 'c']);
  const clone = join(dir, 'c');
  await mlvAsyncOk(clone, ['pull'], s3env);
  assert.equal(readFileSync(join(clone, 'd.csv'), 'utf8'), v2);
  await mlvAsyncOk(clone, ['get', 'HEAD~1', 'd.csv', '-o', join(dir, 'v1.csv')], s3env);
  assert.equal(readFileSync(join(dir, 'v1.csv'), 'utf8'), v1);
});

test('kill -9 during a push leaves no chunk list on the remote without its chunks', async () => {
  const repo = makeRepo();
  dirs.push(repo);
  mlvOk(repo, ['init']);
  const remote = tempDir();
  dirs.push(remote);
  mlvOk(repo, ['remote', 'add', 'origin', remote, '--default']);
  const big = Buffer.alloc(64 << 20);
  for (let i = 0; i < big.length; i += 512) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(join(repo, 'big.bin'), big);
  mlvOk(repo, ['add', 'big.bin']);
  const child = spawn(process.execPath, [MLV_BIN, 'push', '--jobs', '1'], { cwd: repo, env: env(), stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 400));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  const base = join(remote, 'sha256');
  const there = (h: string) => existsSync(join(base, h.slice(0, 2), h.slice(2)));
  let lists = 0;
  for (const p of existsSync(base) ? readdirSync(base) : []) {
    for (const r of readdirSync(join(base, p))) {
      const text = readFileSync(join(base, p, r));
      if (!text.subarray(0, 30).toString().startsWith('{"format":"mlv-chunks"')) continue;
      lists++;
      for (const c of JSON.parse(text.toString()).chunks) assert.ok(there(c.hash.slice(7)), `list ${p + r} on the remote names a chunk that is not there`);
    }
  }
  // A push run to the end sends the list too.
  mlvOk(repo, ['push']);
  const id = /hash: sha256-chunks:(\S+)/.exec(readFileSync(join(repo, 'big.bin.mlv'), 'utf8'))![1];
  assert.ok(there(id));
  assert.ok(lists <= 1);
});
