import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../../../src/ml/csv.js';
import { train } from '../../../src/ml/train.js';
import { loadModel, saveModel } from '../../../src/ml/models/index.js';
import { featureThresholds, binOf, binOfPadded, padThresholds, sortFloats } from '../../../src/ml/models/hgb/binning.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import type { Frame } from '../../../src/ml/frame.js';
import { sklearn, trainFoldIds } from '../../helpers/sklearn.js';
import { ROOT, removeDir, tempDir } from '../../helpers/repo.js';

// One OpenMP thread for the oracle: the machine is shared, and its result does not depend on it.
process.env.OMP_NUM_THREADS = '1';
const dir = tempDir('mlv-hgb-');
after(() => removeDir(dir));

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

async function versusSklearn(csv: string, target: string, classify: boolean) {
  const frame = await readCsv(csv);
  const task = classify ? 'classification' : 'regression';
  const ours = await train(frame, { target, task, algorithm: 'gradient_boosting', validation: 'kfold:5', seed: 0 });
  const ref = sklearn({ csv, target, model: classify ? 'hgb_classifier' : 'hgb_regressor', folds: trainFoldIds(frame, target, classify) });
  return { frame, ours, ref, refMean: mean(ref.folds!) };
}

/** A copy of a fixture with a seeded 15% of its feature cells blank. */
function withMissing(file: string, target: string): string {
  const lines = readFileSync(join(ROOT, 'fixtures/ml', file), 'utf8').trim().split('\n');
  const t = lines[0].split(',').indexOf(target);
  const r = mulberry32(3);
  const out = [lines[0], ...lines.slice(1).map((l) => l.split(',').map((v, j) => (j !== t && r() < 0.15 ? '' : v)).join(','))];
  const path = join(dir, `missing_${file}`);
  writeFileSync(path, out.join('\n') + '\n');
  return path;
}

/** Friedman #1 regression: y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + noise, with 5 noise features. */
function friedman(n: number): string {
  const r = mulberry32(7);
  const rows = ['x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,y'];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: 10 }, () => r());
    const y = 10 * Math.sin(Math.PI * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4] + (r() - 0.5);
    rows.push([...x, y].join(','));
  }
  const path = join(dir, 'friedman.csv');
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}

for (const [file, target] of [['wine.csv', 'cultivar'], ['breast_cancer.csv', 'diagnosis']]) {
  test(`gradient_boosting on ${file}: 5-fold accuracy within 1 point of HistGradientBoostingClassifier(); probabilities sum to 1`, async () => {
    const { frame, ours, refMean } = await versusSklearn(join(ROOT, 'fixtures/ml', file), target, true);
    const acc = ours.metrics.accuracy.mean;
    assert.ok(Math.abs(acc - refMean) <= 0.01, `${file}: accuracy ${acc} vs sklearn ${refMean}`);
    const model = loadModel(ours.model);
    const cols = frame.columns.filter((c) => c.name !== target).map((c) => c.values as Float64Array);
    const X = Array.from({ length: frame.nRows }, (_, i) => Float64Array.from(cols, (c) => c[i]));
    for (const row of model.predictProba!(X)) assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-12);
    const imp = Object.values(ours.feature_importances!);
    assert.ok(Math.abs(imp.reduce((s, v) => s + v, 0) - 1) < 1e-9, 'gain importances sum to 1');
  });
}

test('gradient_boosting regression (Friedman #1): 5-fold r2 within 0.03 of HistGradientBoostingRegressor(); importances rank signal above noise', async () => {
  const { ours, refMean } = await versusSklearn(friedman(800), 'y', false);
  const r2 = ours.metrics.r2.mean;
  assert.ok(Math.abs(r2 - refMean) <= 0.03, `r2 ${r2} vs sklearn ${refMean}`);
  const imp = ours.feature_importances!;
  for (const noise of ['x5', 'x6', 'x7', 'x8', 'x9']) assert.ok(imp.x3 > imp[noise] && imp.x0 > imp[noise], JSON.stringify(imp));
});

test('gradient_boosting with missing feature values: accuracy near scikit-learn\'s, missing values learned per split, predictable', async () => {
  const csv = withMissing('breast_cancer.csv', 'diagnosis');
  const { frame, ours, refMean } = await versusSklearn(csv, 'diagnosis', true);
  const acc = ours.metrics.accuracy.mean;
  assert.ok(Math.abs(acc - refMean) <= 0.015, `accuracy ${acc} vs sklearn ${refMean}`);
  const trees = (ours.model.state as { trees: Array<{ feature: number[]; missing_left: boolean[] }> }).trees;
  const dirs = trees.flatMap((t) => t.missing_left.filter((_, i) => t.feature[i] >= 0));
  assert.ok(dirs.includes(true) && dirs.includes(false), 'missing values go left at some splits and right at others');
  const model = loadModel(ours.model);
  assert.equal(model.allowsMissing, true);
  const cols = frame.columns.filter((c) => c.name !== 'diagnosis').map((c) => c.values as Float64Array);
  const proba = model.predictProba!([Float64Array.from(cols, () => NaN)]);
  assert.ok(Math.abs(proba[0][0] + proba[0][1] - 1) < 1e-12);
  // Every other algorithm still refuses them, naming file, line and column.
  await assert.rejects(train(frame, { target: 'diagnosis', algorithm: 'random_forest' }), /:\d+: column "[^"]+" has a missing value/);
});

