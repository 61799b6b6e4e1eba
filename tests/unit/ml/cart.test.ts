import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CartBuilder, sortFeatures, type CartData, type CartOptions, type CartTree } from '../../../src/ml/models/cart.js';
import { mulberry32 } from '../../../src/ml/rng.js';

/**
 * cart.ts scans a feature's split candidates in one of two loops: one for features whose
 * values are all distinct, one that reads tie bits. On data without ties both must find
 * the same candidates, so forcing the second loop (claiming every feature has ties while
 * no tie bit is set) must grow the very same trees.
 */
function distinctData(n: number, p: number, seed: number): { cols: Float64Array[]; yClass: Int32Array; yReg: Float64Array } {
  const r = mulberry32(seed);
  const cols = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => r() * 10 - 5));
  const yClass = Int32Array.from({ length: n }, (_, i) => (cols[0][i] + 0.5 * cols[1][i] + r() * 3 > 1 ? (cols[2][i] > 2 ? 2 : 1) : 0));
  const yReg = Float64Array.from({ length: n }, (_, i) => 2 * cols[0][i] - cols[1][i] * cols[2][i] + r());
  return { cols, yClass, yReg };
}

function both(data: CartData, opts: CartOptions): { distinct: CartTree; ties: CartTree } {
  const distinct = new CartBuilder(data).build(opts);
  // nUniq below n sends every feature through the tie-reading loop.
  const ties = new CartBuilder({ ...data, nUniq: new Int32Array(data.p) }).build(opts);
  return { distinct, ties };
}

function assertSameTree(a: CartTree, b: CartTree, what: string): void {
  assert.ok(a.nodeCount > 20, `${what}: a tree worth comparing (${a.nodeCount} nodes)`);
  assert.equal(b.nodeCount, a.nodeCount, `${what}: node count`);
  for (const k of ['feature', 'threshold', 'left', 'right', 'value', 'importance'] as const) {
    assert.deepEqual(b[k], a[k], `${what}: ${k}`);
  }
}

test('cart: the "ties" and "all distinct" split scans grow the same trees', () => {
  const n = 600;
  const p = 5;
  const { cols, yClass, yReg } = distinctData(n, p, 11);
  const sorted = sortFeatures(cols, n);
  for (let f = 0; f < p; f++) assert.equal(sorted.nUniq[f], n, 'every value distinct, so the distinct loop is the one taken');
  assert.ok(sorted.tied.every((w) => w === 0), 'no tie bit set');
  const subset = Int32Array.from({ length: 400 }, (_, i) => Math.floor((i * n) / 400));
  const cases: Array<[string, Partial<CartOptions>]> = [
    ['all rows', {}],
    ['bootstrap', { bootstrap: true }],
    ['min_samples_leaf 4, max_features 2', { minSamplesLeaf: 4, maxFeatures: 2, bootstrap: true }],
    ['a fold of the rows', { rows: subset, minSamplesSplit: 5 }],
  ];
  for (const task of ['classification', 'regression'] as const) {
    const data: CartData = {
      n, p, cols, ...sorted,
      K: task === 'classification' ? 3 : 0,
      yClass: task === 'classification' ? yClass : null,
      yReg: task === 'regression' ? yReg : null,
    };
    for (const [name, o] of cases) {
      for (const seed of [0, 7]) {
        const opts: CartOptions = { maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: p, bootstrap: false, seed, ...o };
        const { distinct, ties } = both(data, opts);
        assertSameTree(distinct, ties, `${task}, ${name}, seed ${seed}`);
      }
    }
  }
});
