/**
 * Histograms and split finding, as scikit-learn's HistGradientBoosting splitter.
 *
 * A node's histogram holds, per feature and bin, the sums of the rows' gradients and
 * hessians and their count: `hist[(f * BINS + b) * 3 + {0, 1, 2}]`. A child's is built
 * from its rows, or as its parent's minus its sibling's (histogram subtraction).
 *
 * A split of feature f at bin b sends bins <= b left. Scanned left to right the missing
 * values go right (and b may be the last present bin: present left, missing right);
 * when f had missing values in training, scanned right to left with the missing values
 * going left too, the better of the two kept. Gain: G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ).
 */

/** Bins per feature in a histogram (255 present at most, plus the missing bin). */
export const BINS = 256;
const MIN_HESSIAN_TO_SPLIT = 1e-3;
const TINY = 1e-15;

export interface SplitContext {
  binned: Uint8Array[];
  /** Per feature, bins of present values (thresholds + 1). */
  nonMissing: Int32Array;
  /** Per feature, whether the training rows had a missing value. */
  hasMissing: Uint8Array;
  missingBin: number;
  minSamplesLeaf: number;
  l2: number;
}

export interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  /** Rows the split sends left (from the histogram's counts). */
  nLeft: number;
}

/**
 * A tree's per-row gradients and hessians, derived where they are needed (loss.ts): g =
 * s − target, h = 1 (unitHessian) or s(1 − s). The target is y itself, or for one label
 * k of the multinomial loss 1 where y = k, else 0.
 */
export interface Gradients {
  /** Per training row: the raw score (squared error) or the fitted probability. */
  s: Float64Array;
  y: ArrayLike<number>;
  /** The tree's label (multinomial), or −1: y is the target. */
  k: number;
  unitHessian: boolean;
}

/** Row r's gradient. */
export function gradientOf(gr: Gradients, r: number): number {
  return gr.s[r] - (gr.k < 0 ? gr.y[r] : gr.y[r] === gr.k ? 1 : 0);
}

/** Row r's hessian. */
export function hessianOf(gr: Gradients, r: number): number {
  return gr.unitHessian ? 1 : gr.s[r] * (1 - gr.s[r]);
}

/** Rows per block of gathered gradients when building a histogram. */
export const CHUNK = 4096;

/**
 * Other threads that build part of a histogram (histThreads.ts): `start` hands them a
 * build and returns the first feature they took (the caller builds the features below
 * it), or null when they took none; `finish` waits for them and copies their features
 * into hist.
 */
export interface HistogramHelper {
  start(idx: Int32Array | null, start: number, end: number, gr: Gradients): number | null;
  finish(hist: Float64Array): void;
}

/**
 * The histogram (in a buffer from `pool` when it has one) of rows `idx[start..end)`, or
 * of rows start..end−1 when `idx` is null (the root). A helper, when there is one, may
 * build some of the features at the same time: each feature's bins are summed by one
 * thread in the same order, so the result is the same to the bit.
 */
export function buildHistogram(ctx: SplitContext, idx: Int32Array | null, start: number, end: number, gr: Gradients, og: Float64Array, oh: Float64Array, pool: Float64Array[], helper?: HistogramHelper | null, sums?: Float64Array): Float64Array {
  const p = ctx.binned.length;
  const hist = pool.pop() ?? new Float64Array(p * BINS * 3);
  const taken = helper ? helper.start(idx, start, end, gr) : null;
  histogramFeatures(ctx.binned, idx, start, end, gr, og, oh, hist, 0, taken ?? p, sums);
  if (taken !== null) helper!.finish(hist);
  return hist;
}

/**
 * Features f0..f1−1 of a histogram into hist (zeroed there first). The rows go by blocks
 * of CHUNK: their gradients and hessians gathered into og/oh (CHUNK long), then added
 * feature by feature; every bin still sums its rows in index order, so blocks change no bit.
 * `sums`, when given, receives the rows' gradient and hessian sums, added in row order.
 */
export function histogramFeatures(binned: Uint8Array[], idx: Int32Array | null, start: number, end: number, gr: Gradients, og: Float64Array, oh: Float64Array, hist: Float64Array, f0: number, f1: number, sums?: Float64Array): void {
  hist.fill(0, f0 * BINS * 3, f1 * BINS * 3);
  if (f0 >= f1 && !sums) return;
  const rows = BLOCK_ROWS;
  let G = 0, H = 0;
  for (let c = start; c < end; c += CHUNK) {
    const m = Math.min(CHUNK, end - c);
    gather(gr, idx, c, m, rows, og, oh);
    if (sums) for (let j = 0; j < m; j++) { G += og[j]; H += oh[j]; }
    // Four features per pass over the block (then two, then one): each row's index,
    // gradient and hessian are read once for all four. Each bin still adds its rows in order.
    let f = f0;
    for (; f + 4 <= f1; f += 4) add4(binned[f], binned[f + 1], binned[f + 2], binned[f + 3], f * BINS * 3, rows, m, og, oh, hist);
    for (; f + 2 <= f1; f += 2) add2(binned[f], binned[f + 1], f * BINS * 3, rows, m, og, oh, hist);
    if (f < f1) add1(binned[f], f * BINS * 3, rows, m, og, oh, hist);
  }
  if (sums) { sums[0] = G; sums[1] = H; }
}

/**
 * Rows idx[c..c+m) (or c..c+m−1 without idx) into rows, their gradients and hessians into
 * og and oh: one loop per kind of loss, the same values as gradientOf and hessianOf.
 */
