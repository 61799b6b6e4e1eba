import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interleave, paretoFront, parseBudget } from '../../../src/experiments/search.js';
import { trainStages, writeTrialSection, type SearchSpec } from '../../../src/experiments/applySearch.js';
import { parsePipeline } from '../../../src/pipeline/load.js';

test('Pareto front of quality against cost on a constructed case', () => {
  // a: best quality, dearest. b: cheapest. c: dominated by b (worse and dearer). d: ties a on
  // quality and is cheaper, so a is dominated. e: same point as d: both on the front.
  // f: between b and d, on the front. g: no cost measured.
  const pts = [
    { quality: 0.95, cost: 10 }, // a
    { quality: 0.80, cost: 1 },  // b
    { quality: 0.70, cost: 2 },  // c
    { quality: 0.95, cost: 6 },  // d
    { quality: 0.95, cost: 6 },  // e
    { quality: 0.90, cost: 3 },  // f
    { quality: 0.99, cost: NaN }, // g
  ];
  assert.deepEqual(paretoFront(pts, 'max'), [1, 3, 4, 5]);
  // Minimised (an error): lower numbers are better, so c (0.70 at cost 2) joins b; the rest are dominated by c.
  assert.deepEqual(paretoFront(pts, 'min'), [1, 2]);
  assert.deepEqual(paretoFront([{ quality: 0.5, cost: 4 }, { quality: 0.4, cost: 2 }], 'min'), [1]);
  assert.deepEqual(paretoFront([], 'max'), []);
});

test('--budget spellings; interleaved trial order tries every algorithm first', () => {
  assert.equal(parseBudget('10m'), 600);
  assert.equal(parseBudget('90s'), 90);
  assert.equal(parseBudget('1.5h'), 5400);
  assert.equal(parseBudget('45'), 45);
  for (const bad of ['', '0', '-1m', '10 minutes', 'm']) assert.throws(() => parseBudget(bad), /--budget .*: expected a time such as 90s, 10m or 1h/);
  assert.deepEqual(interleave([[1, 2, 3], [4], [5, 6]]), [1, 4, 5, 2, 6, 3]);
});

test('the train stage of a pipeline: section, params file and the options its command fixes', () => {
  const p = parsePipeline(`stages:
  prep:
    cmd: mlv featurize --spec f.yaml raw.csv -o feats.csv
    deps: [raw.csv, f.yaml]
    outs: [feats.csv]
  train:
    cmd: cd . && mlv train ../feats.csv --target y --params-section=model.train --params-file conf/p.yaml --seed 3 -p max_depth=2 -o m.json
    wdir: sub
    deps: [feats.csv]
    params: [{conf/p.yaml: [model.train]}]
    outs: [sub/m.json]
`, 'mlv.yaml', '/nowhere', () => true);
  const [t, ...rest] = trainStages(p);
  assert.equal(rest.length, 0);
  assert.equal(t.stage, 'train');
  assert.equal(t.file, 'sub/conf/p.yaml');
  assert.equal(t.section, 'model.train');
  assert.deepEqual(t.flags, { target: 'y', section: 'model.train', file: 'conf/p.yaml', seed: '3', param: 'max_depth=2', output: 'm.json' });
  assert.deepEqual(t.paths, ['feats.csv']);
});

test('a trial written into a YAML section keeps comments and options, replaces hyperparameters; JSON too', () => {
  const spec: SearchSpec = { data: 'd.csv', target: 'y', task: 'classification', algorithm: 'gradient_boosting', params: { learning_rate: 0.05, max_leaf_nodes: 15 }, validation: 'kfold:5', seed: 0 };
  const yamlText = '# top\nprepare:\n  share: 0.2\ntrain:  # the model\n  target: y\n  algorithm: random_forest\n  n_estimators: 100  # trees\n  max_depth: 8\n';
  assert.equal(writeTrialSection(yamlText, 'params.yaml', 'train', spec, { validation: true, seed: false }),
    '# top\nprepare:\n  share: 0.2\ntrain:\n  # the model\n  target: y\n  algorithm: gradient_boosting\n  validation: kfold:5\n  learning_rate: 0.05\n  max_leaf_nodes: 15\n');
  assert.equal(writeTrialSection('other: 1\n', 'params.yaml', 'a.b', spec, { validation: false, seed: true }),
    'other: 1\na:\n  b:\n    algorithm: gradient_boosting\n    seed: 0\n    learning_rate: 0.05\n    max_leaf_nodes: 15\n');
  assert.equal(writeTrialSection('{"train": {"seed": 1, "C": 3}}', 'p.json', 'train', spec, { validation: false, seed: false }),
    '{\n  "train": {\n    "seed": 1,\n    "algorithm": "gradient_boosting",\n    "learning_rate": 0.05,\n    "max_leaf_nodes": 15\n  }\n}\n');
  assert.throws(() => writeTrialSection('train: 3\n', 'params.yaml', 'train.x', spec, { validation: false, seed: false }), /params\.yaml: 'train\.x' goes through 'train', which is not a mapping/);
});
