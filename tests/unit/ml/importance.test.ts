import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, metricsDocument } from '../../../src/ml/train.js';
import { ALGORITHMS } from '../../../src/ml/models/index.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import { UsageError } from '../../../src/errors/index.js';
import type { Frame } from '../../../src/ml/frame.js';
import type { Task } from '../../../src/ml/models/algorithm.js';
import { sklearn, trainFoldIds, type OracleRequest } from '../../helpers/sklearn.js';

/**
 * 600 rows: `strong` decides the target, `weak` nudges it, `noise` is unrelated.
 * Classification has string labels; both targets carry some noise of their own.
 */
function data(task: Task): { frame: Frame; csv: string } {
  const rnd = mulberry32(11);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const n = 600;
  const strong = Float64Array.from({ length: n }, gauss);
  const weak = Float64Array.from({ length: n }, gauss);
  const noise = Float64Array.from({ length: n }, gauss);
  const z = Float64Array.from({ length: n }, (_, i) => 3 * strong[i] + weak[i] + 0.5 * gauss());
  const target = task === 'classification'
    ? { name: 'y', type: 'categorical' as const, values: Array.from(z, (v) => (v > 1.5 ? 'high' : v > -1.5 ? 'mid' : 'low')) }
    : { name: 'y', type: 'number' as const, values: z };
  const frame: Frame = {
    nRows: n, source: 'data.csv',
    columns: [
      { name: 'noise', type: 'number', values: noise },
      { name: 'strong', type: 'number', values: strong },
      { name: 'weak', type: 'number', values: weak },
      target,
    ],
  };
  const lines = ['noise,strong,weak,y', ...Array.from({ length: n }, (_, i) => `${noise[i]},${strong[i]},${weak[i]},${target.values[i]}`)];
  return { frame, csv: lines.join('\n') + '\n' };
}

const ORACLE: Record<string, Partial<Record<Task, OracleRequest['model']>>> = {
  random_forest: { classification: 'forest_classifier', regression: 'forest_regressor' },
  decision_tree: { classification: 'tree_classifier', regression: 'tree_regressor' },
  linear: { regression: 'linear' },
  logistic: { classification: 'logistic' },
  gradient_boosting: { classification: 'hgb_classifier', regression: 'hgb_regressor' },
};

const supervised = ALGORITHMS.flatMap((a) => a.tasks.filter((t) => t === 'classification' || t === 'regression').map((task) => ({ a, task })));

test('every supervised algorithm has a scikit-learn counterpart here', () => {
  for (const { a, task } of supervised) assert.ok(ORACLE[a.name]?.[task], `${a.name} ${task}`);
});

