/**
 * Growing one tree, leaf-wise, as scikit-learn's TreeGrower: the splittable leaf of
 * largest gain is split next, until no leaf can be split or there are `maxLeafNodes`
 * leaves. A child with fewer than 2 × min_samples_leaf rows, or at max_depth, is a leaf.
 * The smaller child's histogram is built from its rows, the larger one's is the parent's
 * minus it. Leaf value: −G / (H + λ) × learning rate.
 *
 * Rows are positions 0..m-1 of the binned training rows; `idx` is partitioned in place
 * (stably) so that each node owns idx[start..end). Histogram buffers come from and go
 * back to `pool`, shared by the trees of a fit.
 */
import { bestSplit, buildHistogram, gradientOf, hessianOf, subtractHistogram, BINS, type Gradients, type HistogramHelper, type Split, type SplitContext } from './splitter.js';
import type { Tree } from './predictor.js';

export interface GrowParams {
  maxLeafNodes: number;
  maxDepth: number;
  minSamplesLeaf: number;
  learningRate: number;
}

interface Node {
  start: number;
  end: number;
  G: number;
  H: number;
  depth: number;
  value: number;
  hist?: Float64Array;
  split?: Split;
  leaf: boolean;
  left?: Node;
  right?: Node;
  /** Order of creation: ties of gain go to the older node. */
  id: number;
}

export interface Grown {
  /** Thresholds still as bins: `threshold` holds the bin, read by the caller. */
  tree: Tree;
  bins: Int32Array;
  /** The leaves' row ranges in idx, with their values, for updating the training raw scores. */
  leaves: Array<{ start: number; end: number; value: number }>;
}

const TINY = 1e-15;
const MIN_HESSIAN_TO_SPLIT = 1e-3;

/** tmp: scratch for a smaller child's rows, at least ⌊m/2⌋ + 1 long; og/oh: CHUNK long, for buildHistogram; helper: threads for the larger histograms. */
export function growTree(ctx: SplitContext, idx: Int32Array, gr: Gradients, o: GrowParams, gains: Float64Array, tmp: Int32Array, og: Float64Array, oh: Float64Array, pool: Float64Array[], helper?: HistogramHelper | null): Grown {
  const m = idx.length;
  for (let i = 0; i < m; i++) idx[i] = i;
  let ids = 0;
  const make = (start: number, end: number, G: number, H: number, depth: number): Node =>
    ({ start, end, G, H, depth, value: -G / (H + ctx.l2 + TINY), leaf: false, id: ids++ });
  let G = 0, H = 0;
  let rootHist: Float64Array | undefined;
  if (m >= 2 * o.minSamplesLeaf) {
    // The root's sums come with its histogram: the same rows in the same order, one pass fewer.
    const sums = new Float64Array(2);
    rootHist = buildHistogram(ctx, null, 0, m, gr, og, oh, pool, helper, sums);
    G = sums[0]; H = sums[1];
  } else for (let i = 0; i < m; i++) { G += gradientOf(gr, i); H += hessianOf(gr, i); }
  const root = make(0, m, G, H, 0);
  const splittable: Node[] = [];
  let finalized = 0;
  const release = (n: Node) => { if (n.hist) pool.push(n.hist); n.hist = undefined; };
  const finalize = (n: Node) => { n.leaf = true; release(n); finalized++; };
  const consider = (n: Node) => {
    n.split = bestSplit(ctx, n.hist!, n.G, n.H, n.end - n.start);
    if (n.split.gain <= 0) finalize(n); else splittable.push(n);
  };
  root.hist = rootHist;
  if (!rootHist || H < MIN_HESSIAN_TO_SPLIT) finalize(root);
  else consider(root);
  while (splittable.length > 0) {
    let k = 0;
    for (let i = 1; i < splittable.length; i++) {
      const a = splittable[i].split!.gain, b = splittable[k].split!.gain;
      if (a > b || (a === b && splittable[i].id < splittable[k].id)) k = i;
    }
    const node = splittable[k];
    splittable.splice(k, 1);
    const s = node.split!;
    gains[s.feature] += s.gain;
    const { nl, nr, gl, hl } = partition(ctx, s, idx, node.start, node.end, gr, tmp);
    const mid = node.start + nl;
    const left = make(node.start, mid, gl, hl, node.depth + 1);
    const right = make(mid, node.end, node.G - gl, node.H - hl, node.depth + 1);
    node.left = left; node.right = right;
    if (!ctx.hasMissing[s.feature]) s.missingLeft = nl > nr;
    const parentHist = node.hist!;
    node.hist = undefined;
    const leaves = finalized + splittable.length + 2;
    const drop = () => pool.push(parentHist);
    if (leaves >= o.maxLeafNodes) {
      drop();
      finalize(left); finalize(right);
      for (const n of splittable) finalize(n);
      splittable.length = 0;
      break;
    }
    if (left.depth >= o.maxDepth) { drop(); finalize(left); finalize(right); continue; }
    if (nl < 2 * o.minSamplesLeaf) finalize(left);
    if (nr < 2 * o.minSamplesLeaf) finalize(right);
    if (left.leaf && right.leaf) { drop(); continue; }
    const [small, large] = nl <= nr ? [left, right] : [right, left];
    small.hist = buildHistogram(ctx, idx, small.start, small.end, gr, og, oh, pool, helper);
    large.hist = subtractHistogram(parentHist, small.hist);
    if (!left.leaf) consider(left); else release(left);
    if (!right.leaf) consider(right); else release(right);
  }
  return toTree(root, o.learningRate);
}