test('gradient_boosting: byte-identical per seed and across --jobs, early stopping above 10,000 rows, load → save identical', async () => {
  const r = mulberry32(5);
  const n = 12_000;
  const a0 = Float64Array.from({ length: n }, () => r() * 4 - 2);
  const a1 = Float64Array.from({ length: n }, () => (r() < 0.1 ? NaN : r()));
  const noise = Float64Array.from({ length: n }, () => r());
  const y = Array.from(a0, (v, i) => (v + (Number.isNaN(a1[i]) ? 1 : a1[i]) + (r() - 0.5) > 0.5 ? 'yes' : 'no'));
  const frame: Frame = {
    columns: [
      { name: 'a0', type: 'number', values: a0 }, { name: 'a1', type: 'number', values: a1 },
      { name: 'noise', type: 'number', values: noise }, { name: 'y', type: 'categorical', values: y },
    ],
    nRows: n,
    source: 'mem.csv',
  };
  const opts = { target: 'y', algorithm: 'gradient_boosting', validation: 'holdout:0.2', seed: 9 } as const;
  const a = await train(frame, { ...opts, jobs: 1 });
  const b = await train(frame, { ...opts, jobs: 2 });
  assert.equal(a.modelChunks.join(''), b.modelChunks.join(''));
  assert.equal(saveModel(loadModel(JSON.parse(a.modelChunks.join(''))).doc), a.modelChunks.join(''));
  const nIter = (a.model.state as { n_iter: number }).n_iter;
  assert.ok(nIter < 100, `early stopping ("auto" above 10,000 rows) stopped at ${nIter}`);
  const c = await train(frame, { ...opts, seed: 10 });
  assert.notEqual(c.modelChunks.join(''), a.modelChunks.join(''), 'another seed holds out other rows');
  const imp = a.feature_importances!;
  assert.ok(imp.a0 > imp.noise && imp.a1 > imp.noise, JSON.stringify(imp));
});

