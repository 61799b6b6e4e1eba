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
function thresholdsInPlace(values: Float64Array, maxBins: number): Float64Array {
  // Plain loops: TypedArray.filter with a callback took ~150 ms on 90k values, most of a fit's binning.
  let present = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) values[present++] = values[i];
  const sorted = values.subarray(0, present).sort();
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
  const thresholds = columns.map((c) => {
    for (let i = 0; i < v.length; i++) v[i] = c[sample[i]];
    return thresholdsInPlace(v, maxBins);
  });
  return { thresholds, missingBin: maxBins };
}

/** The bin of one value. */
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
 * The given rows binned, column-major: one byte per cell, row i of the result is rows[i].
 * The columns lie one after the other in one buffer (a SharedArrayBuffer when `shared`).
 */
export function binColumns(bins: Bins, columns: Float64Array[], rows: Int32Array, shared = false): Uint8Array[] {
  const m = rows.length;
  const all = new Uint8Array(shared ? new SharedArrayBuffer(columns.length * m) : new ArrayBuffer(columns.length * m));
  return columns.map((c, f) => {
    const t = bins.thresholds[f];
    const out = all.subarray(f * m, (f + 1) * m);
    for (let i = 0; i < rows.length; i++) out[i] = binOf(t, bins.missingBin, c[rows[i]]);
    return out;
  });
}
