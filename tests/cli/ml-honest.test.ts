import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const FIX = join(ROOT, 'fixtures', 'ml');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

const runner = (dir: string) => (args: string[]) => mlvOk(dir, args);

test('train reports the training-row score and the gap; a gap over 0.1 is one warning line', (t) => {
  const dir = tempDir('mlv-cli-honest-');
  t.after(() => removeDir(dir));
  const ok = runner(dir);
  // An unpruned tree memorises digits: every training row right, ~85% of held-out folds.
  const r = ok(['train', join(FIX, 'digits.csv'), '--target', 'digit', '--task', 'classification', '--algorithm', 'decision_tree',
    '--validation', 'kfold:5', '--metrics', 'm.json', '--json']);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0], /^warning: accuracy on the training rows 1\.0000 vs 0\.\d{4} in validation: a gap of 0\.\d{4} \(over 0\.1\); .*overfitting/);
  const j = JSON.parse(r.stdout);
  const m = readJson(join(dir, 'm.json'));
  assert.equal(m.train_accuracy, 1);
  assert.deepEqual(m.folds.train_accuracy, [1, 1, 1, 1, 1]);
  assert.ok(Math.abs(m.gap - (m.train_accuracy - m.accuracy)) < 1e-12);
  assert.ok(m.gap > 0.1, `gap ${m.gap}`);
  assert.equal(j.gap, m.gap);
  assert.equal(j.fit_gap.metric, 'accuracy');
  assert.equal(j.fit_gap.large, true);
  assert.equal(j.fit_gap.threshold, 0.1);
  assert.deepEqual(j.warnings, [warnings[0].slice('warning: '.length)]);
  // The same tree kept shallow and wide-leaved: a small gap, no warning.
  const calm = ok(['train', join(FIX, 'iris.csv'), '--target', 'species', '--algorithm', 'decision_tree', '-p', 'max_depth=2',
    '--validation', 'kfold:5', '--metrics', 'calm.json']);
  assert.doesNotMatch(calm.stderr, /warning/);
  assert.match(calm.stdout, /train_accuracy\s+0\.9\d+/);
  assert.match(calm.stdout, /gap \(training − validation accuracy\): -?0\.0\d+\n/);
  const c = readJson(join(dir, 'calm.json'));
  assert.ok(c.gap < 0.1 && c.train_accuracy < 1, JSON.stringify(c));
  // Regression: r2 on both sides; with no validation the scores are training scores already.
  const rows = ['x,z,y'];
  for (let i = 0; i < 200; i++) rows.push(`${i % 37},${(i * 7) % 11},${2 * (i % 37) - ((i * 7) % 11) + ((i * 13) % 5)}`);
  writeFileSync(join(dir, 'reg.csv'), rows.join('\n') + '\n');
  ok(['train', 'reg.csv', '--target', 'y', '--task', 'regression', '--algorithm', 'linear', '--metrics', 'reg.json']);
  const reg = readJson(join(dir, 'reg.json'));
  assert.ok(reg.train_r2 > reg.r2 - 0.2 && reg.gap === reg.train_r2 - reg.r2, JSON.stringify(reg));
  ok(['train', join(FIX, 'iris.csv'), '--target', 'species', '--validation', 'none', '--metrics', 'none.json']);
  const none = readJson(join(dir, 'none.json'));
  assert.equal(none.gap, undefined);
  assert.equal(none.train_accuracy, undefined);
});

test('split → featurize → train → predict → evaluate: held-out rows are scored as such; the training rows are named, raw or featurized', (t) => {
  const dir = tempDir('mlv-cli-honest-');
  t.after(() => removeDir(dir));
  const ok = runner(dir);
  copyFileSync(join(FIX, 'weather.csv'), join(dir, 'weather.csv'));
  copyFileSync(join(FIX, 'features.yaml'), join(dir, 'features.yaml'));
  ok(['split', join(FIX, 'bike.csv'), '-o', 'train.csv', 'test.csv', '--order-by', 'timestamp']);
  ok(['featurize', '--spec', 'features.yaml', 'train.csv', '-o', 'train.f.csv']);
  ok(['train', 'train.f.csv', '--target', 'rentals', '--task', 'regression', '-p', 'n_estimators=10', '-o', 'model.json']);
  const model = readJson(join(dir, 'model.json'));
  assert.equal(model.training_data.file, 'train.f.csv');
  assert.equal(model.training_data.rows, 2304);
  assert.match(model.training_data.sha256, /^[0-9a-f]{64}$/);

  // Held-out rows: raw test rows through the transform fitted on train.csv.
  const p = JSON.parse(ok(['predict', 'model.json', 'test.csv', '-o', 'preds.csv', '--json']).stdout);
  assert.deepEqual(p.trained_on, model.training_data);
  assert.equal(p.training_rows, false);
  assert.equal(p.record, 'preds.csv.predict.json');
  const rec = readJson(join(dir, 'preds.csv.predict.json'));
  assert.equal(rec.format, 'mlv-predictions');
  assert.equal(rec.rows.count, 576);
  assert.notEqual(rec.rows.sha256, model.training_data.sha256);
  const held = ok(['evaluate', 'preds.csv', '--task', 'regression', '--json']);
  assert.doesNotMatch(held.stderr, /warning/);
  const hj = JSON.parse(held.stdout);
  assert.equal(hj.evaluated_rows, 'other');
  assert.equal(hj.on_training_rows, undefined);
  assert.ok(hj.r2 > 0.5, `held-out r2 ${hj.r2}`);

  // The training rows, featurized or raw: the same rows, so evaluate says what it scored.
  for (const [input, out] of [['train.f.csv', 'self.csv'], ['train.csv', 'self-raw.csv']]) {
    const sp = JSON.parse(ok(['predict', 'model.json', input, '-o', out, '--json']).stdout);
    assert.equal(sp.training_rows, true, input);
    const e = ok(['evaluate', out, '--task', 'regression', '--json']);
    assert.match(e.stderr, new RegExp(`^warning: ${out.replace('.', '\\.')} holds predictions of the model's own training rows \\(train\\.f\\.csv, 2304 rows\\)`, 'm'));
    const ej = JSON.parse(e.stdout);
    assert.equal(ej.evaluated_rows, 'training');
    assert.equal(ej.on_training_rows, true);
    assert.equal(ej.warnings.length, 1);
    assert.ok(ej.r2 > hj.r2, 'the training rows score better than the held-out ones');
  }
  // A model written before training_data existed: predict says it cannot tell, evaluate says nothing.
  const { training_data: _td, ...old } = model;
  writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
  const op = JSON.parse(ok(['predict', 'old.json', 'train.f.csv', '-o', 'old-preds.csv', '--json']).stdout);
  assert.equal(op.trained_on, null);
  assert.equal(op.training_rows, null);
  const oe = ok(['evaluate', 'old-preds.csv', '--task', 'regression', '--json']);
  assert.doesNotMatch(oe.stderr, /warning/);
  assert.equal(JSON.parse(oe.stdout).evaluated_rows, undefined);
  // A record of other bytes is stale: evaluate no longer claims to know the rows.
  appendFileSync(join(dir, 'self.csv'), '10,12\n');
  const stale = ok(['evaluate', 'self.csv', '--task', 'regression', '--json']);
  assert.doesNotMatch(stale.stderr, /warning/);
  assert.equal(JSON.parse(stale.stdout).evaluated_rows, undefined);
});