function gather(gr: Gradients, idx: Int32Array | null, c: number, m: number, rows: Int32Array, og: Float64Array, oh: Float64Array): void {
  if (idx) for (let j = 0; j < m; j++) rows[j] = idx[c + j];
  else for (let j = 0; j < m; j++) rows[j] = c + j;
  const S = gr.s, Y = gr.y, k = gr.k;
  if (gr.unitHessian) {
    for (let j = 0; j < m; j++) { const r = rows[j]; og[j] = S[r] - (k < 0 ? Y[r] : Y[r] === k ? 1 : 0); oh[j] = 1; }
  } else if (k < 0) {
    for (let j = 0; j < m; j++) { const r = rows[j]; const p = S[r]; og[j] = p - Y[r]; oh[j] = p * (1 - p); }
  } else {
    for (let j = 0; j < m; j++) { const r = rows[j]; const p = S[r]; og[j] = p - (Y[r] === k ? 1 : 0); oh[j] = p * (1 - p); }
  }
}

/** A block's rows (positions in the binned columns), gathered with their gradients (one per thread: module state). */
const BLOCK_ROWS = new Int32Array(CHUNK);
const STRIDE = BINS * 3;

function add4(c0: Uint8Array, c1: Uint8Array, c2: Uint8Array, c3: Uint8Array, base: number, rows: Int32Array, m: number, og: Float64Array, oh: Float64Array, hist: Float64Array): void {
  for (let j = 0; j < m; j++) {
    const r = rows[j], g = og[j], h = oh[j];
    let b = base + c0[r] * 3;
    hist[b] += g; hist[b + 1] += h; hist[b + 2]++;
    b = base + STRIDE + c1[r] * 3;
    hist[b] += g; hist[b + 1] += h; hist[b + 2]++;
    b = base + 2 * STRIDE + c2[r] * 3;
    hist[b] += g; hist[b + 1] += h; hist[b + 2]++;
    b = base + 3 * STRIDE + c3[r] * 3;
    hist[b] += g; hist[b + 1] += h; hist[b + 2]++;
  }
}

function add2(c0: Uint8Array, c1: Uint8Array, base: number, rows: Int32Array, m: number, og: Float64Array, oh: Float64Array, hist: Float64Array): void {
  for (let j = 0; j < m; j++) {
    const r = rows[j], g = og[j], h = oh[j];
    let b = base + c0[r] * 3;
    hist[b] += g; hist[b + 1] += h; hist[b + 2]++;
    b = base + STRIDE + c1[r] * 3;
    hist[b] += g; hist[b + 1] += h; hist[b + 2]++;
  }
}

function add1(c0: Uint8Array, base: number, rows: Int32Array, m: number, og: Float64Array, oh: Float64Array, hist: Float64Array): void {
  for (let j = 0; j < m; j++) {
    const b = base + c0[rows[j]] * 3;
    hist[b] += og[j]; hist[b + 1] += oh[j]; hist[b + 2]++;
  }
}

/** parent − sibling, in place into parent (which is then the other child's). */
export function subtractHistogram(parent: Float64Array, sibling: Float64Array): Float64Array {
  for (let i = 0; i < parent.length; i++) parent[i] -= sibling[i];
  return parent;
}

function score(G: number, H: number, l2: number): number {
  return (G * G) / (H + l2 + TINY);
}

/** The best split of a node with sums G, H over `count` rows; gain -1 when none is allowed. */
export function bestSplit(ctx: SplitContext, hist: Float64Array, G: number, H: number, count: number): Split {
  const best: Split = { gain: -1, feature: -1, bin: -1, missingLeft: false, nLeft: 0 };
  const { l2, minSamplesLeaf } = ctx;
  const parent = score(G, H, l2);
  for (let f = 0; f < ctx.binned.length; f++) {
    const base = f * BINS * 3;
    const nb = ctx.nonMissing[f];
    const miss = ctx.hasMissing[f];
    let gain = -1, bin = -1, left = false, nLeft = 0;
    // Left to right: missing values go right.
    let gl = 0, hl = 0, cl = 0;
    const end = nb - 1 + miss;
    for (let b = 0; b < end; b++) {
      const o = base + b * 3;
      gl += hist[o]; hl += hist[o + 1]; cl += hist[o + 2];
      const cr = count - cl;
      if (cl < minSamplesLeaf) continue;
      if (cr < minSamplesLeaf) break;
      const hr = H - hl;
      if (hl < MIN_HESSIAN_TO_SPLIT) continue;
      if (hr < MIN_HESSIAN_TO_SPLIT) break;
      const gn = score(gl, hl, l2) + score(G - gl, hr, l2) - parent;
      if (gn > gain && gn > 0) { gain = gn; bin = b; left = false; nLeft = cl; }
    }
    if (miss) {
      // Right to left: missing values go left.
      let gr = 0, hr = 0, cr = 0;
      for (let b = nb - 2; b >= 0; b--) {
        const o = base + (b + 1) * 3;
        gr += hist[o]; hr += hist[o + 1]; cr += hist[o + 2];
        const cl2 = count - cr;
        if (cr < minSamplesLeaf) continue;
        if (cl2 < minSamplesLeaf) break;
        const hl2 = H - hr;
        if (hr < MIN_HESSIAN_TO_SPLIT) continue;
        if (hl2 < MIN_HESSIAN_TO_SPLIT) break;
        const gn = score(G - gr, hl2, l2) + score(gr, hr, l2) - parent;
        if (gn > gain && gn > 0) { gain = gn; bin = b; left = true; nLeft = cl2; }
      }
    }
    if (gain > best.gain) { best.gain = gain; best.feature = f; best.bin = bin; best.missingLeft = left; best.nLeft = nLeft; }
  }
  return best;
}
