import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cutAll, findCutJs, FORMAT_PARAMS, gearTable, type ChunkParams } from '../../../src/store/chunker.js';
import { GEAR_WASM_BASE64 } from '../../../src/store/wasm/gear.js';
import { ROOT } from '../../helpers/repo.js';
import { cutFile, fileIdSync } from '../../../src/store/chunked.js';
import { chunkedId, parseChunkList, serializeChunkList } from '../../../src/store/chunklist.js';
import { removeDir, tempDir } from '../../helpers/repo.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';

/** Deterministic bytes (mulberry32), so a pinned figure means the same input everywhere. */
function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i += 4) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out.writeUInt32LE((t ^ (t >>> 14)) >>> 0, Math.min(i, n - 4));
  }
  return out;
}

const SMALL: ChunkParams = { threshold: 8 << 10, min: 512, normal: 1 << 10, max: 4 << 10, maskS: (~0 << 20) | 0, maskL: (~0 << 24) | 0 };

test('the gear table is the one docs/FORMAT.md defines: SHA-256 of "m" and the byte, first 4 bytes big-endian', () => {
  for (const b of [0, 1, 0x6d, 200, 255]) {
    const d = createHash('sha256').update(Buffer.from([0x6d, b])).digest();
    assert.equal(gearTable()[b] >>> 0, d.readUInt32BE(0));
  }
  assert.equal(new Set(gearTable()).size, 256);
});

test('chunk sizes stay within min and max, and the format sizes give about a thousand chunks per GiB or fewer', () => {
  const data = pseudoRandom(64 << 20, 7);
  const sizes = cutAll(data, FORMAT_PARAMS);
  assert.equal(sizes.reduce((a, b) => a + b, 0), data.length);
  for (const s of sizes.slice(0, -1)) assert.ok(s >= FORMAT_PARAMS.min && s <= FORMAT_PARAMS.max, `chunk of ${s} bytes`);
  const perGiB = (sizes.length * (1 << 30)) / data.length;
  assert.ok(perGiB <= 1000 && perGiB >= 500, `${perGiB} chunks per GiB`);
});

test('the WebAssembly cut loop cuts exactly where the JS one does', () => {
  for (const [data, p] of [[pseudoRandom(24 << 20, 5), FORMAT_PARAMS], [pseudoRandom(300_000, 6), SMALL]] as const) {
    assert.deepEqual(cutAll(data, p), cutAll(data, p, findCutJs));
  }
  // Runs of one byte value: no cut before the maximum, in either.
  const flat = Buffer.alloc(10 << 20, 7);
  assert.deepEqual(cutAll(flat, FORMAT_PARAMS), cutAll(flat, FORMAT_PARAMS, findCutJs));
});

test('the embedded WebAssembly is what wat2wasm makes of gear.wat (when wabt is installed)', (t) => {
  const dir = tempDir();
  try {
    const out = join(dir, 'gear.wasm');
    const r = spawnSync('wat2wasm', [join(ROOT, 'src/store/wasm/gear.wat'), '-o', out]);
    if (r.error) { t.skip('wat2wasm is not installed'); return; }
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(readFileSync(out).toString('base64'), GEAR_WASM_BASE64);
  } finally {
    removeDir(dir);
  }
});

test('an insertion near the start moves cut points only near it', () => {
  const data = pseudoRandom(400_000, 11);
  const edited = Buffer.concat([data.subarray(0, 1000), Buffer.from('a new row,1,2,3\n'), data.subarray(1000)]);
  const hashes = (buf: Buffer) => {
    const out: string[] = [];
    let at = 0;
    for (const s of cutAll(buf, SMALL)) { out.push(createHash('sha256').update(buf.subarray(at, at + s)).digest('hex')); at += s; }
    return out;
  };
  const a = hashes(data);
  const b = hashes(edited);
  const shared = b.filter((h) => a.includes(h)).length;
  assert.ok(a.length > 100, `${a.length} chunks`);
  assert.ok(b.length - shared <= 3, `${b.length - shared} of ${b.length} chunks are new`);
});

