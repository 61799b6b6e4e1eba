import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlv, mlvOk, removeDir, tempDir, ROOT } from '../helpers/repo.js';

const dir = tempDir('mlv-hgb-cli-');
after(() => removeDir(dir));
copyFileSync(join(ROOT, 'fixtures/ml/wine.csv'), join(dir, 'wine.csv'));

test('mlv train --algorithm gradient_boosting: same bytes with any --jobs; predict takes missing values; probabilities sum to 1; a bad value exits 2', () => {
  const args = (o: string, jobs: string) => ['train', 'wine.csv', '--target', 'cultivar', '--algorithm', 'gradient_boosting', '-p', 'max_iter=30', '--validation', 'kfold:3', '-o', o, '--metrics', `${o}.metrics`, '--jobs', jobs];
  mlvOk(dir, args('m1.json', '1'));
  mlvOk(dir, args('m2.json', '2'));
  assert.equal(readFileSync(join(dir, 'm1.json'), 'utf8'), readFileSync(join(dir, 'm2.json'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'm1.json.metrics'), 'utf8'), readFileSync(join(dir, 'm2.json.metrics'), 'utf8'));
  const model = JSON.parse(readFileSync(join(dir, 'm1.json'), 'utf8'));
  assert.equal(model.algorithm, 'gradient_boosting');
  assert.equal(model.params.max_iter, 30);
  assert.equal(model.params.loss, 'log_loss');
  assert.equal(model.state.trees.length, 30 * 3);
  assert.equal(model.feature_importances.length, 13);

  // Rows with empty cells: predicted, not refused.
  const lines = readFileSync(join(dir, 'wine.csv'), 'utf8').trim().split('\n');
  const holes = [lines[0], ...lines.slice(1).map((l, i) => l.split(',').map((v, j) => (j < 13 && (i + j) % 5 === 0 ? '' : v)).join(','))];
  writeFileSync(join(dir, 'holes.csv'), holes.join('\n') + '\n');
  const pred = JSON.parse(mlvOk(dir, ['predict', 'm1.json', 'holes.csv', '-o', 'preds.csv', '--json']).stdout);
  assert.deepEqual(pred.columns, ['y_true', 'y_pred', 'proba_class_0', 'proba_class_1', 'proba_class_2']);
  const out = readFileSync(join(dir, 'preds.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(out.length, 178);
  for (const l of out) {
    const sum = l.split(',').slice(2).map(Number).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, l);
  }
  // Training on them works too; another algorithm refuses them naming file, line and column.
  mlvOk(dir, ['train', 'holes.csv', '--target', 'cultivar', '--algorithm', 'gradient_boosting', '-p', 'max_iter=10', '--validation', 'none']);
  const refused = mlv(dir, ['train', 'holes.csv', '--target', 'cultivar', '--algorithm', 'logistic']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /holes\.csv:\d+: column "[^"]+" has a missing value/);

  const bad = mlv(dir, ['train', 'wine.csv', '--target', 'cultivar', '--algorithm', 'gradient_boosting', '-p', 'max_bins=300']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), 'mlv: hyperparameter max_bins: expected an integer in [2, 255], got 300');
});

test('mlv train --algorithm gradient_boosting on 20,000 rows (large enough for histogram threads): --jobs 1, 2 and 3 give the same bytes', () => {
  // A seeded, deterministic CSV: 10 features, a binary label from three of them.
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = [[...Array.from({ length: 10 }, (_, f) => `x${f}`), 'y'].join(',')];
  for (let i = 0; i < 20_000; i++) {
    const x = Array.from({ length: 10 }, () => Math.round(next() * 1e4) / 1e3);
    lines.push([...x, x[0] + x[1] - x[2] + next() * 4 > 7 ? 'yes' : 'no'].join(','));
  }
  writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
  const models = ['1', '2', '3'].map((jobs) => {
    mlvOk(dir, ['train', 'big.csv', '--target', 'y', '--algorithm', 'gradient_boosting', '--validation', 'none', '--jobs', jobs, '-o', `big${jobs}.json`]);
    return readFileSync(join(dir, `big${jobs}.json`), 'utf8');
  });
  assert.equal(models[1], models[0]);
  assert.equal(models[2], models[0]);
  assert.equal(JSON.parse(models[0]).state.n_iter > 10, true, 'early stopping ("auto", above 10,000 rows) still let it learn');
});
