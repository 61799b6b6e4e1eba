import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/repo.js';
import { readCsv } from '../../../src/ml/csv.js';
import { featurizeFile } from '../../../src/ml/featurize/index.js';
import { predictFile } from '../../../src/ml/predict.js';
import { evaluatePredictions } from '../../../src/ml/evaluate.js';
import type { ClassificationMetrics, RegressionMetrics } from '../../../src/ml/metrics.js';

const values = async (p: string, name: string) => Array.from((await readCsv(p)).columns.find((c) => c.name === name)!.values as ArrayLike<unknown>);

function setup() {
  const dir = tempDir('mlv-predict-');
  writeFileSync(join(dir, 'train.csv'), 'when,color,size,price\n2024-01-06T10:00:00,red,1,10\n2024-01-08T22:00:00,blue,2,20\n2024-01-09T03:00:00,red,,30\n');
  writeFileSync(join(dir, 'features.yaml'), [
    'target: price',
    'steps:',
    '  - derive:',
    '      weekend: {date_part: weekend, of: when}',
    '      hour: {date_part: hour, of: when}',
    '  - impute: {size: mean}',
    '  - encode: {color: onehot}',
    '  - drop: [when]',
    '',
  ].join('\n'));
  return dir;
}

test('featurize, then predict raw rows with an unseen category through the model\'s own transform', async () => {
  const dir = setup();
  const { state } = await featurizeFile(join(dir, 'features.yaml'), join(dir, 'train.csv'), join(dir, 'feat.csv'));
  const features = state.outputs.filter((c) => c !== 'price');
  assert.deepEqual(features, ['color_blue', 'color_red', 'size', 'weekend', 'hour']);
  // price = 100·size + 1000·weekend + hour + 5·blue + 7·red
  const model = {
    format: 'mlv-model', version: 1, task: 'regression', algorithm: 'linear', target: 'price', features,
    params: { fit_intercept: true }, seed: 0, state: { coef: [5, 7, 100, 1000, 1], intercept: 0.5 }, featurize: state,
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  // "green" was never seen; size missing is imputed with the training mean (1.5); an extra column is ignored.
  writeFileSync(join(dir, 'new.csv'), 'note,color,when,size,price\nhi,green,2024-01-07T05:00:00,,999\nyo,blue,2024-01-10T12:00:00,3,320\n');
  const r = await predictFile(join(dir, 'model.json'), join(dir, 'new.csv'), join(dir, 'preds.csv'));
  assert.equal(r.featurized, true);
  assert.deepEqual(r.columns, ['y_true', 'y_pred']);
  assert.deepEqual(await values(join(dir, 'preds.csv'), 'y_pred'), [150 + 1000 + 5 + 0.5, 300 + 12 + 5 + 0.5]);
  assert.deepEqual(await values(join(dir, 'preds.csv'), 'y_true'), [999, 320]);
  const m = (await evaluatePredictions(join(dir, 'preds.csv'), 'regression')) as RegressionMetrics;
  assert.ok(m.mae > 0);

  // The featurized CSV itself is accepted too (no second transform).
  const again = await predictFile(join(dir, 'model.json'), join(dir, 'feat.csv'), join(dir, 'p2.csv'));
  assert.equal(again.featurized, false);
  assert.deepEqual(await values(join(dir, 'p2.csv'), 'y_pred'), [100 + 1000 + 10 + 7 + 0.5, 200 + 22 + 5 + 0.5, 150 + 3 + 7 + 0.5]);
});

test('a classifier writes proba_<label> columns that evaluate reads', async () => {
  const dir = tempDir('mlv-predict-');
  // A stump: x <= 0.5 -> leaf 0 (mostly "no"), else leaf 1 (mostly "yes").
  const model = {
    format: 'mlv-model', version: 1, task: 'classification', algorithm: 'decision_tree', target: 'label', features: ['x'],
    labels: ['no', 'yes'], params: {}, seed: 0,
    state: { trees: [{ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, 0, 1], right: [2, 0, 0], value: [3, 1, 1, 3] }] },
  };
  writeFileSync(join(dir, 'm.json'), JSON.stringify(model));
  writeFileSync(join(dir, 'd.csv'), 'x,label\n0,no\n1,yes\n0,yes\n1,yes\n');
  const r = await predictFile(join(dir, 'm.json'), join(dir, 'd.csv'), join(dir, 'p.csv'));
  assert.deepEqual(r.columns, ['y_true', 'y_pred', 'proba_no', 'proba_yes']);
  assert.deepEqual(await values(join(dir, 'p.csv'), 'y_pred'), ['no', 'yes', 'no', 'yes']);
  assert.deepEqual(await values(join(dir, 'p.csv'), 'proba_yes'), [0.25, 0.75, 0.25, 0.75]);
  const m = (await evaluatePredictions(join(dir, 'p.csv'), 'classification')) as ClassificationMetrics;
  assert.equal(m.accuracy, 0.75);
  assert.equal(m.roc_auc, 5 / 6);
  assert.equal(m.precision, 1);
});

test('predict errors: missing column, missing value with its line, bad model file', async () => {
  const dir = setup();
  const model = {
    format: 'mlv-model', version: 1, task: 'regression', algorithm: 'linear', target: 'price', features: ['a', 'b'],
    params: {}, seed: 0, state: { coef: [1, 1], intercept: 0 },
  };
  writeFileSync(join(dir, 'm.json'), JSON.stringify(model));
  writeFileSync(join(dir, 'x.csv'), 'a,c\n1,2\n');
  await assert.rejects(predictFile(join(dir, 'm.json'), join(dir, 'x.csv'), join(dir, 'o.csv')), /x\.csv: line 1: missing column "b" that the model needs/);
  writeFileSync(join(dir, 'y.csv'), 'a,b\n1,2\n"3\n",NA\n');
  await assert.rejects(predictFile(join(dir, 'm.json'), join(dir, 'y.csv'), join(dir, 'o.csv')), /y\.csv: line 3, column "b": missing value/);
  writeFileSync(join(dir, 'z.csv'), 'a,b\n1,3.5\n2,abc\n');
  await assert.rejects(predictFile(join(dir, 'm.json'), join(dir, 'z.csv'), join(dir, 'o.csv')), /z\.csv: line 3, column "b": the model needs numbers, found "abc"/);
  writeFileSync(join(dir, 'bad.json'), '{"format": "nope"}');
  await assert.rejects(predictFile(join(dir, 'bad.json'), join(dir, 'y.csv'), join(dir, 'o.csv')), /bad\.json: not an mlv model/);
});
