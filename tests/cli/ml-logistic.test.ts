import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlv, mlvOk, removeDir, tempDir, ROOT } from '../helpers/repo.js';

const dir = tempDir('mlv-logistic-');
after(() => removeDir(dir));
copyFileSync(join(ROOT, 'fixtures/ml/breast_cancer.csv'), join(dir, 'bc.csv'));
copyFileSync(join(ROOT, 'fixtures/ml/wine.csv'), join(dir, 'wine.csv'));

test('mlv train --algorithm logistic: same bytes with any --jobs; predict writes probabilities that sum to 1; evaluate reads them', () => {
  const args = (o: string, jobs: string) => ['train', 'wine.csv', '--target', 'cultivar', '--algorithm', 'logistic', '-p', 'C=0.5', '--validation', 'kfold:5', '-o', o, '--metrics', `${o}.metrics`, '--jobs', jobs];
  mlvOk(dir, args('m1.json', '1'));
  mlvOk(dir, args('m2.json', '2'));
  assert.equal(readFileSync(join(dir, 'm1.json'), 'utf8'), readFileSync(join(dir, 'm2.json'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'm1.json.metrics'), 'utf8'), readFileSync(join(dir, 'm2.json.metrics'), 'utf8'));
  const model = JSON.parse(readFileSync(join(dir, 'm1.json'), 'utf8'));
  assert.equal(model.algorithm, 'logistic');
  assert.equal(model.params.C, 0.5);
  assert.equal(model.state.coef.length, 3);
  assert.equal(model.feature_importances.length, 13);

  const pred = JSON.parse(mlvOk(dir, ['predict', 'm1.json', 'wine.csv', '-o', 'preds.csv', '--json']).stdout);
  assert.deepEqual(pred.columns, ['y_true', 'y_pred', 'proba_class_0', 'proba_class_1', 'proba_class_2']);
  const lines = readFileSync(join(dir, 'preds.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(lines.length, 178);
  for (const l of lines) {
    const sum = l.split(',').slice(2).map(Number).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, l);
  }
  const ev = JSON.parse(mlvOk(dir, ['evaluate', 'preds.csv', '--task', 'classification', '--json']).stdout);
  assert.ok(ev.accuracy > 0.98 && ev.log_loss < 0.2 && ev.roc_auc > 0.99, JSON.stringify(ev));
});

test('binary logistic on string labels reports log_loss and roc_auc; a bad C exits 2 naming the range', () => {
  const j = JSON.parse(mlvOk(dir, ['train', 'bc.csv', '--target', 'diagnosis', '--algorithm', 'logistic', '-p', 'class_weight=balanced', '--json']).stdout);
  assert.equal(j.algorithm, 'logistic');
  assert.ok(j.metrics.accuracy.mean > 0.93 && j.metrics.roc_auc.mean > 0.97 && j.metrics.log_loss.mean < 0.2, JSON.stringify(j.metrics));
  assert.equal(Object.keys(j.feature_importances).length, 30);
  const bad = mlv(dir, ['train', 'bc.csv', '--target', 'diagnosis', '--algorithm', 'logistic', '-p', 'C=-1']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), 'mlv: hyperparameter C: expected a number > 0, got -1');
});
