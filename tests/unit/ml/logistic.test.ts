import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCsv } from '../../../src/ml/csv.js';
import { train } from '../../../src/ml/train.js';
import { loadModel, saveModel } from '../../../src/ml/models/index.js';
import { lbfgs } from '../../../src/ml/models/lbfgs.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import type { Frame } from '../../../src/ml/frame.js';
import { sklearn, trainFoldIds } from '../../helpers/sklearn.js';
import { ROOT } from '../../helpers/repo.js';

const SETS = [
  { file: 'wine.csv', target: 'cultivar' },
  { file: 'breast_cancer.csv', target: 'diagnosis' },
  { file: 'digits.csv', target: 'digit' },
];

function rowsOf(frame: Frame, target: string): Float64Array[] {
  const cols = frame.columns.filter((c) => c.name !== target).map((c) => c.values as Float64Array);
  return Array.from({ length: frame.nRows }, (_, i) => Float64Array.from(cols, (c) => c[i]));
}

for (const { file, target } of SETS) {
  test(`logistic on ${file}: 5-fold accuracy within 1 point of make_pipeline(StandardScaler(), LogisticRegression()), same optimum`, async () => {
    const csv = join(ROOT, 'fixtures/ml', file);
    const frame = await readCsv(csv);
    const ours = await train(frame, { target, algorithm: 'logistic', validation: 'kfold:5', seed: 0 });
    const ref = sklearn({ csv, target, model: 'logistic', folds: trainFoldIds(frame, target, true) });
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const gap = Math.abs(ours.metrics.accuracy.mean - mean(ref.folds!));
    assert.ok(gap <= 0.01, `${file}: accuracy ${ours.metrics.accuracy.mean} vs sklearn ${mean(ref.folds!)}`);
    assert.ok(ours.metrics.accuracy.mean > 0.9);

    // The final fit reaches scikit-learn's optimum: the same probabilities and coefficients.
    const model = loadModel(ours.model);
    assert.deepEqual(model.labels!.map(String), ref.classes);
    const proba = model.predictProba!(rowsOf(frame, target));
    let worst = 0;
    proba.forEach((row, i) => {
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-12, 'probabilities sum to 1');
      row.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - ref.proba![i][k])); });
    });
    assert.ok(worst < 2e-3, `${file}: largest probability difference ${worst}`);
    const coef = (ours.model.state as { coef: number[][] }).coef;
    assert.equal(coef.length, ref.coef!.length);
    const imp = ours.feature_importances!;
    assert.ok(Math.abs(Object.values(imp).reduce((s, v) => s + v, 0) - 1) < 1e-9, 'importances sum to 1');
  });
}

test('logistic: class_weight, C, penalty none and fit_intercept agree with scikit-learn', async () => {
  const csv = join(ROOT, 'fixtures/ml/breast_cancer.csv');
  const target = 'diagnosis';
  const frame = await readCsv(csv);
  const X = rowsOf(frame, target);
  const cases: Array<Record<string, string | number | boolean | null>> = [
    { class_weight: 'balanced' },
    { C: 0.05, fit_intercept: false },
    { C: 10, max_iter: 1000 },
  ];
  for (const params of cases) {
    const ours = await train(frame, { target, algorithm: 'logistic', validation: 'none', params });
    const ref = sklearn({ csv, target, model: 'logistic', params });
    const proba = loadModel(ours.model).predictProba!(X);
    let worst = 0;
    proba.forEach((row, i) => row.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - ref.proba![i][k])); }));
    assert.ok(worst < 5e-3, `${JSON.stringify(params)}: largest probability difference ${worst}`);
  }
  // Without a penalty on separable data the weights grow until max_iter: still finite, still probabilities.
  const none = await train(frame, { target, algorithm: 'logistic', validation: 'none', params: { penalty: 'none', max_iter: 50 } });
  assert.equal((none.model.state as { n_iter: number }).n_iter, 50);
  const acc = none.metrics.accuracy.mean;
  assert.ok(acc > 0.98, `unpenalised training accuracy ${acc}`);
});

const numFrame = (cols: Record<string, ArrayLike<number> | string[]>): Frame => ({
  columns: Object.entries(cols).map(([name, v]) => (typeof (v as ArrayLike<unknown>)[0] === 'string'
    ? { name, type: 'categorical' as const, values: v as string[] }
    : { name, type: 'number' as const, values: Float64Array.from(v as ArrayLike<number>) })),
  nRows: Object.values(cols)[0].length,
  source: 'mem.csv',
});

