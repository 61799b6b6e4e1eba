/**
 * The UI's data loader (src/compare/source.ts) over a real repository with
 * experiments made by the library's expRun.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { git, makeRepo, mlvOk, removeDir } from '../helpers/repo.js';
import { expRun } from '../../src/api/expRun.js';
import { openVersionSource } from '../../src/api/versionSource.js';

const TRAIN = `node -e "const f=require('fs');const t=+/trees: *([0-9]+)/.exec(f.readFileSync('params.yaml','utf8'))[1];f.mkdirSync('model',{recursive:true});f.writeFileSync('model/m.txt','m'.repeat(t));f.writeFileSync('metrics.json',JSON.stringify({accuracy:t/(t+10),loss:10/(t+10),confusion_matrix:{labels:['a','b'],matrix:[[t,1],[2,3]]},feature_importances:{x:0.75,y:0.25},importance:{method:'permutation',scoring:'accuracy',n_repeats:5,std:{x:0.1,y:0.05}},cost:{model_bytes:t,n_features:2}}))"`;

test('openVersionSource: rows with experiments beneath, detail, diff and direction', async () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'raw.txt'), '1\n2\n3\n');
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  trees: 10\n');
    writeFileSync(join(dir, 'mlv.yaml'), `stages:\n  train:\n    cmd: ${JSON.stringify(TRAIN)}\n    deps: [data/raw.txt]\n    params: [train.trees]\n    outs: [model]\n    metrics:\n      - metrics.json:\n          cache: false\n`);
    mlvOk(dir, ['add', 'data/raw.txt']);
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'first']);
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    const run = await expRun({ cwd: dir, set: ['train.trees=30,50'] });
    assert.equal(run.ok, 2);

    const source = await openVersionSource(dir);
    const rows = await source.rows();
    assert.deepEqual(rows.map((r) => r.kind), ['commit', 'exp', 'exp']);
    assert.equal(rows[0].rev, head);
    assert.equal(rows[0].message, 'first');
    assert.deepEqual(rows[0].params, { 'train.trees': 10 });
    assert.equal(rows[0].metrics['metrics.json:accuracy'], 0.5);
    assert.equal(rows[0].metrics['metrics.json:confusion_matrix.labels'], undefined); // report data stays out of the columns
    assert.equal(rows[0].metrics['metrics.json:feature_importances.x'], undefined);
    assert.equal(rows[0].metrics['metrics.json:importance.n_repeats'], undefined);
    assert.equal(rows[0].metrics['metrics.json:importance.std.x'], undefined);
    for (const r of rows.slice(1)) {
      assert.equal(r.baseline, head);
      assert.match(r.id, new RegExp(`^refs/mlv/exps/${head}/`));
      assert.equal(r.status, 'ok');
      const t = r.params['train.trees'] as number;
      assert.ok(t === 30 || t === 50);
      assert.equal(r.metrics['metrics.json:accuracy'], t / (t + 10));
    }
    const exp50 = rows.find((r) => r.params['train.trees'] === 50)!;

    const detail = await source.detail(exp50);
    const model = detail.artifacts.find((a) => a.path === 'model')!;
    assert.equal(model.kind, 'dir');
    assert.equal(model.size, 50);
    assert.equal(model.files, 1);
    assert.equal(detail.artifacts.find((a) => a.path === 'data/raw.txt')?.size, 6);
    assert.deepEqual(detail.confusionMatrix, { labels: ['a', 'b'], matrix: [[50, 1], [2, 3]] });
    assert.deepEqual(detail.featureImportances, { x: 0.75, y: 0.25 });
    assert.equal(detail.importanceMethod, 'permutation (accuracy drop)');
    assert.deepEqual(detail.cost, { modelBytes: 50, featureCount: 2 });
    assert.equal(detail.reproCommand, `mlv repro --rev ${exp50.rev.slice(0, 7)}`);

    const d = await source.diff(rows[0], exp50);
    assert.equal(d.a, rows[0].id);
    assert.equal(d.b, exp50.id);
    assert.deepEqual(d.params, [{ key: 'train.trees', a: 10, b: 50 }]);
    const acc = d.metrics.find((m) => m.key === 'metrics.json:accuracy')!;
    assert.ok(Math.abs(acc.delta! - (50 / 60 - 0.5)) < 1e-12);
    assert.deepEqual(d.artifacts.map((a) => [a.path, a.change, a.oldSize, a.newSize]), [['model', 'modified', 10, 50]]);

    assert.equal(source.direction('loss'), 'min');
    assert.equal(source.direction('eval.rmse'), 'min');
    assert.equal(source.direction('accuracy'), 'max');
  } finally {
    removeDir(dir);
  }
});

test('exp search: each trial is an experiment; the best has the top cross-validated score; a trial\'s detail is its report and its mlv train command', async () => {
  const dir = makeRepo();
  try {
    git(dir, ['commit', '-q', '--allow-empty', '-m', 'empty']);
    const { expSearch } = await import('../../src/api/expSearch.js');
    const iris = join(import.meta.dirname, '..', '..', 'fixtures', 'ml', 'iris.csv');
    const r = await expSearch({ cwd: dir, data: iris, target: 'species', algorithms: ['decision_tree'], validation: 'kfold:3' });
    assert.equal(r.task, 'classification');
    assert.equal(r.metric, 'accuracy');
    assert.equal(r.trials.length, 8); // the decision tree's grid: 4 depths × 2 leaf sizes
    assert.equal(r.best!.score, Math.max(...r.trials.map((t) => t.score!)));
    const rows = (await (await openVersionSource(dir)).rows()).filter((x) => x.kind === 'exp');
    assert.equal(rows.length, 8);
    for (const t of r.trials) {
      const row = rows.find((x) => x.rev === t.commit)!;
      assert.equal(row.metrics['mlv-search.json:accuracy'], t.score);
      assert.equal(row.params['search.algorithm'], 'decision_tree');
      assert.equal(row.params['search.max_depth'], t.params.max_depth);
      const spec = JSON.parse(git(dir, ['show', `${t.ref}:mlv-search.json`]));
      assert.equal(spec.metrics.accuracy.mean, t.score);
    }
    // The detail of a trial is its own report, and rebuilding it is mlv train, not repro (a trial has no pipeline).
    const best = rows.find((x) => x.rev === r.best!.commit)!;
    const detail = await (await openVersionSource(dir)).detail(best);
    assert.deepEqual(Object.keys(detail.featureImportances!), ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
    assert.equal(detail.confusionMatrix!.matrix.flat().reduce((a, b) => a + b, 0), 150);
    assert.equal(detail.cost!.featureCount, 4);
    assert.match(detail.reproCommand, /^mlv train \S+iris\.csv --target species --task classification --algorithm decision_tree -p max_depth=\S+ -p min_samples_leaf=\d+ --validation kfold:3 --seed 0$/);
    const again = JSON.parse(mlvOk(dir, [...detail.reproCommand.split(' ').slice(1), '--json']).stdout);
    assert.equal(again.metrics.accuracy.mean, r.best!.score);
    git(dir, ['fsck', '--strict', '--no-progress']);
  } finally {
    removeDir(dir);
  }
});
