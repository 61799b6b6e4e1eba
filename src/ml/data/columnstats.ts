/**
 * Descriptive statistics over numeric arrays, following pandas: sample standard
 * deviation (n - 1), quantiles by linear interpolation, Pearson over pairwise-complete
 * rows. Values are chunked so a long column never needs one huge contiguous buffer
 * while it grows.
 */

export const CHUNK = 1 << 16;

/** Marks a missing value while a column is stored as int32. */
const INT_MISSING = -2147483648;

/**
 * Append-only numeric storage in fixed-size chunks (no copy on growth). Columns whose
 * values are all int32-sized integers (ids, counts, codes: common in big files) take 4
 * bytes a cell; the first other value converts the chunks to float64, one at a time.
 */
export class ChunkedF64 {
  chunks: Array<Float64Array | Int32Array> = [];
  n = 0;
  ints = true;
  push(x: number): void {
    const off = this.n & (CHUNK - 1);
    if (this.ints && ((x | 0) !== x || x === INT_MISSING) && x === x) this.widen();
    if (off === 0) this.chunks.push(this.ints ? new Int32Array(CHUNK) : new Float64Array(CHUNK));
    this.chunks[this.chunks.length - 1][off] = this.ints && x !== x ? INT_MISSING : x;
    this.n++;
  }
  private widen(): void {
    this.ints = false;
    this.chunks = this.chunks.map(toF64);
  }
  /** Chunk `ci` as float64 (NaN for missing); int chunks are converted into `scratch`. */
  chunk(ci: number, scratch: Float64Array): Float64Array {
    const c = this.chunks[ci];
    if (!this.ints) return c as Float64Array;
    for (let k = 0; k < c.length; k++) {
      const v = c[k];
      scratch[k] = v === INT_MISSING ? NaN : v;
    }
    return scratch;
  }
  get(i: number): number {
    const v = this.chunks[i >>> 16][i & (CHUNK - 1)];
    return this.ints && v === INT_MISSING ? NaN : v;
  }
  /**
   * The non-NaN values, contiguous. Consumes the storage: chunks are released as they are
   * copied, so (the copy's pages being touched only as written) peak memory barely grows.
   */
  present(): Float64Array {
    let count = 0;
    this.forEach((x) => { if (x === x) count++; });
    const out = new Float64Array(count);
    let j = 0;
    let i = 0;
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci];
      const len = Math.min(CHUNK, this.n - i);
      for (let k = 0; k < len; k++) {
        const v = c[k];
        if (v === v && !(this.ints && v === INT_MISSING)) out[j++] = v;
      }
      i += len;
      this.chunks[ci] = EMPTY;
    }
    this.chunks = [];
    this.n = 0;
    return out;
  }
  forEach(f: (x: number, i: number) => void): void {
    let i = 0;
    for (const c of this.chunks) {
      const len = Math.min(CHUNK, this.n - i);
      if (this.ints) for (let k = 0; k < len; k++) { const v = c[k]; f(v === INT_MISSING ? NaN : v, i++); }
      else for (let k = 0; k < len; k++) f(c[k], i++);
    }
  }
}

const EMPTY = new Float64Array(0);

function toF64(c: Float64Array | Int32Array): Float64Array {
  const out = new Float64Array(c.length);
  for (let k = 0; k < c.length; k++) out[k] = c[k] === INT_MISSING ? NaN : c[k];
  return out;
}

/** Neumaier-compensated sum: agrees with numpy's pairwise sum far below 1e-12. */
export function fsum(xs: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** pandas/numpy linear-interpolation quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  return frac === 0 ? sorted[lo] : sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

export interface Summary {
  count: number;
  mean: number;
  std: number;
  min: number;
  q25: number;
  q50: number;
  q75: number;
  max: number;
  distinct: number;
}

/** Summary of present (non-NaN) values; sorts `values` in place. */
export function summarize(values: Float64Array): Summary {
  const n = values.length;
  const mean = n ? fsum(values) / n : NaN;
  let c = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = (values[i] - mean) ** 2;
    const t = s + v;
    c += s >= v ? s - t + v : v - t + s;
    s = t;
  }
  const std = n > 1 ? Math.sqrt((s + c) / (n - 1)) : NaN;
  values.sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || values[i] !== values[i - 1]) distinct++;
  return {
    count: n,
    mean,
    std,
    min: n ? values[0] : NaN,
    q25: quantileSorted(values, 0.25),
    q50: quantileSorted(values, 0.5),
    q75: quantileSorted(values, 0.75),
    max: n ? values[n - 1] : NaN,
    distinct,
  };
}

/** numpy.histogram(values, bins) over [min, max]: equal widths, last bin closed. */
export function histogram(sorted: Float64Array, bins = 10): { edges: number[]; counts: number[] } {
  const n = sorted.length;
  if (n === 0) return { edges: [], counts: [] };
  let lo = sorted[0];
  let hi = sorted[n - 1];
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < n; i++) {
    let b = Math.floor((sorted[i] - lo) / width);
    if (b >= bins) b = bins - 1;
    if (b < 0) b = 0;
    // Floating-point edges: nudge into the bin whose edges really contain the value.
    while (b > 0 && sorted[i] < edges[b]) b--;
    while (b < bins - 1 && sorted[i] >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts };
}

/** Pearson r over rows where both are present (pandas' DataFrame.corr()). NaN if undefined. */
export function pearson(a: ChunkedF64, b: ChunkedF64): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  const len = Math.min(a.n, b.n);
  const bufA = new Float64Array(CHUNK), bufB = new Float64Array(CHUNK);
  for (let ci = 0; ci * CHUNK < len; ci++) {
    const ca = a.chunk(ci, bufA), cb = b.chunk(ci, bufB);
    const m = Math.min(CHUNK, len - ci * CHUNK);
    for (let k = 0; k < m; k++) {
      const x = ca[k], y = cb[k];
      if (x === x && y === y) { n++; sa += x; sb += y; }
    }
  }
  if (n < 2) return NaN;
  const ma = sa / n, mb = sb / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let ci = 0; ci * CHUNK < len; ci++) {
    const ca = a.chunk(ci, bufA), cb = b.chunk(ci, bufB);
    const m = Math.min(CHUNK, len - ci * CHUNK);
    for (let k = 0; k < m; k++) {
      const x = ca[k], y = cb[k];
      if (x === x && y === y) {
        const dx = x - ma, dy = y - mb;
        sab += dx * dy; saa += dx * dx; sbb += dy * dy;
      }
    }
  }
  const d = Math.sqrt(saa * sbb);
  if (d === 0) return NaN;
  return Math.max(-1, Math.min(1, sab / d));
}