test('logistic: byte-identical per seed and across --jobs; importances rank the signal above noise; a constant feature is harmless', async () => {
  const r = mulberry32(11);
  const n = 600;
  const signal = Float64Array.from({ length: n }, () => r() * 4 - 2);
  const noise = Float64Array.from({ length: n }, () => r() * 1000);
  const constant = new Float64Array(n).fill(3);
  const y = Array.from(signal, (v, i) => (v + (r() - 0.5) * 0.8 > 0.6 ? 'high' : v < -0.6 ? 'low' : 'mid'));
  const frame = numFrame({ noise, signal, constant, y });
  const a = await train(frame, { target: 'y', algorithm: 'logistic', validation: 'kfold:3', seed: 4, jobs: 1 });
  const b = await train(frame, { target: 'y', algorithm: 'logistic', validation: 'kfold:3', seed: 4, jobs: 2 });
  assert.equal(a.modelChunks.join(''), b.modelChunks.join(''));
  assert.equal(saveModel(loadModel(JSON.parse(a.modelChunks.join(''))).doc), a.modelChunks.join(''));
  assert.deepEqual(a.model.labels, ['high', 'low', 'mid']);
  const imp = a.feature_importances!;
  assert.ok(imp.signal > 0.8 && imp.signal > imp.noise, JSON.stringify(imp));
  assert.equal(imp.constant, 0);
  assert.equal((a.model.state as { coef: number[][] }).coef.every((row) => row[2] === 0), true, 'a constant feature gets no weight');
  assert.ok(a.metrics.accuracy.mean > 0.85, String(a.metrics.accuracy.mean));
  assert.ok(Number.isFinite(a.metrics.log_loss.mean) && a.metrics.roc_auc.mean > 0.9);
});

test('logistic: bad hyperparameters name the valid range; a malformed state names the key', async () => {
  const frame = numFrame({ x: [1, 2, 3, 4, 5, 6], y: ['a', 'a', 'a', 'b', 'b', 'b'] });
  const bad: Array<[Record<string, string | number | null>, RegExp]> = [
    [{ C: 0 }, /hyperparameter C: expected a number > 0, got 0/],
    [{ penalty: 'l1' }, /hyperparameter penalty: expected "l2", "none" or null \(no penalty\), got "l1"/],
    [{ max_iter: -1 }, /max_iter: expected an integer >= 0/],
    [{ tol: -1 }, /tol: expected a number >= 0/],
    [{ class_weight: 'auto' }, /class_weight: expected null \(every row weighs 1\) or "balanced"/],
    [{ l1_ratio: 0.5 }, /unknown hyperparameter "l1_ratio" for logistic/],
  ];
  for (const [params, re] of bad) {
    await assert.rejects(train(frame, { target: 'y', algorithm: 'logistic', params }), re);
  }
  const ok = await train(frame, { target: 'y', algorithm: 'logistic', validation: 'none' });
  const doc = JSON.parse(ok.modelChunks.join(''));
  assert.throws(() => loadModel({ ...doc, state: { ...doc.state, coef: [[1, 2]] } }), /state\.coef must be 1 row of 1 numbers/);
  assert.throws(() => loadModel({ ...doc, state: { ...doc.state, intercept: [] } }), /state\.intercept must be 1 number/);
  await assert.rejects(train(numFrame({ x: [1, 2, 3], y: [1.5, 2.5, 3.5] }), { target: 'y', task: 'regression', algorithm: 'logistic' }), /algorithm logistic does classification, not regression/);
});

test('lbfgs reaches the minimum of a quadratic and reports its iterations', () => {
  const r = lbfgs((x, g) => {
    g[0] = 2 * (x[0] - 3);
    g[1] = 40 * (x[1] + 1);
    return (x[0] - 3) ** 2 + 20 * (x[1] + 1) ** 2;
  }, new Float64Array(2), { maxIter: 100, gtol: 1e-10, ftol: 0 });
  assert.ok(r.converged && r.nIter > 0 && r.nIter < 100);
  assert.ok(Math.abs(r.x[0] - 3) < 1e-9 && Math.abs(r.x[1] + 1) < 1e-9, Array.from(r.x).join());
  const capped = lbfgs((x, g) => { g[0] = 2 * (x[0] - 3); return (x[0] - 3) ** 2; }, new Float64Array(1), { maxIter: 0, gtol: 0 });
  assert.equal(capped.nIter, 0);
  assert.equal(capped.converged, false);
});