for (const { a, task } of supervised) {
  test(`permutation importance, ${a.name} ${task}: the signal ranks above the nudge above noise, as scikit-learn's permutation_importance ranks them`, async () => {
    const { frame, csv } = data(task);
    const params = 'n_estimators' in a.params ? { n_estimators: 30 } : {};
    const r = await train(frame, { target: 'y', task, algorithm: a.name, params, validation: 'kfold:3', seed: 0, jobs: 1, importance: 'permutation' });
    const fi = r.feature_importances!;
    assert.deepEqual(Object.keys(fi), ['noise', 'strong', 'weak']);
    assert.ok(fi.strong > fi.weak && fi.weak > fi.noise, `${a.name}: ${JSON.stringify(fi)}`);
    assert.ok(Math.abs(fi.noise) < 0.05, `${a.name}: shuffling noise costs almost nothing (${fi.noise})`);
    assert.deepEqual(r.importance, { method: 'permutation', scoring: task === 'classification' ? 'accuracy' : 'r2', n_repeats: 5, std: r.importance!.std });
    for (const v of Object.values(r.importance!.std!)) assert.ok(v >= 0 && Number.isFinite(v));
    // The metrics file carries them as native importances are carried, and says how they were measured.
    const doc = metricsDocument(r);
    assert.deepEqual(doc.feature_importances, fi);
    assert.equal((doc.importance as { method: string }).method, 'permutation');
    // The model file keeps the model's own importances, whatever was reported.
    const native = await train(frame, { target: 'y', task, algorithm: a.name, params, validation: 'kfold:3', seed: 0, jobs: 1 });
    assert.equal(r.modelChunks.join(''), native.modelChunks.join(''));

    const dir = mkdtempSync(join(tmpdir(), 'mlv-perm-'));
    try {
      writeFileSync(join(dir, 'd.csv'), csv);
      const ref = sklearn({ csv: join(dir, 'd.csv'), target: 'y', model: ORACLE[a.name][task]!, folds: trainFoldIds(frame, 'y', task === 'classification', 'kfold:3'), permutation: { n_repeats: 5, random_state: 0 } });
      const mean = [0, 1, 2].map((f) => ref.permutation!.reduce((s, fold) => s + fold[f], 0) / ref.permutation!.length);
      const [noise, strong, weak] = mean;
      assert.ok(strong > weak && weak > noise, `sklearn ${ORACLE[a.name][task]}: ${mean}`);
      // Same kind of model, same folds: the drops are of the same size (the shuffles differ).
      assert.ok(Math.abs(fi.strong - strong) < 0.15 * Math.max(strong, 0.1), `strong: ours ${fi.strong}, sklearn ${strong}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('permutation importance is seeded: the same seed gives the same numbers across --jobs, another seed others', async () => {
  for (const task of ['classification', 'regression'] as const) {
    const { frame } = data(task);
    for (const algorithm of ['random_forest', 'gradient_boosting'] as const) {
      const params = algorithm === 'random_forest' ? { n_estimators: 20 } : {};
      const run = (seed: number, jobs: number) => train(frame, { target: 'y', task, algorithm, params, validation: 'holdout:0.3', seed, jobs, importance: 'permutation', importanceRepeats: 3 });
      const a = await run(4, 1);
      const b = await run(4, 2);
      assert.deepEqual(b.feature_importances, a.feature_importances, `${algorithm} ${task}`);
      assert.deepEqual(b.importance, a.importance);
      assert.equal(a.importance!.n_repeats, 3);
      const c = await run(5, 1);
      assert.notDeepEqual(c.feature_importances, a.feature_importances);
    }
  }
});

test('permutation importance needs validation rows and a supervised task; repeats are an integer >= 1', async () => {
  const { frame } = data('regression');
  const go = (o: Parameters<typeof train>[1]) => train(frame, { target: 'y', algorithm: 'linear', ...o });
  await assert.rejects(go({ validation: 'none', importance: 'permutation' }), (e: Error) => e instanceof UsageError
    && e.message === '--importance permutation shuffles features among the validation rows: use --validation holdout or kfold, not none');
  await assert.rejects(go({ validation: 'leave-p-out:1', importance: 'permutation' }), /not leave-p-out:1/);
  await assert.rejects(go({ importance: 'permutation', importanceRepeats: 0 }), (e: Error) => e instanceof UsageError
    && e.message === '--importance-repeats 0: expected a whole number, 1 or more');
  await assert.rejects(go({ importance: 'gain' as 'native' }), (e: Error) => e instanceof UsageError
    && e.message === '--importance must be native or permutation, got "gain"');
  await assert.rejects(train(frame, { task: 'clustering', algorithm: 'kmeans', importance: 'permutation' }), /needs classification or regression, not clustering/);
});

test('linear: standardised coefficients as native importances, shown but kept out of both files unless --importance is given', async () => {
  const { frame, csv } = data('regression');
  const r = await train(frame, { target: 'y', algorithm: 'linear', validation: 'none' });
  const dir = mkdtempSync(join(tmpdir(), 'mlv-linimp-'));
  let coef: number[];
  try {
    writeFileSync(join(dir, 'd.csv'), csv);
    coef = sklearn({ csv: join(dir, 'd.csv'), target: 'y', model: 'linear' }).coef![0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cols = [0, 1, 2].map((f) => frame.columns[f].values as Float64Array);
  const std = cols.map((c) => {
    const mu = c.reduce((s, v) => s + v, 0) / c.length;
    return Math.sqrt(c.reduce((s, v) => s + (v - mu) ** 2, 0) / c.length);
  });
  const raw = coef.map((c, f) => Math.abs(c * std[f]));
  const total = raw.reduce((s, v) => s + v, 0);
  ['noise', 'strong', 'weak'].forEach((name, f) => {
    assert.ok(Math.abs(r.feature_importances![name] - raw[f] / total) < 1e-9, `${name}: ${r.feature_importances![name]} vs ${raw[f] / total}`);
  });
  assert.equal(r.importancesUnsaved, true);
  assert.equal(r.model.feature_importances, undefined, 'the model file is as before');
  assert.equal(metricsDocument(r).feature_importances, undefined, 'the metrics file is as before');
  const asked = await train(frame, { target: 'y', algorithm: 'linear', validation: 'none', importance: 'native' });
  assert.deepEqual(metricsDocument(asked).feature_importances, r.feature_importances);
  assert.deepEqual(metricsDocument(asked).importance, { method: 'native' });
  assert.equal(asked.modelChunks.join(''), r.modelChunks.join(''));
});
