/**
 * S3 remote throughput against s3rver on loopback, compared in the same run with a
 * naive loop of sequential PutObject/GetObject calls over the same objects.
 *
 *   node --import tsx bench/remote.ts                 # 1 GiB file + 10,000 × 100 KiB
 *   MLV_BENCH_SCALE=0.1 node --import tsx bench/remote.ts
 *   MLV_BENCH_RTT_MS=20 MLV_BENCH_SCALE=0.1 node --import tsx bench/remote.ts
 *
 * MLV_BENCH_RTT_MS puts a TCP relay between both clients and s3rver that holds every
 * chunk for half the round trip in each direction: a real S3 endpoint is 1–5 ms away
 * inside its region and 20–80 ms from a laptop, where loopback is ~0.05 ms. (This
 * kernel has no netem qdisc, so the delay is made in user space, in its own process.)
 *
 * s3rver runs in its own process so client and server do not share one event loop.
 * mlv's side does strictly more work than the naive loop: it hashes every byte it sends
 * (SHA-256 per object and per part, MD5 to check s3rver's ETags) and re-hashes every
 * download before it enters the cache.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ObjectStore } from '../src/store/ObjectStore.js';
import { makeClient, S3Remote, DEFAULT_TUNING, type S3Tuning } from '../src/remote/s3.js';
import { pullObjects, pushObjects } from '../src/remote/transfer.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';

const SCALE = Number(process.env.MLV_BENCH_SCALE ?? '1');
const BIG_SIZE = Math.round(1024 * 1024 * 1024 * SCALE);
const SMALL_COUNT = Math.max(10, Math.round(10_000 * SCALE));
const SMALL_SIZE = 100 * 1024;
const ROOT = mkdtempSync(join(tmpdir(), 'mlv-bench-remote-'));
// Tuning experiments: MLV_BENCH_PART_MB, MLV_BENCH_THRESHOLD_MB, MLV_BENCH_ONLY=big|small.
const MB = 1024 * 1024;
const tuning: Partial<S3Tuning> = {
  ...(process.env.MLV_BENCH_PART_MB ? { partSize: Number(process.env.MLV_BENCH_PART_MB) * MB } : {}),
  ...(process.env.MLV_BENCH_THRESHOLD_MB ? { multipartThreshold: Number(process.env.MLV_BENCH_THRESHOLD_MB) * MB } : {}),
};
const ONLY = process.env.MLV_BENCH_ONLY;

/** CPU seconds a process has used (Linux /proc), to tell when s3rver is the bottleneck. */
function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return NaN; }
}
let serverPid = 0;

