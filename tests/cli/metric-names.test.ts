/**
 * One metric namespace (issue 13, item 4): `mlv train --metrics` writes evaluate's names,
 * every column is `file:key`, a short name works when unambiguous and is an error listing
 * the choices otherwise; `--only-changed` treats a missing value as no data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

const IRIS = join(import.meta.dirname, '..', '..', 'fixtures', 'ml', 'iris.csv');

// Scores on the training rows: higher with depth (the overfit file). `n` is constant but
// missing at depth 1; `deep_only` exists at depth 4 only.
const FIT = `const fs = require('fs');
const d = Number(/max_depth: (\\d+)/.exec(fs.readFileSync('params.yaml', 'utf8'))[1]);
const m = { accuracy: 0.9 + d / 100 };
if (d !== 1) m.n = 150;
if (d === 4) m.deep_only = 1;
fs.writeFileSync('train_metrics.json', JSON.stringify(m));
`;
const PIPELINE = `stages:
  cv:
    cmd: mlv train iris.csv --target species --algorithm decision_tree --params-section train --validation kfold:3 --seed 0 -o model.json --metrics eval.json
    deps: [iris.csv]
    params: [train.max_depth]
    outs: [model.json]
    metrics: [eval.json]
  fit:
    cmd: node fit.js
    deps: [fit.js]
    params: [train.max_depth]
    metrics: [train_metrics.json]
`;

test('metric names: file:key columns, short names, ambiguity, only-changed', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    copyFileSync(IRIS, join(dir, 'iris.csv'));
    writeFileSync(join(dir, 'fit.js'), FIT);
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  max_depth: 2\n');
    writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'baseline']);

    // The training report uses evaluate's names: the mean under the metric's own name.
    const doc = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));
    assert.equal(typeof doc.accuracy, 'number');
    assert.equal(typeof doc.accuracy_std, 'number');
    assert.equal(doc.folds.accuracy.length, 3);
    assert.ok(Math.abs(doc.accuracy - doc.folds.accuracy.reduce((a: number, b: number) => a + b, 0) / 3) < 1e-12);
    assert.equal(doc.metrics, undefined);
    const shown = JSON.parse(mlvOk(dir, ['metrics', 'show', '--json']).stdout);
    assert.equal(shown.metrics['eval.json'].accuracy, doc.accuracy);
    assert.equal(shown.metrics['train_metrics.json'].accuracy, 0.9 + 2 / 100);

    mlvOk(dir, ['exp', 'run', '-S', 'train.max_depth=1,4']);
    const show = JSON.parse(mlvOk(dir, ['exp', 'show', '--json']).stdout);
    for (const k of ['eval.json:accuracy', 'eval.json:accuracy_std', 'train_metrics.json:accuracy']) assert.ok(show.metrics.includes(k), `${k} in ${show.metrics}`);
    assert.ok(!show.metrics.includes('accuracy'), 'two files never share a column');
    assert.ok(!show.metrics.some((k: string) => k.includes('folds')), 'folds are a report, not columns');

    // Ambiguous short name: exit 2 listing both.
    const amb = mlv(dir, ['exp', 'best', '--metric', 'accuracy']);
    assert.equal(amb.code, 2, amb.stderr);
    assert.match(amb.stderr, /"accuracy" is ambiguous; name one of: eval\.json:accuracy, train_metrics\.json:accuracy/);
    assert.equal(mlv(dir, ['exp', 'show', '--sort-by', 'accuracy']).code, 2);

    // The qualified name picks the right file: cross-validated, not the training rows.
    const exps = show.rows.filter((r: { kind: string }) => r.kind === 'exp');
    const byKey = (key: string) => exps.reduce((a: { metrics: Record<string, number> }, b: { metrics: Record<string, number> }) => (b.metrics[key] > a.metrics[key] ? b : a));
    const cv = JSON.parse(mlvOk(dir, ['exp', 'best', '--metric', 'eval.json:accuracy', '--json']).stdout);
    assert.equal(cv.metric, 'eval.json:accuracy');
    assert.equal(cv.best.name, byKey('eval.json:accuracy').name);
    const fit = JSON.parse(mlvOk(dir, ['exp', 'best', '--metric', 'train_metrics.json:accuracy', '--json']).stdout);
    assert.equal(fit.value, 0.9 + 4 / 100);
    // A short name that only one file has still works.
    const sorted = JSON.parse(mlvOk(dir, ['exp', 'show', '--json', '--sort-by', 'accuracy_std']).stdout);
    assert.deepEqual(sorted.sortBy, { kind: 'metric', key: 'eval.json:accuracy_std', descending: false });

    // only-changed: `n` is 150 wherever recorded (missing at depth 1): unchanged, hidden;
    // `deep_only` is in one row only: nothing to compare, hidden; training accuracy varies.
    const changed = JSON.parse(mlvOk(dir, ['exp', 'show', '--json', '--only-changed']).stdout);
    assert.ok(show.metrics.includes('train_metrics.json:n'));
    assert.ok(!changed.metrics.includes('train_metrics.json:n'), changed.metrics.join(','));
    assert.ok(!changed.metrics.includes('train_metrics.json:deep_only'));
    assert.ok(changed.metrics.includes('train_metrics.json:accuracy'));

    // metrics diff and diff name metrics the same way.
    const d = JSON.parse(mlvOk(dir, ['metrics', 'diff', 'HEAD', cv.best.rev, '--json']).stdout);
    assert.ok(d.metrics.some((m: { key: string }) => m.key === 'train_metrics.json:accuracy'));
    const dd = JSON.parse(mlvOk(dir, ['diff', 'HEAD', cv.best.rev, '--json']).stdout);
    assert.deepEqual(dd.metrics.map((m: { key: string }) => m.key), d.metrics.map((m: { key: string }) => m.key));
  } finally {
    removeDir(dir);
  }
});

test('metrics files written before evaluate\'s names (metrics.<m>.mean) still read as <m>', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'old.js'), "require('fs').writeFileSync('m.json', JSON.stringify({ task: 'regression', metrics: { r2: { mean: 0.8, std: 0.1, folds: [0.7, 0.9] } } }));\n");
    writeFileSync(join(dir, 'mlv.yaml'), 'stages:\n  old:\n    cmd: node old.js\n    deps: [old.js]\n    metrics: [m.json]\n');
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'old layout']);
    const shown = JSON.parse(mlvOk(dir, ['metrics', 'show', 'HEAD', '--json']).stdout);
    assert.deepEqual(shown.metrics['m.json'], { r2: 0.8, r2_std: 0.1 }); // folds are a list, not a metric
    const show = JSON.parse(mlvOk(dir, ['exp', 'show', '--json', '--sort-by', 'r2']).stdout);
    assert.equal(show.sortBy.key, 'm.json:r2');
    assert.equal(show.rows[0].metrics['m.json:r2'], 0.8);
  } finally {
    removeDir(dir);
  }
});