/** Per bin, 1 when split rows of that bin go left (partition's scratch; fits run one at a time per thread). */
const GO_LEFT = new Uint8Array(256);

/**
 * Stable partition of idx[start..end) by split s: the rows going left first, each side
 * in its former order, and the left side's gradient sums (in that order). The smaller
 * side (s.nLeft says which) waits in tmp, so tmp needs only half the rows (plus one:
 * the scan writes every row to both places, without a branch, and keeps the right one).
 */
function partition(ctx: SplitContext, s: Split, idx: Int32Array, start: number, end: number, gr: Gradients, tmp: Int32Array): { nl: number; nr: number; gl: number; hl: number } {
  const col = ctx.binned[s.feature];
  const goLeft = GO_LEFT;
  for (let b = 0; b < 256; b++) goLeft[b] = (b === ctx.missingBin ? s.missingLeft : b <= s.bin) ? 1 : 0;
  let nl = 0, nr = 0, gl = 0, hl = 0;
  if (s.nLeft >= end - start - s.nLeft) {
    // Left rows move down in place, right rows wait in tmp.
    for (let j = start; j < end; j++) {
      const r = idx[j];
      const left = goLeft[col[r]];
      idx[start + nl] = r;
      tmp[nr] = r;
      nl += left;
      nr += 1 - left;
    }
    idx.set(tmp.subarray(0, nr), start + nl);
  } else {
    // Right rows move up in place (scanning down), left rows wait in tmp (in reverse).
    for (let j = end - 1; j >= start; j--) {
      const r = idx[j];
      const left = goLeft[col[r]];
      idx[end - 1 - nr] = r;
      tmp[nl] = r;
      nl += left;
      nr += 1 - left;
    }
    for (let j = 0; j < nl; j++) idx[start + j] = tmp[nl - 1 - j];
  }
  const sums = SUMS;
  sumRows(gr, idx, start, start + nl, sums);
  gl = sums[0]; hl = sums[1];
  // The histogram's count chose the side tmp holds; a mismatch would have overrun tmp.
  if (nl !== s.nLeft) throw new Error(`gradient_boosting: split of ${end - start} rows sent ${nl} left, its histogram counted ${s.nLeft}`);
  return { nl, nr, gl, hl };
}

const SUMS = new Float64Array(2);

/**
 * The gradient and hessian sums of rows idx[from..to), added in that order, into out:
 * one loop per kind of loss, so the loop itself tests nothing but the row (the same sums
 * to the bit as gradientOf and hessianOf give).
 */
function sumRows(gr: Gradients, idx: Int32Array, from: number, to: number, out: Float64Array): void {
  const S = gr.s, Y = gr.y, k = gr.k;
  let g = 0, h = 0;
  if (gr.unitHessian) {
    for (let j = from; j < to; j++) { const r = idx[j]; g += S[r] - (k < 0 ? Y[r] : Y[r] === k ? 1 : 0); h += 1; }
  } else if (k < 0) {
    for (let j = from; j < to; j++) { const r = idx[j]; const p = S[r]; g += p - Y[r]; h += p * (1 - p); }
  } else {
    for (let j = from; j < to; j++) { const r = idx[j]; const p = S[r]; g += p - (Y[r] === k ? 1 : 0); h += p * (1 - p); }
  }
  out[0] = g; out[1] = h;
}

/** The grown nodes in depth-first pre-order (left first), as parallel arrays. */
function toTree(root: Node, lr: number): Grown {
  const nodes: Node[] = [];
  const walk = (n: Node) => { nodes.push(n); if (!n.leaf) { walk(n.left!); walk(n.right!); } };
  walk(root);
  const N = nodes.length;
  const at = new Map(nodes.map((n, i) => [n, i]));
  const tree: Tree = {
    feature: new Int32Array(N), threshold: new Float64Array(N), missingLeft: new Uint8Array(N),
    left: new Int32Array(N), right: new Int32Array(N), value: new Float64Array(N),
  };
  const bins = new Int32Array(N).fill(-1);
  const leaves: Grown['leaves'] = [];
  nodes.forEach((n, i) => {
    if (n.leaf) {
      tree.feature[i] = -1;
      tree.value[i] = n.value * lr;
      leaves.push({ start: n.start, end: n.end, value: tree.value[i] });
    } else {
      tree.feature[i] = n.split!.feature;
      bins[i] = n.split!.bin;
      tree.missingLeft[i] = n.split!.missingLeft ? 1 : 0;
      tree.left[i] = at.get(n.left!)!;
      tree.right[i] = at.get(n.right!)!;
      tree.value[i] = n.value * lr;
    }
  });
  return { tree, bins, leaves };
}

export { BINS };
