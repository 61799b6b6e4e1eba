import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../../src/ml/models/json.js';
import { loadModel, saveModel } from '../../../src/ml/models/index.js';
import { parseScalar, resolveParams, resolveMaxFeatures } from '../../../src/ml/models/params.js';
import { findAlgorithm } from '../../../src/ml/models/index.js';
import { train } from '../../../src/ml/train.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import { InputError } from '../../../src/errors/index.js';
import type { Frame } from '../../../src/ml/frame.js';

const numFrame = (cols: Record<string, ArrayLike<number>>): Frame => ({
  columns: Object.entries(cols).map(([name, v]) => ({ name, type: 'number' as const, values: Float64Array.from(v) })),
  nRows: Object.values(cols)[0].length,
  source: 'mem.csv',
});

test('canonical JSON: sorted keys, shortest round-trip numbers, stable through parse', () => {
  const v = { b: [0.1 + 0.2, -0, 1e21, 5e-324], a: { z: null, y: 'é"' }, c: new Float64Array([1.5, 2]) };
  const text = canonicalJson(v);
  assert.equal(text, '{\n  "a": {\n    "y": "é\\"",\n    "z": null\n  },\n  "b": [0.30000000000000004,0,1e+21,5e-324],\n  "c": [1.5,2]\n}\n');
  assert.equal(canonicalJson(JSON.parse(text)), text);
  assert.throws(() => canonicalJson({ x: NaN }), InputError);
});

test('every algorithm: load → save reproduces the model file byte for byte', async () => {
  const r = mulberry32(2);
  const n = 120;
  const x = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, () => r() * 10 - 5));
  const cls = Array.from({ length: n }, (_, i) => (x[0][i] + x[1][i] > 0 ? 1 : 0));
  const reg = Array.from({ length: n }, (_, i) => x[0][i] * 0.37 - x[2][i] / 3);
  const cases: Array<[Frame, Parameters<typeof train>[1]]> = [
    [numFrame({ a: x[0], b: x[1], c: x[2], y: cls }), { target: 'y', params: { n_estimators: 5 } }],
    [numFrame({ a: x[0], b: x[1], c: x[2], y: cls }), { target: 'y', algorithm: 'decision_tree' }],
    [numFrame({ a: x[0], b: x[1], c: x[2], y: reg }), { target: 'y', task: 'regression', params: { n_estimators: 4 } }],
    [numFrame({ a: x[0], b: x[1], c: x[2], y: reg }), { target: 'y', task: 'regression', algorithm: 'linear' }],
    [numFrame({ a: x[0], b: x[1], c: x[2] }), { task: 'clustering', params: { n_clusters: 3, n_init: 2 } }],
    [numFrame({ a: x[0], b: x[1], c: x[2] }), { task: 'reduction', params: { n_components: 2 } }],
  ];
  for (const [frame, opts] of cases) {
    const res = await train(frame, { ...opts, jobs: 1 });
    const text = res.modelChunks.join('');
    assert.equal(text, saveModel(res.model));
    const loaded = loadModel(JSON.parse(text));
    assert.equal(saveModel(loaded.doc), text, `${res.algorithm} round trip`);
    assert.equal(res.cost.model_bytes, Buffer.byteLength(text));
  }
});

test('loadModel rejects what is not a model, naming the problem', () => {
  assert.throws(() => loadModel({ format: 'other' }), /not an mlv model/);
  assert.throws(() => loadModel({ format: 'mlv-model', version: 9 }), /unsupported model version 9/);
  const base = { format: 'mlv-model', version: 1, task: 'regression', algorithm: 'decision_tree', target: 'y', features: ['a'], params: {}, seed: 0 };
  assert.throws(() => loadModel({ ...base, state: { trees: [{ feature: [0], threshold: [1], left: [5], right: [6], value: [1] }] } }), /node 0 is malformed/);
  assert.throws(() => loadModel({ ...base, algorithm: 'kmeans', state: {} }), /not one for regression/);
  const ok = loadModel({ ...base, state: { trees: [{ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, 0, 1], right: [2, -1, -1], value: [10, 20] }] } });
  assert.deepEqual(Array.from(ok.predict([Float64Array.of(0), Float64Array.of(0.5), Float64Array.of(0.6), Float64Array.of(NaN)]) as Float64Array), [10, 10, 20, 20]);
  assert.throws(() => ok.predict([Float64Array.of(1, 2)]), /row 1 has 2 features; the model expects 1/);
});

