import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/repo.js';
import { evaluatePredictions } from '../../../src/ml/evaluate.js';
import { classificationMetrics, regressionMetrics, binaryAuc } from '../../../src/ml/metrics.js';

const REF = join(ROOT, 'fixtures', 'ml', 'reference');
const reference = JSON.parse(readFileSync(join(REF, 'metrics.json'), 'utf8')) as Record<
  string,
  { file: string; task: 'classification' | 'regression'; metrics: Record<string, unknown> }
>;

for (const [name, c] of Object.entries(reference)) {
  test(`metrics match scikit-learn: ${name}`, async () => {
    const got = (await evaluatePredictions(join(REF, c.file), c.task)) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(c.metrics).sort(), 'same metric names');
    for (const [metric, want] of Object.entries(c.metrics)) {
      if (metric === 'confusion_matrix') {
        assert.deepEqual(got[metric], want);
        continue;
      }
      const g = got[metric] as number;
      assert.ok(Math.abs(g - (want as number)) <= 1e-9, `${metric}: got ${g}, sklearn ${want}`);
    }
  });
}

test('binary metrics use the greater label as positive; absent for multiclass', () => {
  const m = classificationMetrics(['no', 'yes', 'yes', 'no'], ['yes', 'yes', 'no', 'no']);
  assert.equal(m.precision, 0.5);
  assert.equal(m.recall, 0.5);
  assert.deepEqual(m.confusion_matrix, { labels: ['no', 'yes'], matrix: [[1, 1], [1, 1]] });
  const multi = classificationMetrics([1, 2, 3], [1, 2, 2]);
  assert.equal(multi.f1, undefined);
  assert.equal(multi.log_loss, undefined);
});

test('AUC counts tied scores as half', () => {
  assert.equal(binaryAuc([false, true], [0.5, 0.5]), 0.5);
  assert.equal(binaryAuc([false, true, true], [0.1, 0.1, 0.9]), 0.75);
  assert.equal(binaryAuc([true, true], [0.1, 0.2]), undefined);
});

test('log loss clips probabilities of exactly 0 instead of returning Infinity', () => {
  const m = classificationMetrics([0, 1], [1, 1], { labels: [0, 1], rows: [[0, 1], [0, 1]] });
  assert.ok(Number.isFinite(m.log_loss!));
  assert.ok(m.log_loss! > 17 && m.log_loss! < 19); // -log(eps) / 2 ≈ 18.02
});

test('regression: perfect and constant targets', () => {
  assert.deepEqual(regressionMetrics([1, 2, 3], [1, 2, 3]), { mae: 0, mse: 0, rmse: 0, r2: 1 });
  assert.equal(regressionMetrics([2, 2], [2, 2]).r2, 1);
  assert.equal(regressionMetrics([2, 2], [1, 2]).r2, 0);
});
