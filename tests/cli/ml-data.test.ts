import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, mlv, tempDir } from '../helpers/repo.js';

const FIX = join(ROOT, 'fixtures', 'ml');

test('explore: text report, --json and -o write the same report', () => {
  const dir = tempDir('mlv-cli-ml-');
  const text = mlv(dir, ['explore', join(FIX, 'bike.csv'), '--target', 'busy']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /2880 rows, 9 columns/);
  assert.match(text.stdout, /correlation \(Pearson\)/);
  assert.match(text.stdout, /humidity\s+30 [▁▂▃▄▅▆▇█ ]{10} 100/);
  const j = mlv(dir, ['explore', join(FIX, 'iris.csv'), '--json', '-o', 'report.json']);
  assert.equal(j.code, 0, j.stderr);
  const report = JSON.parse(j.stdout);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')), report);
  assert.equal(report.rows, 150);
  const sl = report.columns.find((c: { name: string }) => c.name === 'sepal_length_cm');
  assert.equal(sl.min, 4.3);
  assert.equal(sl.max, 7.9);
  assert.equal(sl.q50, 5.8);
  assert.ok(report.warnings.some((w: { kind: string; columns: string[] }) => w.kind === 'high_correlation' && w.columns.join() === 'petal_length_cm,petal_width_cm'));
});

test('bad input exits 2 naming file and line', () => {
  const dir = tempDir('mlv-cli-ml-');
  writeFileSync(join(dir, 'ragged.csv'), 'a,b\n1,2\n3\n');
  let r = mlv(dir, ['explore', 'ragged.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ragged\.csv: line 3: expected 2 fields \(as in the header\), found 1/);

  r = mlv(dir, ['explore', join(FIX, 'iris.csv'), '--target', 'kind']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /iris\.csv: line 1: no target column "kind"/);

  writeFileSync(join(dir, 'spec.yaml'), 'steps:\n  - encode:\n      species: hot\n');
  r = mlv(dir, ['featurize', '--spec', 'spec.yaml', join(FIX, 'iris.csv'), '-o', 'out.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /spec\.yaml:3: steps\[0\]\.encode\.species: unknown value "hot"/);
  assert.ok(!existsSync(join(dir, 'out.csv')));

  writeFileSync(join(dir, 'preds.csv'), 'y_true,y_pred\n1,2\n,3\n');
  r = mlv(dir, ['evaluate', 'preds.csv', '--task', 'regression']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /preds\.csv: line 3, column "y_true": missing value/);

  r = mlv(dir, ['evaluate', join(FIX, 'iris.csv'), '--task', 'classification']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /iris\.csv: line 1: no column "y_true"/);

  r = mlv(dir, ['evaluate', 'preds.csv', '--task', 'ranking']);
  assert.equal(r.code, 2);

  r = mlv(dir, ['explore', 'missing.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing\.csv: no such file/);
});

test('evaluate --json prints exactly the contract metric names', () => {
  const dir = tempDir('mlv-cli-ml-');
  const ref = JSON.parse(readFileSync(join(FIX, 'reference', 'metrics.json'), 'utf8'));
  const r = mlv(dir, ['evaluate', join(FIX, 'reference', 'preds_binary.csv'), '--task', 'classification', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'confusion_matrix', 'f1', 'f1_macro', 'f1_weighted', 'log_loss', 'precision', 'recall', 'roc_auc']);
  assert.ok(Math.abs(m.roc_auc - ref.binary.metrics.roc_auc) < 1e-12);
  const text = mlv(dir, ['evaluate', join(FIX, 'reference', 'preds_multiclass_str.csv'), '--task', 'classification']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /confusion matrix/);
  assert.match(text.stdout, /versicolor\s+11\s+48\s+9/);
  const reg = mlv(dir, ['evaluate', join(FIX, 'reference', 'preds_regression.csv'), '--task', 'regression', '--json']);
  assert.deepEqual(Object.keys(JSON.parse(reg.stdout)).sort(), ['mae', 'mse', 'r2', 'rmse']);
});

test('featurize -> predict (raw rows, model carries the transform) -> evaluate', () => {
  const dir = tempDir('mlv-cli-ml-');
  const f = mlv(dir, ['featurize', '--spec', join(FIX, 'features.yaml'), join(FIX, 'bike.csv'), '-o', 'features.csv', '--json']);
  assert.equal(f.code, 0, f.stderr);
  const summary = JSON.parse(f.stdout);
  assert.equal(summary.rows, 2880);
  const state = JSON.parse(readFileSync(join(dir, 'features.csv.featurize.json'), 'utf8'));
  const features = state.outputs.filter((c: string) => c !== 'rentals');
  const coef = features.map((c: string) => (c === 'hour' ? 1 : c === 'temp' ? 10 : 0));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({
    format: 'mlv-model', version: 1, task: 'regression', algorithm: 'linear', target: 'rentals', features,
    params: {}, seed: 0, state: { coef, intercept: 30 }, featurize: state,
  }));
  const raw = readFileSync(join(FIX, 'bike.csv'), 'utf8').split('\n').slice(0, 50).join('\n').replace(/,harbour,/g, ',moon,');
  writeFileSync(join(dir, 'new.csv'), raw);
  const p = mlv(dir, ['predict', 'model.json', 'new.csv', '-o', 'preds.csv']);
  assert.equal(p.code, 0, p.stderr);
  const lines = readFileSync(join(dir, 'preds.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'y_true,y_pred');
  assert.equal(lines.length, 50);
  const e = mlv(dir, ['evaluate', 'preds.csv', '--task', 'regression', '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(Number.isFinite(JSON.parse(e.stdout).rmse));

  writeFileSync(join(dir, 'gap.csv'), raw.replace(/(\n2023-01-01T05:00:00,winter,[a-zA-Z]+,)[^,]*,/, '$1oops,'));
  const bad = mlv(dir, ['predict', 'model.json', 'gap.csv', '-o', 'p2.csv']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /gap\.csv: line 7, column 4 \("temp"\): cannot read "oops" as number/);
});

test('with mlv train: the model embeds the fitted transform, predict takes raw rows with an unseen category', () => {
  const dir = tempDir('mlv-cli-ml-');
  assert.equal(mlv(dir, ['featurize', '--spec', join(FIX, 'features.yaml'), join(FIX, 'bike.csv'), '-o', 'features.csv']).code, 0);
  const t = mlv(dir, ['train', 'features.csv', '--target', 'rentals', '--task', 'regression', '--algorithm', 'decision_tree', '-p', 'max_depth=6', '-o', 'model.json']);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).featurize.format, 'mlv-featurize');
  const raw = readFileSync(join(FIX, 'bike.csv'), 'utf8').replace(/,harbour,/g, ',moon,');
  writeFileSync(join(dir, 'raw.csv'), raw);
  const p = mlv(dir, ['predict', 'model.json', 'raw.csv', '-o', 'preds.csv', '--json']);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).featurized, true);
  const e = mlv(dir, ['evaluate', 'preds.csv', '--task', 'regression', '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(JSON.parse(e.stdout).r2 > 0.5);
});
