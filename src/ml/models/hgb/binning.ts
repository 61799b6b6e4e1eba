/**
 * Feature binning, as scikit-learn's _BinMapper: per feature, up to `maxBins` bins whose
 * thresholds are the midpoints between distinct values when there are few, else numpy's
 * 'midpoint' percentiles at linspace(0, 100, maxBins + 1)[1:-1] of the present values
 * (of a seeded sample of at most 200,000 rows). A value's bin is the number of
 * thresholds below it; a missing value (NaN) goes to bin `maxBins`, its own. Bins are
 * bytes, so binned data is one byte per cell.
 */
import { createRng, randInt } from '../../rng.js';

export const SUBSAMPLE = 200_000;

export interface Bins {
  /** Per feature, ascending thresholds: value x is in bin #(thresholds < x). */
  thresholds: Float64Array[];
  /** The missing values' bin (= maxBins). */
  missingBin: number;
}

/** numpy's percentile(sorted, q, method='midpoint') for q in [0, 100]. */
function midpointPercentile(sorted: Float64Array, q: number): number {
  const index = (sorted.length - 1) * (q / 100);
  const lo = Math.floor(index);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const gamma = index - lo === 0 ? 0 : 0.5;
  const a = sorted[lo], b = sorted[hi];
  // numpy's _lerp: b - (b - a) * (1 - t) when t >= 0.5.
  return gamma >= 0.5 ? b - (b - a) * (1 - gamma) : a + (b - a) * gamma;
}

/** Thresholds of one feature's present values (any order; sorted here). */
export function featureThresholds(values: Float64Array, maxBins: number): Float64Array {
  return thresholdsInPlace(values.slice(), maxBins);
}

/** featureThresholds, using `values` itself as the scratch (its contents are lost): no copy per feature. */
function thresholdsInPlace(values: Float64Array, maxBins: number, scratch?: SortScratch): Float64Array {
  // Plain loops: TypedArray.filter with a callback took ~150 ms on 90k values, most of a fit's binning.
  let present = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) values[present++] = values[i];
  const sorted = sortFloats(values.subarray(0, present), scratch);
  if (sorted.length === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  let out: Float64Array;
  if (distinct <= maxBins) {
    out = new Float64Array(distinct - 1);
    let k = 0;
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] !== sorted[i - 1]) out[k++] = (sorted[i - 1] + sorted[i]) * 0.5;
    }
  } else {
    // np.linspace(0, 100, maxBins + 1)[1:-1]
    const step = 100 / maxBins;
    out = new Float64Array(maxBins - 1);
    for (let k = 1; k < maxBins; k++) out[k - 1] = midpointPercentile(sorted, k * step);
  }
  for (let i = 0; i < out.length; i++) if (out[i] > Number.MAX_VALUE) out[i] = Number.MAX_VALUE;
  return out;
}