async function startServer(dir: string): Promise<{ endpoint: string; stop: () => void; pid: number }> {
  const script = `const S3rver = require('s3rver');
    new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(dir)}, configureBuckets: [{ name: 'bench' }] })
      .run().then((a) => console.log(JSON.stringify(a)));`;
  const child = spawn(process.execPath, ['-e', script], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(JSON.parse(d).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill(), pid: child.pid! };
}

/** A relay to `port` on 127.0.0.1 that delays each chunk by `oneWayMs`, in order, both ways. */
async function startDelayRelay(port: number, oneWayMs: number): Promise<{ endpoint: string; stop: () => void }> {
  const script = `const net = require('net');
    const delay = ${oneWayMs};
    function pipe(from, to) {
      const queue = []; let timer = null; let ended = false;
      const drain = () => {
        timer = null;
        const now = Date.now();
        while (queue.length && queue[0].at <= now) to.write(queue.shift().data);
        if (queue.length) timer = setTimeout(drain, queue[0].at - now);
        else if (ended) to.end();
      };
      from.on('data', (data) => { queue.push({ at: Date.now() + delay, data }); if (!timer) timer = setTimeout(drain, delay); });
      from.on('end', () => { ended = true; if (!timer) to.end(); });
      from.on('error', () => to.destroy());
    }
    const server = net.createServer((c) => {
      c.setNoDelay(true);
      const u = net.connect(${port}, '127.0.0.1');
      u.setNoDelay(true);
      pipe(c, u); pipe(u, c);
    });
    server.listen(0, '127.0.0.1', () => console.log(JSON.stringify(server.address())));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const relayPort = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(JSON.parse(d).port));
    child.once('exit', (code) => reject(new Error(`relay exited ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${relayPort}`, stop: () => child.kill() };
}

/** Pseudo-random bytes without paying for crypto-quality randomness on a gibibyte. */
function fill(buf: Buffer, seed: number): Buffer {
  let x = seed >>> 0 || 1;
  for (let i = 0; i + 4 <= buf.length; i += 4) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; buf.writeUInt32LE(x >>> 0, i); }
  return buf;
}

async function makeData(store: ObjectStore): Promise<{ big: string; small: string[] }> {
  const small: string[] = [];
  const b = Buffer.alloc(SMALL_SIZE);
  for (let i = 0; i < (ONLY === 'big' ? 10 : SMALL_COUNT); i++) small.push(store.addBytes(fill(b, i + 1)).hash);
  const file = join(ROOT, 'big.bin');
  const fd = openSync(file, 'w');
  const BIG = ONLY === 'small' ? 1024 : BIG_SIZE;
  const chunk = fill(Buffer.alloc(16 * 1024 * 1024), 7);
  for (let off = 0, n = 0; off < BIG; off += chunk.length, n++) {
    chunk.writeUInt32LE(n, 0); // every chunk differs
    writeSync(fd, chunk, 0, Math.min(chunk.length, BIG - off));
  }
  closeSync(fd);
  const big = (await store.addFile(file)).hash;
  rmSync(file);
  return { big, small };
}

async function time(label: string, fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const s0 = cpuOf(serverPid);
  await fn();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const c = process.cpuUsage(c0);
  console.log(`  ${label.padEnd(34)} ${s.toFixed(2).padStart(8)} s   cpu: client ${((c.user + c.system) / 1e6).toFixed(2)} s, s3rver ${(cpuOf(serverPid) - s0).toFixed(2)} s`);
  return s;
}

async function naivePut(client: S3Client, store: ObjectStore, hashes: string[], streamed: boolean): Promise<void> {
  for (const h of hashes) {
    const body = streamed ? createReadStream(store.path(h)) : readFileSync(store.path(h));
    await client.send(new PutObjectCommand({ Bucket: 'bench', Key: `naive/${h}`, Body: body, ContentLength: store.size(h) }));
  }
}

async function naiveGet(client: S3Client, hashes: string[], dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const h of hashes) {
    const res = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: `naive/${h}` }));
    await pipeline(res.Body as Readable, createWriteStream(join(dir, h)));
  }
}

async function main(): Promise<void> {
  const rtt = Number(process.env.MLV_BENCH_RTT_MS ?? '0');
  console.log(`mlv S3 remote bench: scale ${SCALE}: one ${(BIG_SIZE / 2 ** 20).toFixed(0)} MiB object, ${SMALL_COUNT} × ${SMALL_SIZE / 1024} KiB objects; s3rver on loopback${rtt ? `, through a relay adding ${rtt} ms round trip` : ''}`);
  const server = await startServer(join(ROOT, 's3rver'));
  serverPid = server.pid;
  const relay = rtt > 0 ? await startDelayRelay(Number(new URL(server.endpoint).port), rtt / 2) : undefined;
  const endpoint = relay?.endpoint ?? server.endpoint;
  const cfg = { url: 's3://bench/mlv', endpoint_url: endpoint };
  const store = new ObjectStore(join(ROOT, 'cache'));
  const { big, small } = await makeData(store);
  const naive = makeClient(cfg);
  const remote = (t: Partial<S3Tuning> = {}) => new S3Remote('bench', cfg.url, makeClient(cfg), 'bench', 'mlv', { endpoint, tuning: { ...tuning, ...t } });
  const rows: Array<{ what: string; naive: number; mlv: number; bytes: number }> = [];
  try {
    const cases = ([['small files', small], ['big file', [big]]] as Array<[string, string[]]>).filter(([w]) => !ONLY || w.startsWith(ONLY));
    for (const [what, hashes] of cases) {
      const bytes = hashes.reduce((s, h) => s + store.size(h), 0);
      console.log(`${what}:`);
      const nPut = await time('naive sequential PutObject', () => naivePut(naive, store, hashes, what === 'big file'));
      const r = remote();
      const mPut = await time(`mlv push (jobs ${r.defaultJobs})`, () => pushObjects(store, r, hashes));
      const nGet = await time('naive sequential GetObject', () => naiveGet(naive, hashes, join(ROOT, 'naive-get')));
      const fresh = new ObjectStore(join(ROOT, `pull-${what.replace(' ', '-')}`));
      const mGet = await time('mlv pull (verified into cache)', async () => {
        const res = await pullObjects(fresh, r, hashes);
        if (res.transferred !== hashes.length) throw new Error(`pulled ${res.transferred} of ${hashes.length}: ${res.failed[0]?.error}`);
      });
      await r.close();
      rows.push({ what: `push ${what}`, naive: nPut, mlv: mPut, bytes }, { what: `pull ${what}`, naive: nGet, mlv: mGet, bytes });
      rmSync(join(ROOT, 'naive-get'), { recursive: true, force: true });
      rmSync(join(ROOT, `pull-${what.replace(' ', '-')}`), { recursive: true, force: true });
    }
    if (ONLY !== 'big') console.log(`listing ${SMALL_COUNT + 1} objects:`);
    for (const listMode of ONLY === 'big' ? [] : (['prefixes', 'paged', 'auto'] as const)) {
      const r = remote({ listMode });
      let n = 0;
      await time({ prefixes: 'per 2-hex prefix, 16 in parallel', paged: 'one paginated listing', auto: 'auto (the default)' }[listMode], async () => { n = (await r.listSizes()).size; });
      if (n !== SMALL_COUNT + 1) throw new Error(`listed ${n}`);
      await r.close();
    }
    console.log('\nsummary (naive time / mlv time: > 1 means mlv is faster)');
    for (const x of rows) {
      const mb = x.bytes / 2 ** 20;
      console.log(`  ${x.what.padEnd(18)} naive ${(mb / x.naive).toFixed(0).padStart(5)} MiB/s   mlv ${(mb / x.mlv).toFixed(0).padStart(5)} MiB/s   speed-up ${(x.naive / x.mlv).toFixed(2)}x`);
    }
    console.log(`  defaults: multipart from ${(tuning.multipartThreshold ?? DEFAULT_TUNING.multipartThreshold) / 2 ** 20} MiB, parts of ${(tuning.partSize ?? DEFAULT_TUNING.partSize) / 2 ** 20} MiB, ${DEFAULT_TUNING.partJobs} parts per object at once`);
  } finally {
    naive.destroy();
    relay?.stop();
    server.stop();
    rmSync(ROOT, { recursive: true, force: true });
  }
}

await main();
