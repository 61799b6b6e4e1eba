import { test } from 'node:test';
import assert from 'node:assert/strict';
import { train, inferTask, metricsDocument } from '../../../src/ml/train.js';
import { InputError, UsageError } from '../../../src/errors/index.js';
import type { Frame } from '../../../src/ml/frame.js';

const frame = (cols: Frame['columns']): Frame => ({ columns: cols, nRows: cols[0].values.length, source: 'data.csv' });
const num = (name: string, v: number[]) => ({ name, type: 'number' as const, values: Float64Array.from(v) });
const cat = (name: string, v: Array<string | null>) => ({ name, type: 'categorical' as const, values: v });
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

test('task inference: text/boolean/few integers → classification, other numbers → regression', () => {
  const x = num('x', range(30, (i) => i));
  assert.equal(inferTask(frame([x, cat('y', range(30, (i) => (i % 2 ? 'a' : 'b')))]), 'y').task, 'classification');
  assert.equal(inferTask(frame([x, { name: 'y', type: 'boolean', values: Float64Array.from(range(30, (i) => i % 2)) }]), 'y').task, 'classification');
  assert.equal(inferTask(frame([x, num('y', range(30, (i) => i % 5))]), 'y').task, 'classification');
  assert.equal(inferTask(frame([x, num('y', range(30, (i) => i))]), 'y').task, 'regression');
  assert.equal(inferTask(frame([x, num('y', range(30, (i) => (i % 5) + 0.5))]), 'y').task, 'regression');
});

test('bad input is an InputError naming the column, row or key', async () => {
  const x = num('x', range(20, (i) => i));
  const y = cat('y', range(20, (i) => (i < 10 ? 'a' : 'b')));
  await assert.rejects(train(frame([x, cat('city', range(20, () => 'Oslo')), y]), { target: 'y' }),
    (e: unknown) => e instanceof InputError && /column "city" is not numeric; encode it with `mlv featurize`/.test(e.message));
  await assert.rejects(train(frame([x, cat('y', range(20, () => 'only'))]), { target: 'y' }),
    (e: unknown) => e instanceof InputError && /single class \("only"\)/.test(e.message));
  const gap = num('g', range(20, (i) => (i === 4 ? NaN : i)));
  await assert.rejects(train(frame([gap, y]), { target: 'y', lines: range(20, (i) => i + 2) }),
    (e: unknown) => e instanceof InputError && /data\.csv:6: column "g" has a missing value/.test(e.message));
  await assert.rejects(train(frame([x, y]), { target: 'y', params: { n_trees: 3 } }), /unknown hyperparameter "n_trees"/);
  await assert.rejects(train(frame([x, y]), { target: 'y', validation: 'kfold:50' }), /k is larger than the number of rows \(20\)/);
  await assert.rejects(train(frame([x, y]), { target: 'y', algorithm: 'linear' }), /algorithm linear does regression, not classification/);
  await assert.rejects(train(frame([x, y]), { target: 'nope' }), /no column "nope"/);
  await assert.rejects(train(frame([x, y]), {}), UsageError);
  await assert.rejects(train(frame([x, y]), { target: 'y', task: 'regression' }), /regression needs a numeric target/);
});

test('metrics: mean and population std over folds; the metrics document has no timing', async () => {
  const n = 60;
  const x = num('x', range(n, (i) => (i * 7919) % 61));
  const y = cat('y', range(n, (i) => ((i * 7919) % 61 > 30 ? 'hi' : 'lo')));
  const r = await train(frame([x, y]), { target: 'y', validation: 'kfold:4', algorithm: 'decision_tree', clock: () => 0 });
  const acc = r.metrics.accuracy;
  assert.equal(acc.folds.length, 4);
  const mean = acc.folds.reduce((a, b) => a + b, 0) / 4;
  assert.equal(acc.mean, mean);
  assert.equal(acc.std, Math.sqrt(acc.folds.reduce((a, b) => a + (b - mean) ** 2, 0) / 4));
  assert.equal(r.confusion_matrix!.matrix.flat().reduce((a, b) => a + b, 0), n, 'every row scored once');
  assert.equal(r.cost.n_fits, 5);
  const doc = metricsDocument(r) as { cost: Record<string, number> };
  assert.equal(doc.cost.seconds, undefined);
  assert.equal(doc.cost.n_features, 1);
});
