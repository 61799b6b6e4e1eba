import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomForestClassifier } from 'ml-random-forest';
import { CartBuilder, sortFeatures } from '../../../src/ml/models/cart.js';
import { grow, prepareData, TreePool } from '../../../src/ml/models/forest.js';
import { loadModel, saveModel } from '../../../src/ml/models/index.js';
import { train } from '../../../src/ml/train.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import type { Frame } from '../../../src/ml/frame.js';
import { ROOT } from '../../helpers/repo.js';

/** Two features; class decided by x0 > 0 with a wide margin; x1 is noise. */
function separable(n: number, seed = 1): { cols: Float64Array[]; y: Int32Array } {
  const r = mulberry32(seed);
  const x0 = new Float64Array(n);
  const x1 = new Float64Array(n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    x0[i] = (y[i] ? 1 : -1) * (1 + r());
    x1[i] = r();
  }
  return { cols: [x0, x1], y };
}

function frameOf(cols: Float64Array[], target: { name: string; values: Array<string | number> }): Frame {
  const columns: Frame['columns'] = cols.map((values, i) => ({ name: `x${i}`, type: 'number' as const, values }));
  if (typeof target.values[0] === 'string') columns.push({ name: target.name, type: 'categorical', values: target.values as string[] });
  else columns.push({ name: target.name, type: 'number', values: Float64Array.from(target.values as number[]) });
  return { columns, nRows: cols[0].length, source: 'test.csv' };
}

test('a decision tree finds the separating threshold halfway between the classes', async () => {
  const { cols, y } = separable(200);
  const data = prepareData(cols, 200, { K: 2, yClass: y });
  const g = await grow(data, { nTrees: 1, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 2, bootstrap: false, seed: 0 });
  const t = g.trees[0];
  assert.equal(t.feature[0], 0, 'root splits on x0');
  let maxNeg = -Infinity;
  let minPos = Infinity;
  for (let i = 0; i < 200; i++) {
    if (cols[0][i] < 0) maxNeg = Math.max(maxNeg, cols[0][i]);
    else minPos = Math.min(minPos, cols[0][i]);
  }
  assert.equal(t.threshold[0], maxNeg / 2 + minPos / 2);
  assert.equal(t.feature.length, 3, 'one split, two pure leaves');
  assert.deepEqual(g.importances, Float64Array.from([1, 0]));
});

test('min_samples_leaf and max_depth bound the tree', () => {
  const r = mulberry32(3);
  const n = 500;
  const cols = [Float64Array.from({ length: n }, () => r()), Float64Array.from({ length: n }, () => r())];
  const y = Int32Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)); // pure noise: grows deep
  const b = new CartBuilder({ n, p: 2, cols, ...sortFeatures(cols, n), K: 2, yClass: y, yReg: null });
  const t = b.build({ maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 7, maxFeatures: 2, bootstrap: false, seed: 5 });
  for (let i = 0; i < t.nodeCount; i++) {
    if (t.feature[i] >= 0) continue;
    const o = t.left[i] * 2;
    assert.ok(t.value[o] + t.value[o + 1] >= 7, `leaf ${i} holds at least 7 rows`);
  }
  const shallow = b.build({ maxDepth: 3, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 2, bootstrap: false, seed: 5 });
  const depth = (i: number): number => (shallow.feature[i] < 0 ? 0 : 1 + Math.max(depth(shallow.left[i]), depth(shallow.right[i])));
  assert.ok(depth(0) <= 3);
  const total = t.value.reduce((a, v) => a + v, 0);
  assert.equal(total, n, 'without bootstrap every row lands in exactly one leaf');
});

test('forest: separable classes give accuracy 1.0 on a holdout, for string, gapped and negative labels', async () => {
  const { cols, y } = separable(300);
  for (const names of [['no', 'yes'], [-7, 12], ['b', 'a']]) {
    const frame = frameOf(cols, { name: 'label', values: Array.from(y, (c) => names[c]) });
    const r = await train(frame, { target: 'label', validation: 'holdout:0.3', params: { n_estimators: 20 }, jobs: 1 });
    assert.equal(r.metrics.accuracy.mean, 1, `labels ${names}`);
    const sorted = [...names].sort((a, b) => (typeof a === 'number' ? (a as number) - (b as number) : String(a) < String(b) ? -1 : 1));
    assert.deepEqual(r.model.labels, sorted);
    const model = loadModel(JSON.parse(saveModel(r.model)));
    const rows = [Float64Array.from([-1.5, 0.5]), Float64Array.from([1.5, 0.5])];
    assert.deepEqual(model.predict(rows), [names[0], names[1]]);
  }
});

