/**
 * Content-defined cut points (docs/FORMAT.md, "Chunked files"): FastCDC's normalised
 * gear chunking. The parameters are part of the format: change one and the same bytes
 * get other chunks and another name.
 */
import { createHash } from 'node:crypto';
import { GEAR_WASM_BASE64 } from './wasm/gear.js';

export interface ChunkParams {
  /** Files above this many bytes are chunked. */
  threshold: number;
  min: number;
  normal: number;
  max: number;
  /** Cut masks before and after the normal point (top bits of the 32-bit gear hash). */
  maskS: number;
  maskL: number;
}

const topBits = (n: number): number => (~0 << (32 - n)) | 0;

export const FORMAT_PARAMS: ChunkParams = { threshold: 8 << 20, min: 512 << 10, normal: 1 << 20, max: 4 << 20, maskS: topBits(22), maskL: topBits(18) };

/** MLV_TEST_CHUNKING=1: sizes divided by 1024 and masks 10 bits shorter, so tests chunk small files (FORMAT.md). */
const TEST_PARAMS: ChunkParams = { threshold: 8 << 10, min: 512, normal: 1 << 10, max: 4 << 10, maskS: topBits(12), maskL: topBits(8) };

/**
 * The parameters this process writes with. Read from the environment once, here only:
 * it is a test switch, not a setting (a repository's files must not depend on it).
 */
export const CHUNKING: ChunkParams = process.env.MLV_TEST_CHUNKING === '1' ? TEST_PARAMS : FORMAT_PARAMS;

let gear: Int32Array | undefined;

/**
 * G[b] = first 4 bytes (big-endian) of SHA-256 of "m" followed by the byte b. Made on
 * first use: 256 hashes that every `mlv status` loading this module would pay for.
 */
export function gearTable(): Int32Array {
  if (gear) return gear;
  const g = new Int32Array(256);
  for (let b = 0; b < 256; b++) g[b] = createHash('sha256').update(Uint8Array.of(0x6d, b)).digest().readInt32BE(0);
  return (gear = g);
}

/**
 * Find the end of the chunk that starts at `start` in `buf`, looking no further than
 * `end`. Returns the offset just past the chunk, or -1 when the chunk goes on beyond
 * `end` (the caller gives more bytes, from the same chunk start, or ends the file there).
 * Bytes before the minimum are never looked at.
 *
 * The loop runs in WebAssembly (wasm/gear.wat): measured here 2–3x less CPU than the
 * same loop over a typed array in JS (~0.5 s against 1.0–1.5 s per GiB), the copy of
 * the scanned bytes into its memory included. `findCutJs` is the same loop in JS.
 */
export function findCut(buf: Uint8Array, start: number, end: number, p: ChunkParams = CHUNKING): number {
  const n = end - start;
  if (n <= p.min) return -1;
  const last = start + Math.min(p.max, n);
  const normal = start + Math.min(p.normal, n);
  const w = wasm();
  // In blocks: only the bytes scanned are copied (about half a chunk on average).
  let h = 0;
  for (let from = start + p.min; from < last; from += BLOCK) {
    const to = Math.min(from + BLOCK, last);
    w.heap.set(buf.subarray(from, to), BASE);
    const cut = w.cut(BASE, BASE + Math.max(0, Math.min(normal, to) - from), BASE + (to - from), p.maskS, p.maskL, h);
    if (cut !== 0) return from + (cut - BASE);
    h = w.h.value as number;
  }
  return n >= p.max ? last : -1;
}

const BLOCK = 256 << 10;
/** Where the scanned bytes go in the WebAssembly memory (the gear table is below). */
const BASE = 1024;
let instance: { cut: (i: number, normal: number, last: number, maskS: number, maskL: number, h: number) => number; h: WebAssembly.Global; heap: Uint8Array } | undefined;

function wasm(): NonNullable<typeof instance> {
  if (instance) return instance;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(GEAR_WASM_BASE64, 'base64')));
  const memory = inst.exports.memory as WebAssembly.Memory;
  memory.grow(Math.ceil((BASE + BLOCK) / 65536));
  new Int32Array(memory.buffer, 0, 256).set(gearTable());
  const cut = inst.exports.cut as NonNullable<typeof instance>['cut'];
  return (instance = { cut, h: inst.exports.h as WebAssembly.Global, heap: new Uint8Array(memory.buffer) });
}

/** The cut loop in plain JS: the reference the WebAssembly one is tested against. */
export function findCutJs(buf: Uint8Array, start: number, end: number, p: ChunkParams = CHUNKING): number {
  const n = end - start;
  if (n <= p.min) return -1;
  const normal = start + Math.min(p.normal, n);
  const last = start + Math.min(p.max, n);
  let h = 0;
  let i = start + p.min;
  const g = gearTable();
  // Cutting is harder before the normal point, easier after it: sizes bunch around it.
  const maskS = p.maskS;
  const maskL = p.maskL;
  for (; i < normal; i++) {
    h = ((h << 1) + g[buf[i]]) | 0;
    if ((h & maskS) === 0) return i + 1;
  }
  for (; i < last; i++) {
    h = ((h << 1) + g[buf[i]]) | 0;
    if ((h & maskL) === 0) return i + 1;
  }
  return n >= p.max ? last : -1;
}

/**
 * Every cut of a whole buffer (the file's end closes the last chunk): chunk sizes in
 * order. For tests and small inputs; files are cut in a stream by `ChunkStream`.
 */
export function cutAll(buf: Uint8Array, p: ChunkParams = CHUNKING, find = findCut): number[] {
  const sizes: number[] = [];
  let s = 0;
  while (s < buf.length) {
    const c = find(buf, s, buf.length, p);
    const e = c === -1 ? buf.length : c;
    sizes.push(e - s);
    s = e;
  }
  return sizes;
}