test('gradient_boosting: bins as scikit-learn\'s _BinMapper; bad hyperparameters name the valid range; a bad state names it', async () => {
  // Few distinct values: midpoints; many: numpy 'midpoint' percentiles, 254 of them for 255 bins.
  assert.deepEqual(Array.from(featureThresholds(Float64Array.of(3, 1, NaN, 2, 1), 255)), [1.5, 2.5]);
  const values = Float64Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1013 / 7);
  const t = featureThresholds(values, 255);
  const py = spawnSync('/usr/bin/python3', ['-c', [
    'import sys, json, numpy as np',
    'from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper',
    'x = np.array(json.load(sys.stdin)).reshape(-1, 1)',
    'print(json.dumps(_BinMapper().fit(x).bin_thresholds_[0].tolist()))',
  ].join('\n')], { input: JSON.stringify(Array.from(values)), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(Array.from(t), JSON.parse(py.stdout), "scikit-learn's thresholds, to the bit");
  assert.equal(t.length, 254);
  assert.equal(binOf(t, 255, -1), 0);
  assert.equal(binOf(t, 255, t[0]), 0);
  assert.equal(binOf(t, 255, t[0] + 1e-9), 1);
  assert.equal(binOf(t, 255, 1e9), 254);
  assert.equal(binOf(t, 255, NaN), 255);

  const frame: Frame = {
    columns: [{ name: 'x', type: 'number', values: Float64Array.from({ length: 40 }, (_, i) => i) },
      { name: 'y', type: 'categorical', values: Array.from({ length: 40 }, (_, i) => (i < 20 ? 'a' : 'b')) }],
    nRows: 40,
    source: 'mem.csv',
  };
  const bad: Array<[Record<string, string | number | boolean | null>, RegExp]> = [
    [{ learning_rate: 0 }, /hyperparameter learning_rate: expected a number > 0, got 0/],
    [{ max_iter: 0 }, /max_iter: expected an integer >= 1, got 0/],
    [{ max_leaf_nodes: 1 }, /max_leaf_nodes: expected an integer >= 2 or null \(no limit\), got 1/],
    [{ max_bins: 256 }, /max_bins: expected an integer in \[2, 255\], got 256/],
    [{ min_samples_leaf: 0 }, /min_samples_leaf: expected an integer >= 1/],
    [{ l2_regularization: -1 }, /l2_regularization: expected a number >= 0/],
    [{ early_stopping: 'yes' }, /early_stopping: expected "auto" or true or false/],
    [{ loss: 'squared_error' }, /hyperparameter loss: expected "log_loss" for classification, got "squared_error"/],
    [{ subsample: 0.5 }, /unknown hyperparameter "subsample" for gradient_boosting/],
  ];
  for (const [params, re] of bad) await assert.rejects(train(frame, { target: 'y', algorithm: 'gradient_boosting', params }), re);
  const ok = await train(frame, { target: 'y', algorithm: 'gradient_boosting', validation: 'none', params: { min_samples_leaf: 5 } });
  const doc = JSON.parse(ok.modelChunks.join(''));
  assert.ok(ok.metrics.accuracy.mean === 1);
  assert.throws(() => loadModel({ ...doc, state: { ...doc.state, baseline: [] } }), /gradient_boosting state: "baseline" must be 1 number/);
  const tree = doc.state.trees[0];
  assert.throws(() => loadModel({ ...doc, state: { ...doc.state, trees: [{ ...tree, feature: tree.feature.map(() => 7) }] } }), /tree 0: node 0: feature 7/);
});

test('gradient_boosting binning: the radix sort orders as Float64Array.sort does, and the branchless bin search agrees with binOf', () => {
  const rand = mulberry32(7);
  const special = [0, -0, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1, -1, 0.5, -0.5];
  // Spread values, heavy duplicates (one digit the same everywhere: skipped passes), integers, tiny magnitudes, sizes around the small-array cut.
  const makers: Array<(i: number) => number> = [
    () => (rand() - 0.5) * 10 ** Math.floor(rand() * 20 - 10),
    () => Math.floor(rand() * 5),
    () => special[Math.floor(rand() * special.length)],
    (i) => i % 17 === 0 ? -i : i * 1e-300,
  ];
  for (const n of [1, 511, 512, 513, 5000, 70_000]) {
    for (const make of makers) {
      const a = Float64Array.from({ length: n }, (_, i) => make(i));
      const expected = a.slice().sort();
      const got = sortFloats(a);
      assert.equal(got, a, 'sorted in place');
      for (let i = 0; i < n; i++) assert.ok(Object.is(got[i], expected[i]), `n=${n}, position ${i}: ${got[i]} vs ${expected[i]}`);
    }
  }
  for (const n of [0, 1, 2, 100, 254, 255]) {
    const t = sortFloats(Float64Array.from({ length: n }, () => Math.round((rand() - 0.5) * 1000) / 10));
    const padded = padThresholds(t);
    const probes = [...t, ...Array.from(t, (v) => v + 1e-9), ...Array.from(t, (v) => v - 1e-9), -Infinity, Infinity, -1e9, 1e9, 0, -0];
    for (const x of probes) assert.equal(binOfPadded(padded, x), binOf(t, 255, x), `${n} thresholds, x=${x}`);
  }
  assert.throws(() => padThresholds(new Float64Array(256)), /at most 255/);
});

test('gradient_boosting on histogram threads: the same bytes as one thread for binary (with missing values), multiclass and regression; the threads took part', async () => {
  const { fitBoosting } = await import('../../../src/ml/models/hgb/boost.js');
  const { HistogramThreads, MIN_ROWS } = await import('../../../src/ml/models/hgb/histThreads.js');
  const r = mulberry32(11);
  const n = 6 * MIN_ROWS, p = 7;
  const columns = Array.from({ length: p }, (_, f) => Float64Array.from({ length: n }, () => (f === 1 && r() < 0.1 ? NaN : r() * 10)));
  const signal = (i: number) => columns[0][i] + (Number.isNaN(columns[1][i]) ? 5 : columns[1][i]) - columns[2][i] + r() * 3;
  const yBin = Int32Array.from({ length: n }, (_, i) => (signal(i) > 5 ? 1 : 0));
  const yMulti = Int32Array.from({ length: n }, (_, i) => Math.min(2, Math.max(0, Math.floor(signal(i) / 5))));
  const yReg = Float64Array.from({ length: n }, (_, i) => signal(i));
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const params = {
    learning_rate: 0.1, max_iter: 8, max_leaf_nodes: 31, max_depth: null, min_samples_leaf: 20, l2_regularization: 0,
    max_bins: 255, early_stopping: 'auto' as const, validation_fraction: 0.1, n_iter_no_change: 10, tol: 1e-7,
  };
  const threads = HistogramThreads.start(2);
  try {
    for (const data of [{ yClass: yBin, K: 2 }, { yClass: yMulti, K: 3 }, { yReg }]) {
      const one = await fitBoosting({ columns, seed: 4, ...data }, rows, params);
      const before = threads.shared;
      const many = await fitBoosting({ columns, seed: 4, ...data }, rows, params, threads);
      assert.ok(threads.shared > before, 'the threads built part of some histograms');
      assert.equal(JSON.stringify(many.state), JSON.stringify(one.state));
      assert.deepEqual(Array.from(many.importances), Array.from(one.importances));
    }
  } finally {
    await threads.close();
  }
});