test('linear regression recovers a linear target (r2 ≈ 1, coefficients, intercept)', async () => {
  const r = mulberry32(5);
  const n = 200;
  const a = Float64Array.from({ length: n }, () => r() * 10);
  const b = Float64Array.from({ length: n }, () => r() * 3 - 1);
  const y = Array.from({ length: n }, (_, i) => 2.5 * a[i] - 4 * b[i] + 7);
  const res = await train(numFrame({ a, b, y }), { target: 'y', task: 'regression', algorithm: 'linear', validation: 'kfold:4' });
  assert.ok(res.metrics.r2.mean > 1 - 1e-9, `r2 ${res.metrics.r2.mean}`);
  const s = res.model.state as { coef: number[]; intercept: number };
  assert.ok(Math.abs(s.coef[0] - 2.5) < 1e-9 && Math.abs(s.coef[1] + 4) < 1e-9 && Math.abs(s.intercept - 7) < 1e-8, JSON.stringify(s));
  // A duplicated column is collinear: the minimum-norm solution splits the weight.
  const dup = await train(numFrame({ a, a2: a, y: Array.from(a, (v) => 2 * v) }), { target: 'y', task: 'regression', algorithm: 'linear', validation: 'none' });
  const c = (dup.model.state as { coef: number[] }).coef;
  assert.ok(Math.abs(c[0] - 1) < 1e-6 && Math.abs(c[1] - 1) < 1e-6, JSON.stringify(c));
});

test('k-means finds well-separated clusters (labels match up to permutation)', async () => {
  const r = mulberry32(8);
  const centers = [[0, 0], [10, 10], [-10, 8]];
  const n = 150;
  const truth = Array.from({ length: n }, (_, i) => i % 3);
  const x = Float64Array.from(truth, (c) => centers[c][0] + r() - 0.5);
  const y = Float64Array.from(truth, (c) => centers[c][1] + r() - 0.5);
  const res = await train(numFrame({ x, y }), { task: 'clustering', params: { n_clusters: 3 } });
  const pred = loadModel(res.model).predict(Array.from({ length: n }, (_, i) => Float64Array.of(x[i], y[i]))) as number[];
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (!map.has(truth[i])) map.set(truth[i], pred[i]);
    assert.equal(pred[i], map.get(truth[i]));
  }
  assert.equal(new Set(map.values()).size, 3);
  assert.ok(res.metrics.silhouette.mean > 0.9, `silhouette ${res.metrics.silhouette.mean}`);
  assert.ok(res.metrics.inertia.mean < n * 0.2);
  await assert.rejects(train(numFrame({ x: [1, 2], y: [3, 4] }), { task: 'clustering', params: { n_clusters: 3 } }), /3 clusters need at least 3 rows/);
});

test('PCA: data on a plane is explained by 2 components', async () => {
  const r = mulberry32(6);
  const n = 100;
  const u = Float64Array.from({ length: n }, () => r() * 4);
  const v = Float64Array.from({ length: n }, () => r());
  const a = u;
  const b = Float64Array.from(u, (x, i) => x + 2 * v[i]);
  const c = Float64Array.from(u, (x, i) => 3 * x - v[i]);
  const res = await train(numFrame({ a, b, c }), { task: 'reduction' });
  const ratio = res.explained_variance_ratio!;
  assert.equal(ratio.length, 3);
  assert.ok(ratio[0] + ratio[1] > 1 - 1e-9 && ratio[2] < 1e-9, JSON.stringify(ratio));
  assert.ok(ratio[0] >= ratio[1]);
  const two = await train(numFrame({ a, b, c }), { task: 'reduction', params: { n_components: 0.999 } });
  assert.equal((two.model.state as { components: unknown[] }).components.length, 2);
  const z = loadModel(two.model).transform!([Float64Array.of(a[0], b[0], c[0])]);
  assert.equal(z[0].length, 2);
});

test('hyperparameters: scikit-learn names and defaults; unknown keys and bad values name the key', () => {
  assert.deepEqual(resolveParams(findAlgorithm('random_forest')!, 'classification', { n_estimators: 10 }), {
    n_estimators: 10, max_depth: null, max_features: 'sqrt', min_samples_split: 2, min_samples_leaf: 1, bootstrap: true,
  });
  assert.throws(() => resolveParams(findAlgorithm('random_forest')!, 'classification', { n_trees: 5 }), /unknown hyperparameter "n_trees" for random_forest/);
  assert.throws(() => resolveParams(findAlgorithm('linear')!, 'regression', { n_estimators: 5 }), /unknown hyperparameter "n_estimators" for linear \(known: alpha, fit_intercept\)/);
  assert.throws(() => resolveParams(findAlgorithm('random_forest')!, 'regression', { max_depth: 0 }), /max_depth: expected an integer >= 1 or null/);
  assert.throws(() => resolveParams(findAlgorithm('decision_tree')!, 'regression', { max_features: 'cube' }), /max_features/);
  assert.equal(parseScalar('None'), null);
  assert.equal(parseScalar('0.5'), 0.5);
  assert.equal(parseScalar('false'), false);
  assert.equal(parseScalar('sqrt'), 'sqrt');
  assert.equal(resolveMaxFeatures('sqrt', 20), 4);
  assert.equal(resolveMaxFeatures('log2', 20), 4);
  assert.equal(resolveMaxFeatures(0.5, 20), 10);
  assert.equal(resolveMaxFeatures(null, 20), 20);
  assert.throws(() => resolveMaxFeatures(30, 20), /30 is more than the 20 features/);
});