/** Fits the bins on the given rows of the columns. */
export function fitBins(columns: Float64Array[], rows: Int32Array, maxBins: number, seed: number): Bins {
  let sample = rows;
  if (rows.length > SUBSAMPLE) {
    // A seeded sample without replacement (partial Fisher-Yates), kept in row order.
    const rng = createRng(seed, 0x5b1);
    const a = Int32Array.from(rows);
    for (let i = 0; i < SUBSAMPLE; i++) {
      const j = i + randInt(rng, a.length - i);
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    sample = a.slice(0, SUBSAMPLE).sort();
  }
  // One scratch buffer for every feature's sampled values (a fresh pair per feature was 64 MB of garbage at 200k samples).
  const v = new Float64Array(sample.length);
  // The sort's scratch lives as long as this call: freed before the fit's big arrays come.
  const scratch = sortScratch(sample.length);
  const thresholds = columns.map((c) => {
    for (let i = 0; i < v.length; i++) v[i] = c[sample[i]];
    return thresholdsInPlace(v, maxBins, scratch);
  });
  return { thresholds, missingBin: maxBins };
}

/** The bin of one value: the number of thresholds below it. */
export function binOf(t: Float64Array, missingBin: number, x: number): number {
  if (Number.isNaN(x)) return missingBin;
  let lo = 0, hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= t[mid]) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * Thresholds padded with +Infinity to 256 entries, for binOfPadded (at most 255 thresholds:
 * a value above them all then counts 255 or fewer).
 */
export function padThresholds(t: Float64Array): Float64Array {
  if (t.length > 255) throw new Error(`gradient_boosting: ${t.length} thresholds, at most 255`);
  const out = new Float64Array(256).fill(Infinity);
  out.set(t);
  return out;
}

/**
 * binOf for a present value x (not NaN), on padded thresholds: eight halving steps with
 * no data-dependent branch (a search that branches mispredicts every other step; this is
 * ~8x faster). Each step adds its half when the threshold before it is below x, so the
 * result is the number of thresholds below x, as binOf's; +Infinity pads never count.
 */
export function binOfPadded(t: Float64Array, x: number): number {
  let lo = ((t[127] < x) as unknown as number) << 7;
  lo += ((t[lo + 63] < x) as unknown as number) << 6;
  lo += ((t[lo + 31] < x) as unknown as number) << 5;
  lo += ((t[lo + 15] < x) as unknown as number) << 4;
  lo += ((t[lo + 7] < x) as unknown as number) << 3;
  lo += ((t[lo + 3] < x) as unknown as number) << 2;
  lo += ((t[lo + 1] < x) as unknown as number) << 1;
  return lo + ((t[lo] < x) as unknown as number);
}

/** sortFloats' working memory, reusable across calls (a fit's binning makes one for all its features). */
export interface SortScratch { keys: Float64Array; counts: Int32Array }

export function sortScratch(n: number): SortScratch {
  return { keys: new Float64Array(n), counts: new Int32Array(4 * 65536) };
}

/**
 * Sorts `a` ascending in place (no NaN in it), as Float64Array.prototype.sort does (-0
 * before +0), and returns it: an LSD radix sort on the values' bits, four passes of 16
 * bits, each skipped when every value has the same digit. On 90k values it is ~10x
 * faster than the built-in sort, which was most of a fit's binning.
 */
export function sortFloats(a: Float64Array, scratch?: SortScratch): Float64Array {
  const n = a.length;
  if (n < 512) return a.sort();
  const work = scratch && scratch.keys.length >= n ? scratch : sortScratch(n);
  let src: Uint32Array<ArrayBufferLike> = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
  let dst: Uint32Array<ArrayBufferLike> = new Uint32Array(work.keys.buffer, 0, 2 * n);
  // Little-endian words: [2i] low, [2i + 1] high. Order-preserving keys: negative values
  // have every bit flipped, others only the sign bit.
  const counts = work.counts;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1];
    const mask = hi >> 31;
    const klo = (src[2 * i] ^ mask) >>> 0, khi = (hi ^ (mask | 0x80000000)) >>> 0;
    src[2 * i] = klo; src[2 * i + 1] = khi;
    counts[klo & 0xffff]++;
    counts[65536 + (klo >>> 16)]++;
    counts[131072 + (khi & 0xffff)]++;
    counts[196608 + (khi >>> 16)]++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65536;
    const word = pass >> 1, shift = (pass & 1) * 16;
    // One digit holding every value: this pass moves nothing.
    const first = (src[word] >>> shift) & 0xffff;
    if (counts[base + first] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) { const c = counts[base + d]; counts[base + d] = sum; sum += c; }
    for (let i = 0; i < n; i++) {
      const w0 = src[2 * i], w1 = src[2 * i + 1];
      const d = ((word === 0 ? w0 : w1) >>> shift) & 0xffff;
      const at = counts[base + d]++;
      dst[2 * at] = w0; dst[2 * at + 1] = w1;
    }
    const t = src; src = dst; dst = t;
  }
  const out = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) {
    const khi = src[2 * i + 1];
    const mask = ~(khi >> 31);
    out[2 * i] = (src[2 * i] ^ mask) >>> 0;
    out[2 * i + 1] = (khi ^ (mask | 0x80000000)) >>> 0;
  }
  return a;
}

/**
 * The given rows binned, column-major: one byte per cell, row i of the result is rows[i].
 * The columns lie one after the other in one buffer (a SharedArrayBuffer when `shared`).
 */
export function binColumns(bins: Bins, columns: Float64Array[], rows: Int32Array, shared = false): Uint8Array[] {
  const m = rows.length;
  const all = new Uint8Array(shared ? new SharedArrayBuffer(columns.length * m) : new ArrayBuffer(columns.length * m));
  return columns.map((c, f) => {
    const t = padThresholds(bins.thresholds[f]);
    const missing = bins.missingBin;
    const out = all.subarray(f * m, (f + 1) * m);
    for (let i = 0; i < rows.length; i++) { const x = c[rows[i]]; out[i] = x === x ? binOfPadded(t, x) : missing; }
    return out;
  });
}
