/**
 * bench/hash: the hash implementations available here, on one buffer in memory, so the
 * README's choice (node:crypto SHA-256 for object names) rests on figures from this machine.
 *   node --import tsx bench/hash.ts     (MLV_BENCH_MB=256 by default)
 */
import { createHash } from 'node:crypto';
import { createBLAKE3, createSHA256, createXXHash128, createXXHash64 } from 'hash-wasm';

const MB = Number(process.env.MLV_BENCH_MB ?? 256);
const buf = Buffer.alloc(MB * 1024 * 1024);
for (let i = 0; i < buf.length; i += 4096) buf[i] = i & 0xff;
const CH = 4 * 1024 * 1024;

async function measure(name: string, run: () => Promise<void> | void): Promise<number> {
  await run(); // warm-up (WASM instantiation, JIT)
  const t = process.hrtime.bigint();
  await run();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const mbs = buf.length / s / 1e6;
  console.log(`${name.padEnd(28)} ${mbs.toFixed(0).padStart(6)} MB/s`);
  return mbs;
}

const chunks = (update: (b: Uint8Array) => void) => { for (let o = 0; o < buf.length; o += CH) update(buf.subarray(o, o + CH)); };
const ref = await measure('node:crypto sha256', () => { const h = createHash('sha256'); chunks((b) => h.update(b)); h.digest('hex'); });
for (const [name, make] of [['hash-wasm sha256', createSHA256], ['hash-wasm blake3', createBLAKE3], ['hash-wasm xxhash64', createXXHash64], ['hash-wasm xxhash128', createXXHash128]] as const) {
  const h = await (make as () => Promise<{ init(): unknown; update(b: Uint8Array): unknown; digest(): string }>)();
  const mbs = await measure(name, () => { h.init(); chunks((b) => h.update(b)); h.digest(); });
  console.log(`${''.padEnd(28)} ${(mbs / ref).toFixed(2)}x node:crypto sha256`);
}