test('predictProba rows sum to 1 over three classes with gapped labels', async () => {
  const r = mulberry32(9);
  const n = 240;
  const cols = [Float64Array.from({ length: n }, () => r()), Float64Array.from({ length: n }, () => r()), Float64Array.from({ length: n }, () => r())];
  const band = (x: number) => Math.min(2, Math.max(0, Math.floor(x * 3 + (r() - 0.5) * 0.6)));
  const labels = Array.from({ length: n }, (_, i) => [-3, 0, 40][band(cols[0][i])]);
  const res = await train(frameOf(cols, { name: 'y', values: labels }), { target: 'y', params: { n_estimators: 15 }, jobs: 1 });
  const model = loadModel(res.model);
  const X = Array.from({ length: 50 }, () => Float64Array.from([r(), r(), r()]));
  for (const p of model.predictProba!(X)) {
    assert.equal(p.length, 3);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(p.every((v) => v >= 0 && v <= 1));
  }
  const pred = model.predict(X) as number[];
  assert.ok(pred.every((v) => [-3, 0, 40].includes(v)));
});

test('worker threads grow byte-identical forests to the main thread', async () => {
  const { cols, y } = separable(400, 4);
  const noisy = Int32Array.from(y, (c, i) => (i % 7 === 0 ? 1 - c : c));
  const data = prepareData(cols, 400, { K: 2, yClass: noisy });
  const o = { nTrees: 6, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 1, bootstrap: true, seed: 42 };
  const serial = await grow(data, o, null);
  const pool = TreePool.create(data, 2);
  try {
    const parallel = await grow(data, o, pool);
    const doc = (g: typeof serial) => saveModel({
      format: 'mlv-model', version: 1, task: 'classification', algorithm: 'random_forest', target: 'y', features: ['a', 'b'],
      labels: [0, 1], params: {}, seed: 42, state: { trees: g.trees.map((t) => ({ ...t })) }, feature_importances: Array.from(g.importances),
    });
    assert.equal(doc(parallel), doc(serial));
    const other = await grow(data, { ...o, seed: 43 }, pool);
    assert.notEqual(doc(other), doc(serial), 'the seed matters');
  } finally {
    await pool.close();
  }
});

test('regression forest learns a smooth target (r2 > 0.9)', async () => {
  const r = mulberry32(11);
  const n = 400;
  const cols = [Float64Array.from({ length: n }, () => r() * 4), Float64Array.from({ length: n }, () => r())];
  const y = Array.from({ length: n }, (_, i) => 3 * cols[0][i] - 2 * cols[1][i]);
  const res = await train(frameOf(cols, { name: 'y', values: y.map((v) => v + 0.001) }), {
    target: 'y', task: 'regression', validation: 'kfold:3', params: { n_estimators: 30 }, jobs: 1,
  });
  assert.ok(res.metrics.r2.mean > 0.9, `r2 ${res.metrics.r2.mean}`);
  assert.ok(res.feature_importances!.x0 > res.feature_importances!.x1);
});

test('agrees with ml-random-forest (the package it replaces) on iris', async () => {
  // Both are forests of CART trees: on an easy data set they should mostly agree.
  const text = readFileSync(join(ROOT, 'fixtures/ml/iris.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const species = [...new Set(text.map((r) => r[4]))].sort();
  const X = text.map((r) => r.slice(0, 4).map(Number));
  const y = text.map((r) => species.indexOf(r[4]));
  const testIdx = X.map((_, i) => i).filter((i) => i % 5 === 0);
  const trainIdx = X.map((_, i) => i).filter((i) => i % 5 !== 0);
  const theirs = new RandomForestClassifier({ nEstimators: 25, seed: 3, maxFeatures: 1.0, replacement: true, useSampleBagging: true, noOOB: true });
  theirs.train(trainIdx.map((i) => X[i]), trainIdx.map((i) => y[i]));
  const theirPred = theirs.predict(testIdx.map((i) => X[i])) as number[];

  const cols = [0, 1, 2, 3].map((f) => Float64Array.from(trainIdx, (i) => X[i][f]));
  const res = await train(frameOf(cols, { name: 'species', values: trainIdx.map((i) => species[y[i]]) }), {
    target: 'species', validation: 'none', params: { n_estimators: 25 }, jobs: 1,
  });
  const ours = loadModel(res.model).predict(testIdx.map((i) => Float64Array.from(X[i]))) as string[];
  const truth = testIdx.map((i) => species[y[i]]);
  const acc = (p: string[]) => p.filter((v, i) => v === truth[i]).length / truth.length;
  const theirLabels = theirPred.map((c) => species[c]);
  assert.ok(acc(ours) >= 0.9, `ours ${acc(ours)}`);
  assert.ok(acc(theirLabels) >= 0.9, `ml-random-forest ${acc(theirLabels)}`);
  const agree = ours.filter((v, i) => v === theirLabels[i]).length / ours.length;
  assert.ok(agree >= 0.9, `agreement ${agree}`);
});
