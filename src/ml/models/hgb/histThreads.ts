/**
 * Histograms built on worker threads, for gradient boosting's larger nodes: the features
 * of a histogram are cut into one range per thread; the calling thread builds the first
 * range, each worker one of the others, into a shared scratch histogram the caller then
 * copies from. One thread sums all the rows of a feature in the same order, whoever it
 * is, so models are byte-identical whatever the number of threads.
 *
 * A fit shares its binned columns, gradient sources, labels and row index with the
 * workers once (`attach`, SharedArrayBuffers, no copies), then each build is a few
 * integers in a shared control block and an Atomics wake-up: the fit itself stays
 * synchronous. `detach` sends the workers back to their message loop for the next fit.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads.js';
import { BINS, type Gradients, type HistogramHelper } from './splitter.js';

/** Control block slots (Int32Array). */
export const SEQ = 0, DONE = 1, OP = 2, START = 3, END = 4, ROOT = 5, F0 = 6, F1 = 7, LABEL = 8, OFFSET = 9, SLOTS = 10;
export const OP_BUILD = 1, OP_DETACH = 2;

/** Below this many rows a node's histogram is built by the calling thread alone (a wake-up costs more). */
export const MIN_ROWS = 1024;
/**
 * Below this much work (rows × features × max_iter) a fit stays on one thread: a worker
 * starts cold (loads and compiles the histogram code), which a small fit does not repay.
 */
export const THREADS_MIN_WORK = 20_000_000;
/** Threads at most (the calling one included): a histogram has only so many features to share. */
export const MAX_THREADS = 4;

export function worthThreads(rows: number, features: number, maxIter: number, jobs: number): boolean {
  return jobs > 1 && features > 1 && rows * features * maxIter >= THREADS_MIN_WORK;
}

/** A worker that has not answered in this long is taken for dead. */
const TIMEOUT_MS = 120_000;

/** What a worker receives for one fit; every array on a SharedArrayBuffer. */
export interface AttachMessage {
  type: 'attach';
  ctrl: Int32Array;
  /** p columns of m bytes, one after the other. */
  binned: Uint8Array;
  p: number;
  m: number;
  /** Gradient sources, D × m (probabilities, or the raw scores for squared error). */
  s: Float64Array;
  y: Uint8Array | Int32Array | Float64Array;
  unitHessian: boolean;
  idx: Int32Array;
  scratch: Float64Array;
}

interface Attached { ctrl: Int32Array[]; scratch: Float64Array; s: Float64Array; idx: Int32Array; p: number; seq: number; ranges: Array<[number, number]> }

export class HistogramThreads implements HistogramHelper {
  /** Histogram builds the workers took part in (for tests and benchmarks). */
  shared = 0;
  private at: Attached | null = null;

  private constructor(private readonly workers: Worker[]) {}

  /** Starts `n` workers (the calling thread is one more). */
  static start(n: number): HistogramThreads {
    return new HistogramThreads(Array.from({ length: n }, () => startWorker(import.meta.url, 'histWorker')));
  }

  /**
   * Shares a fit's arrays (all on SharedArrayBuffers) with the workers and waits until
   * each is listening; `binned` is the p columns in one buffer.
   */
  async attach(a: Omit<AttachMessage, 'type' | 'ctrl' | 'scratch'>): Promise<void> {
    const scratch = new Float64Array(new SharedArrayBuffer(a.p * BINS * 3 * 8));
    const ctrl = this.workers.map(() => new Int32Array(new SharedArrayBuffer(SLOTS * 4)));
    // Feature ranges: the calling thread first, then one per worker, as even as they go.
    const parts = this.workers.length + 1;
    const ranges: Array<[number, number]> = [];
    for (let t = 0; t < parts; t++) ranges.push([Math.floor((t * a.p) / parts), Math.floor(((t + 1) * a.p) / parts)]);
    await Promise.all(this.workers.map((w, i) => new Promise<void>((resolve, reject) => {
      const onMessage = (m: unknown) => { if (m === 'ready') { off(); resolve(); } };
      const onError = (e: unknown) => { off(); reject(e); };
      const off = () => { w.off('message', onMessage); w.off('error', onError); };
      w.on('message', onMessage);
      w.on('error', onError);
      const msg: AttachMessage = { type: 'attach', ctrl: ctrl[i], scratch, ...a };
      w.postMessage(msg);
    })));
    this.at = { ctrl, scratch, s: a.s, idx: a.idx, p: a.p, seq: 0, ranges };
  }

  start(idx: Int32Array | null, start: number, end: number, gr: Gradients): number | null {
    const at = this.at;
    if (!at || end - start < MIN_ROWS) return null;
    if (idx && idx !== at.idx) throw new Error('gradient_boosting: a histogram of rows the threads were not given');
    at.seq++;
    const offset = (gr.s.byteOffset - at.s.byteOffset) / 8;
    for (let i = 0; i < at.ctrl.length; i++) {
      const c = at.ctrl[i];
      c[OP] = OP_BUILD; c[START] = start; c[END] = end; c[ROOT] = idx ? 0 : 1;
      c[F0] = at.ranges[i + 1][0]; c[F1] = at.ranges[i + 1][1]; c[LABEL] = gr.k; c[OFFSET] = offset;
      Atomics.store(c, SEQ, at.seq);
      Atomics.notify(c, SEQ);
    }
    this.shared++;
    return at.ranges[0][1];
  }

  finish(hist: Float64Array): void {
    const at = this.at!;
    for (let i = 0; i < at.ctrl.length; i++) this.wait(at.ctrl[i], at.seq);
    const from = at.ranges[1][0] * BINS * 3;
    hist.set(at.scratch.subarray(from), from);
  }

  /** Sends the workers back to their message loop (a fit's end, or its failure). */
  detach(): void {
    const at = this.at;
    if (!at) return;
    this.at = null;
    at.seq++;
    for (const c of at.ctrl) {
      c[OP] = OP_DETACH;
      Atomics.store(c, SEQ, at.seq);
      Atomics.notify(c, SEQ);
    }
    for (const c of at.ctrl) this.wait(c, at.seq);
  }

  async close(): Promise<void> {
    this.detach();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private wait(c: Int32Array, seq: number): void {
    const t = Date.now();
    for (;;) {
      const done = Atomics.load(c, DONE);
      if (done === seq) return;
      if (Date.now() - t > TIMEOUT_MS) throw new Error(`gradient_boosting: a histogram thread has not answered in ${TIMEOUT_MS / 1000} s`);
      Atomics.wait(c, DONE, done, 1000);
    }
  }
}
