import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlv, mlvOk, removeDir, tempDir, ROOT } from '../helpers/repo.js';
import { ALGORITHMS } from '../../src/ml/models/index.js';

const dir = tempDir('mlv-train-');
after(() => removeDir(dir));
copyFileSync(join(ROOT, 'fixtures/ml/iris.csv'), join(dir, 'iris.csv'));
copyFileSync(join(ROOT, 'fixtures/ml/wine.csv'), join(dir, 'wine.csv'));

test('two runs write byte-identical model and metrics files', () => {
  const args = (n: number) => ['train', 'wine.csv', '--target', 'cultivar', '-p', 'n_estimators=30', '--validation', 'kfold:3', '--seed', '7', '-o', `m${n}.json`, '--metrics', `met${n}.json`];
  mlvOk(dir, args(1));
  mlvOk(dir, [...args(2), '--jobs', '2']);
  assert.equal(readFileSync(join(dir, 'm1.json'), 'utf8'), readFileSync(join(dir, 'm2.json'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'met1.json'), 'utf8'), readFileSync(join(dir, 'met2.json'), 'utf8'));
  const model = JSON.parse(readFileSync(join(dir, 'm1.json'), 'utf8'));
  assert.equal(model.format, 'mlv-model');
  assert.equal(model.seed, 7);
  assert.deepEqual(model.labels, ['class_0', 'class_1', 'class_2']);
  assert.equal(model.state.trees.length, 30);
  const other = mlvOk(dir, ['train', 'wine.csv', '--target', 'cultivar', '-p', 'n_estimators=30', '--seed', '8', '--json']);
  assert.ok(JSON.parse(other.stdout).metrics.accuracy);
});

test('--json prints {metrics: {name: {mean, std, folds}}} and the training cost', () => {
  const r = mlvOk(dir, ['train', 'iris.csv', '--target', 'species', '--validation', 'kfold:5', '--algorithm', 'decision_tree', '--json']);
  const j = JSON.parse(r.stdout);
  assert.equal(j.task, 'classification');
  assert.deepEqual(Object.keys(j.metrics.accuracy).sort(), ['folds', 'mean', 'std']);
  assert.equal(j.metrics.accuracy.folds.length, 5);
  assert.ok(j.metrics.accuracy.mean > 0.85);
  assert.equal(j.confusion_matrix.matrix.flat().reduce((a: number, b: number) => a + b, 0), 150);
  assert.equal(typeof j.cost.seconds, 'number');
  assert.equal(j.cost.n_features, 4);
  assert.ok(j.cost.model_bytes > 0);
  assert.match(r.stderr, /task: classification/);
});

test('hyperparameters from params.yaml (--params-section), -p wins', () => {
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  n_estimators: 3\n  max_depth: 2\n  seed: 5\n');
  mlvOk(dir, ['train', 'iris.csv', '--target', 'species', '--params-section', 'train', '-p', 'max_depth=3', '-o', 'p.json']);
  const m = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
  assert.equal(m.params.n_estimators, 3);
  assert.equal(m.params.max_depth, 3);
  assert.equal(m.seed, 5);
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  n_trees: 3\n');
  const bad = mlv(dir, ['train', 'iris.csv', '--target', 'species', '--params-section', 'train']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown hyperparameter "n_trees"/);
});

