/**
 * The S3 remote's upload paths through the library, against s3rver on 127.0.0.1:
 * multipart with small parts, verified round trips, and a damaged local cache object
 * that must never become readable on the remote.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { makeClient, S3Remote } from '../../src/remote/s3.js';
import { pullObjects, pushObjects } from '../../src/remote/transfer.js';
import { removeDir, tempDir } from '../helpers/repo.js';
import { s3Env, startS3, type S3Server } from '../helpers/s3server.js';

let s3: S3Server;
const dirs: string[] = [];
const MiB = 1024 * 1024;

function remote(prefix: string): S3Remote {
  const cfg = { url: `s3://bkt/${prefix}`, endpoint_url: s3.endpoint };
  return new S3Remote('t', cfg.url, makeClient(cfg), 'bkt', prefix, {
    endpoint: s3.endpoint,
    tuning: { multipartThreshold: 5 * MiB, partSize: 5 * MiB, partJobs: 2, partBuffers: 3 },
  });
}

function store(): ObjectStore {
  const d = tempDir();
  dirs.push(d);
  return new ObjectStore(join(d, 'cache'));
}

/** Overwrite a (read-only) cache object in place, keeping its size. */
function damage(s: ObjectStore, hash: string): void {
  const p = s.path(hash);
  const data = readFileSync(p);
  data[data.length >> 1] ^= 0x5a;
  chmodSync(p, 0o644);
  writeFileSync(p, data);
}

before(async () => {
  Object.assign(process.env, s3Env());
  s3 = await startS3(['bkt']);
});
after(async () => {
  await s3.close();
  for (const d of dirs) removeDir(d);
});

test('multipart and single uploads round-trip byte for byte, verified on the way back', async () => {
  const src = store();
  const big = src.addBytes(randomBytes(12 * MiB + 17)); // three parts: 5 + 5 + 2 MiB
  const small = src.addBytes(randomBytes(4096));
  const empty = src.addBytes(Buffer.alloc(0));
  const r = remote('rt');
  try {
    const pushed = await pushObjects(src, r, [big.hash, small.hash, empty.hash]);
    assert.deepEqual(pushed.failed, []);
    assert.equal(pushed.transferred, 3);
    const sizes = await r.listSizes();
    assert.equal(sizes.get(big.hash), big.size);
    assert.equal(sizes.get(empty.hash), 0);
    const onDisk = readFileSync(s3.objectFile('bkt', r.key(big.hash)));
    assert.equal(createHash('sha256').update(onDisk).digest('hex'), big.hash);

    const dst = store();
    const pulled = await pullObjects(dst, r, [big.hash, small.hash, empty.hash]);
    assert.deepEqual(pulled.failed, []);
    assert.equal(pulled.transferred, 3);
    assert.deepEqual(readFileSync(dst.path(big.hash)), readFileSync(src.path(big.hash)));
    assert.deepEqual(readFileSync(dst.path(empty.hash)), Buffer.alloc(0));
  } finally {
    await r.close();
  }
});

test('a damaged local object is refused and never readable on the remote (single PUT and multipart)', async () => {
  const src = store();
  const big = src.addBytes(randomBytes(11 * MiB));
  const small = src.addBytes(randomBytes(50_000));
  damage(src, big.hash);
  damage(src, small.hash);
  const r = remote('damaged');
  try {
    const res = await pushObjects(src, r, [big.hash, small.hash]);
    assert.equal(res.transferred, 0);
    assert.equal(res.failed.length, 2);
    for (const f of res.failed) assert.match(f.error, /is corrupt/);
    assert.equal((await r.list()).size, 0);
    assert.equal(existsSync(s3.objectFile('bkt', r.key(small.hash))), false);
    assert.equal(existsSync(s3.objectFile('bkt', r.key(big.hash))), false);
  } finally {
    await r.close();
  }
});

test('listing past one page: per-prefix, paginated and automatic listings agree', async () => {
  const src = store();
  const hashes: string[] = [];
  for (let i = 0; i < 1030; i++) hashes.push(src.addBytes(`object ${i}`).hash);
  const r = remote('many');
  try {
    const res = await pushObjects(src, r, hashes, { jobs: 16 });
    assert.equal(res.transferred, 1030);
    const auto = await r.listSizes();
    const prefixes = await new S3Remote('t', 's3://bkt/many', makeClient({ url: 's3://bkt/many', endpoint_url: s3.endpoint }), 'bkt', 'many', { tuning: { listMode: 'prefixes' } }).listSizes();
    const paged = await new S3Remote('t', 's3://bkt/many', makeClient({ url: 's3://bkt/many', endpoint_url: s3.endpoint }), 'bkt', 'many', { tuning: { listMode: 'paged' } }).listSizes();
    assert.equal(auto.size, 1030);
    assert.deepEqual(new Set(auto.keys()), new Set(hashes));
    assert.deepEqual(auto, paged);
    assert.deepEqual(prefixes, paged);
  } finally {
    await r.close();
  }
});