test('a file cut in a stream of windows gives the cuts of the whole buffer, and the same id twice', async () => {
  const dir = tempDir();
  try {
    // Over 16 MiB: the stream reads it in several windows, carrying chunks across them.
    const data = pseudoRandom(40 << 20, 3);
    const file = join(dir, 'big.bin');
    writeFileSync(file, data);
    const r = await cutFile(file, { params: FORMAT_PARAMS });
    assert.deepEqual(r.chunks.map((c) => c.size), cutAll(data, FORMAT_PARAMS));
    let at = 0;
    for (const c of r.chunks) { assert.equal(c.hash, createHash('sha256').update(data.subarray(at, at + c.size)).digest('hex')); at += c.size; }
    assert.equal(r.id, chunkedId(createHash('sha256').update(serializeChunkList(r.chunks)).digest('hex')));
    assert.equal((await cutFile(file, { params: FORMAT_PARAMS })).id, r.id);
    assert.equal(fileIdSync(file, FORMAT_PARAMS), r.id);
  } finally {
    removeDir(dir);
  }
});

test('cutting into a store over many windows: every chunk written is the bytes it names (read windows are reused)', async () => {
  const dir = tempDir();
  try {
    // 72 MiB: five 16 MiB reads and the end, so each of the three windows is read into
    // again while chunks cut from it may still be being written.
    const data = pseudoRandom(72 << 20, 11);
    const file = join(dir, 'big.bin');
    writeFileSync(file, data);
    const store = new ObjectStore(join(dir, 'cache'));
    const r = await cutFile(file, { store, params: FORMAT_PARAMS });
    assert.deepEqual(r.chunks.map((c) => c.size), cutAll(data, FORMAT_PARAMS));
    let at = 0;
    for (const c of r.chunks) {
      assert.ok(readFileSync(store.path(c.hash)).equals(data.subarray(at, at + c.size)), `chunk at ${at}`);
      at += c.size;
    }
    assert.equal(at, data.length);
    assert.equal(r.id, fileIdSync(file, FORMAT_PARAMS));
  } finally {
    removeDir(dir);
  }
});

test('the format is pinned: this input keeps this name (a change here is a new format)', () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'pinned.bin');
    writeFileSync(file, pseudoRandom(12 << 20, 42));
    assert.equal(fileIdSync(file, FORMAT_PARAMS), PINNED);
  } finally {
    removeDir(dir);
  }
});
// Computed once from this implementation of FORMAT.md: it guards the format against a
// change of the chunker (a faster loop, WASM) that would cut the same bytes otherwise.
const PINNED = 'sha256-chunks:10f06de6a0a0bb05b9484422dc861eaf7089c13ef23b238b9a8e00bcf4801e3e';

test('chunk lists are canonical and refused when damaged', () => {
  const chunks = [{ hash: 'a'.repeat(64), size: 3 }, { hash: 'b'.repeat(64), size: 5 }];
  const text = serializeChunkList(chunks);
  assert.equal(text, `{"format":"mlv-chunks","version":1,"size":8,"chunks":[{"hash":"sha256:${'a'.repeat(64)}","size":3},{"hash":"sha256:${'b'.repeat(64)}","size":5}]}`);
  assert.deepEqual(parseChunkList(text, 'x'), { size: 8, chunks });
  assert.throws(() => parseChunkList(text.replace('"size":8', '"size":9'), 'x'), /add up to 8/);
  assert.throws(() => parseChunkList(text.replace('"version":1', '"version":2'), 'x'), /newer/);
  assert.throws(() => parseChunkList(text.replace('"size":3', '"size":0'), 'x'), /chunk 0 has a bad size/);
  assert.throws(() => parseChunkList(text.replace('sha256:a', 'sha256:z'), 'x'), /chunk 0 has a bad hash/);
  assert.throws(() => parseChunkList('{"format":"mlv-manifest"}', 'x'), /not a chunk list/);
});