test('bad input exits 2 with one clear line', () => {
  writeFileSync(join(dir, 'mixed.csv'), 'x,city,y\n1,Oslo,a\n2,Rome,b\n3,Oslo,a\n4,Rome,b\n');
  writeFileSync(join(dir, 'one.csv'), 'x,y\n1,a\n2,a\n3,a\n');
  const cases: Array<[string[], RegExp]> = [
    [['train', 'mixed.csv', '--target', 'y'], /column "city" is not numeric; encode it with `mlv featurize`/],
    [['train', 'one.csv', '--target', 'y'], /single class/],
    [['train', 'iris.csv', '--target', 'species', '--validation', 'kfold:500'], /k is larger than the number of rows \(150\)/],
    [['train', 'iris.csv', '--target', 'species', '--validation', 'leave-p-out:3'], /551,300 fits, more than the limit of 100,000/],
    [['train', 'iris.csv', '--target', 'species', '-p', 'depth=3'], /unknown hyperparameter "depth" for random_forest/],
    [['train', 'iris.csv', '--target', 'species', '-p', 'max_depth=-1'], /max_depth: expected an integer >= 1/],
    [['train', 'iris.csv'], /--target is required/],
  ];
  for (const [args, re] of cases) {
    const r = mlv(dir, args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('clustering and reduction need no target; leave-p-out scores every row', () => {
  writeFileSync(join(dir, 'pts.csv'), 'a,b\n0,0\n0.1,0\n0,0.1\n5,5\n5.1,5\n5,5.1\n');
  const c = JSON.parse(mlvOk(dir, ['train', 'pts.csv', '--task', 'clustering', '-p', 'n_clusters=2', '--json']).stdout);
  assert.ok(c.metrics.silhouette.mean > 0.9);
  const r = JSON.parse(mlvOk(dir, ['train', 'pts.csv', '--task', 'reduction', '-p', 'n_components=1', '--json']).stdout);
  assert.equal(r.explained_variance_ratio.length, 1);
  assert.ok(r.explained_variance_ratio[0] > 0.99);
  const l = JSON.parse(mlvOk(dir, ['train', 'iris.csv', '--target', 'species', '--algorithm', 'decision_tree', '--validation', 'leave-p-out:1', '--json']).stdout);
  assert.equal(l.metrics.accuracy.folds.length, 150);
  assert.equal(l.confusion_matrix.matrix.flat().reduce((a: number, b: number) => a + b, 0), 150);
});

test('help texts list the registered algorithms', async () => {
  const { ALGORITHMS } = await import('../../src/ml/models/index.js');
  const { SEARCHABLE } = await import('../../src/experiments/search.js');
  const help = mlvOk(dir, ['train', '--help']).stdout.replace(/\s+/g, ' ');
  for (const a of ALGORITHMS) {
    assert.ok(help.includes(a.name), `train --help names ${a.name}`);
    assert.ok(help.includes(a.title), `train --help says ${a.title}`);
  }
  const search = mlvOk(dir, ['exp', 'search', '--help']).stdout.replace(/\s+/g, ' ');
  for (const a of SEARCHABLE) assert.ok(search.includes(a), `exp search --help names ${a}`);
  assert.match(search, /default: random_forest, decision_tree, gradient_boosting, and linear for regression, and logistic for classification/);
});

test('a model whose state_version this mlv does not know is refused in one line; an explicit 1 is read', () => {
  mlvOk(dir, ['train', 'iris.csv', '--target', 'species', '--algorithm', 'decision_tree', '-o', 'sv.json']);
  const model = JSON.parse(readFileSync(join(dir, 'sv.json'), 'utf8'));
  assert.equal('state_version' in model, false, 'a layout at version 1 is not written');
  writeFileSync(join(dir, 'sv2.json'), JSON.stringify({ ...model, state_version: 2 }));
  const r = mlv(dir, ['predict', 'sv2.json', 'iris.csv', '-o', 'p.csv']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'mlv: sv2.json: model: decision_tree "state_version" 2 is not one this mlv reads (1)\n');
  writeFileSync(join(dir, 'sv1.json'), JSON.stringify({ ...model, state_version: 1 }));
  mlvOk(dir, ['predict', 'sv1.json', 'iris.csv', '-o', 'p.csv']);
  assert.match(readFileSync(join(dir, 'p.csv'), 'utf8'), /^y_true,y_pred,proba_setosa,/);
});

test('--importance permutation through the CLI: the summary says how, the metrics file and --json carry them, the model file is unchanged', () => {
  const base = ['train', 'wine.csv', '--target', 'cultivar', '--algorithm', 'gradient_boosting', '--validation', 'kfold:3', '-p', 'max_iter=20'];
  mlvOk(dir, [...base, '-o', 'gb-native.json', '--metrics', 'gb-native-m.json']);
  const r = mlvOk(dir, [...base, '--importance', 'permutation', '--importance-repeats', '3', '-o', 'gb-perm.json', '--metrics', 'gb-perm-m.json', '--jobs', '2']);
  assert.match(r.stdout, /^top features \(accuracy drop when shuffled, 3 repeats\): \w+ 0\.\d{4}/m);
  assert.equal(readFileSync(join(dir, 'gb-perm.json'), 'utf8'), readFileSync(join(dir, 'gb-native.json'), 'utf8'));
  const m = JSON.parse(readFileSync(join(dir, 'gb-perm-m.json'), 'utf8'));
  assert.equal(m.importance.method, 'permutation');
  assert.equal(m.importance.scoring, 'accuracy');
  assert.equal(m.importance.n_repeats, 3);
  assert.equal(Object.keys(m.feature_importances).length, 13);
  assert.deepEqual(Object.keys(m.importance.std), Object.keys(m.feature_importances));
  const j = JSON.parse(mlvOk(dir, [...base, '--importance', 'permutation', '--importance-repeats', '3', '--json']).stdout);
  assert.deepEqual(j.feature_importances, m.feature_importances, 'the same seed gives the same numbers, --jobs or not');
  assert.deepEqual(j.importance, m.importance);

  const bad = mlv(dir, ['train', 'wine.csv', '--target', 'cultivar', '--importance', 'gain']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').at(-1), 'mlv: --importance must be native or permutation, got "gain"');
  const none = mlv(dir, ['train', 'wine.csv', '--target', 'cultivar', '--importance', 'permutation', '--validation', 'none']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /mlv: --importance permutation shuffles features among the validation rows: use --validation holdout or kfold, not none\n$/);
  const zero = mlv(dir, ['train', 'wine.csv', '--target', 'cultivar', '--importance', 'permutation', '--importance-repeats', '0']);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /--importance-repeats 0: expected a whole number, 1 or more/);
});

test('linear: standardised coefficients on the summary and --json; the model and metrics files as before unless --importance is given', () => {
  writeFileSync(join(dir, 'wine-reg.csv'), readFileSync(join(dir, 'wine.csv'), 'utf8').replace(/,[^,\n]*$/gm, ''));
  const r = mlvOk(dir, ['train', 'wine-reg.csv', '--target', 'alcohol', '--algorithm', 'linear', '-o', 'lin.json', '--metrics', 'lin-m.json']);
  assert.match(r.stdout, /^top features: color_intensity 0\.\d{4}, proline 0\.\d{4}/m);
  assert.equal('feature_importances' in JSON.parse(readFileSync(join(dir, 'lin.json'), 'utf8')), false);
  assert.equal('feature_importances' in JSON.parse(readFileSync(join(dir, 'lin-m.json'), 'utf8')), false);
  const j = JSON.parse(mlvOk(dir, ['train', 'wine-reg.csv', '--target', 'alcohol', '--algorithm', 'linear', '--json']).stdout);
  assert.ok(Math.abs(Object.values(j.feature_importances as Record<string, number>).reduce((s, v) => s + v, 0) - 1) < 1e-12);
  mlvOk(dir, ['train', 'wine-reg.csv', '--target', 'alcohol', '--algorithm', 'linear', '--importance', 'native', '-o', 'lin2.json', '--metrics', 'lin2-m.json']);
  assert.equal(readFileSync(join(dir, 'lin2.json'), 'utf8'), readFileSync(join(dir, 'lin.json'), 'utf8'));
  const m = JSON.parse(readFileSync(join(dir, 'lin2-m.json'), 'utf8'));
  assert.deepEqual(m.feature_importances, j.feature_importances);
  assert.deepEqual(m.importance, { method: 'native' });
});

test('every kind of model file is a versioned format: an unknown version or state_version is one line naming the file, exit 2', () => {
  const kinds: Array<[string, string[]]> = [
    ['random_forest', ['--target', 'species', '-p', 'n_estimators=3']],
    ['decision_tree', ['--target', 'species']],
    ['logistic', ['--target', 'species']],
    ['gradient_boosting', ['--target', 'species', '-p', 'max_iter=3']],
    ['linear', ['--target', 'sepal_length_cm', '--task', 'regression']],
    ['kmeans', ['--task', 'clustering', '-p', 'n_clusters=3']],
    ['pca', ['--task', 'reduction']],
  ];
  writeFileSync(join(dir, 'iris-num.csv'), readFileSync(join(dir, 'iris.csv'), 'utf8').replace(/,[^,\n]*$/gm, ''));
  for (const { name } of ALGORITHMS) assert.ok(kinds.some(([k]) => k === name), `${name} is checked here`);
  for (const [algorithm, args] of kinds) {
    const file = `v-${algorithm}.json`;
    const csv = args[1] === 'species' ? 'iris.csv' : 'iris-num.csv';
    mlvOk(dir, ['train', csv, '--algorithm', algorithm, ...args, '--validation', 'none', '-o', file]);
    const model = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    assert.equal(model.version, 1);
    writeFileSync(join(dir, 'v2.json'), JSON.stringify({ ...model, version: 2 }));
    const v = mlv(dir, ['predict', 'v2.json', csv, '-o', 'p.csv']);
    assert.equal(v.code, 2, algorithm);
    assert.equal(v.stderr, 'mlv: v2.json: unsupported model version 2 (this mlv reads version 1)\n', algorithm);
    writeFileSync(join(dir, 'sv9.json'), JSON.stringify({ ...model, state_version: 9 }));
    const s = mlv(dir, ['predict', 'sv9.json', csv, '-o', 'p.csv']);
    assert.equal(s.code, 2, algorithm);
    assert.equal(s.stderr, `mlv: sv9.json: model: ${algorithm} "state_version" 9 is not one this mlv reads (1)\n`, algorithm);
  }
});
