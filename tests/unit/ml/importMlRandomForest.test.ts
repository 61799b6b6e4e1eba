import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { readCsv } from '../../../src/ml/csv.js';
import { fromMlRandomForest, prevDouble } from '../../../src/ml/models/importMlRandomForest.js';
import { loadModel, saveModel } from '../../../src/ml/models/index.js';
import { InputError } from '../../../src/errors/index.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import { mlv, ROOT, tempDir } from '../../helpers/repo.js';

const IRIS = join(ROOT, 'fixtures', 'ml', 'iris.csv');

async function iris() {
  const f = await readCsv(IRIS);
  const featureCols = f.columns.filter((c) => c.name !== 'species');
  const species = f.columns.find((c) => c.name === 'species')!.values as string[];
  const names = [...new Set(species)].sort();
  const X = Array.from({ length: f.nRows }, (_, i) => featureCols.map((c) => (c.values as Float64Array)[i]));
  return { X, y: species.map((s) => names.indexOf(s)), names, features: featureCols.map((c) => c.name) };
}

/** What users save: plain JSON (the Matrix distributions become nested arrays). */
const saved = (rf: { toJSON(): unknown }) => JSON.parse(JSON.stringify(rf.toJSON())) as unknown;

test('prevDouble is the largest double below its argument', () => {
  for (const v of [1, -1, 0.1, -2.5, 1e-300, -1e-300, Number.MIN_VALUE, 5e300, 0, -0]) {
    const p = prevDouble(v);
    assert.ok(p < v, `${p} < ${v}`);
    // Nothing fits between: the midpoint rounds to one of the two.
    const mid = p / 2 + v / 2;
    assert.ok(mid === p || mid === v, `no double between ${p} and ${v}`);
  }
  assert.equal(prevDouble(0), -Number.MIN_VALUE);
});

test('an imported ml-random-forest classifier predicts exactly what ml-random-forest predicts', async () => {
  const { X, y, names, features } = await iris();
  // Several shapes: all features per tree, half of them (per-tree column subsets), integer maxFeatures.
  for (const o of [{ nEstimators: 25, seed: 3, maxFeatures: 1.0 }, { nEstimators: 15, seed: 42, maxFeatures: 0.5 }, { nEstimators: 9, seed: 7, maxFeatures: 2 }]) {
    const rf = new RandomForestClassifier({ ...o, noOOB: true });
    rf.train(X, y);
    const doc = fromMlRandomForest(saved(rf), { features, labels: names, target: 'species' });
    const model = loadModel(JSON.parse(saveModel(doc)));
    assert.deepEqual(model.labels, names);
    const rows = X.map((r) => Float64Array.from(r));
    const ours = model.predict(rows) as string[];
    const theirs = (rf.predict(X) as number[]).map((k) => names[k]);
    // The trees' own votes, to tell exact ties (where the two tie rules differ) apart.
    const votes = rf.predictionValues(X);
    let ties = 0;
    for (let i = 0; i < X.length; i++) {
      const count = names.map((_, k) => votes.getRow(i).filter((v: number) => v === k).length);
      const top = Math.max(...count);
      const tied = names.filter((_, k) => count[k] === top);
      if (tied.length === 1) {
        assert.equal(ours[i], theirs[i], `row ${i}: same label (${JSON.stringify(o)})`);
      } else {
        // ml-random-forest: the class that reached the top count first; mlv: the first in label order.
        ties++;
        assert.ok(tied.includes(theirs[i]));
        assert.equal(ours[i], tied[0], `row ${i}: a tie goes to the first label`);
      }
      // The vote shares are the probabilities.
      const proba = model.predictProba!([rows[i]])[0];
      count.forEach((c, k) => assert.ok(Math.abs(proba[k] - c / o.nEstimators) < 1e-12));
    }
    assert.ok(ties <= 2, `${ties} tied rows`);
    for (const p of model.predictProba!(rows)) assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    // Rows right at a split value: ml-cart sends x === splitValue right, so must we.
    const roots = (saved(rf) as { baseModel: { indexes: number[][]; estimators: Array<{ root: { splitColumn: number; splitValue: number } }> } }).baseModel;
    const edge = roots.estimators.map((e, i) => {
      const r = X[0].slice();
      r[roots.indexes[i][e.root.splitColumn]] = e.root.splitValue;
      return r;
    });
    assert.deepEqual(model.predict(edge.map((r) => Float64Array.from(r))), (rf.predict(edge) as number[]).map((k) => names[k]));
  }
});

test('without labels, classes are the integers ml-random-forest was trained on; label order is sorted', async () => {
  const { X, y, features } = await iris();
  const rf = new RandomForestClassifier({ nEstimators: 7, seed: 1, noOOB: true });
  rf.train(X, y);
  const plain = loadModel(fromMlRandomForest(saved(rf), { features }));
  assert.deepEqual(plain.labels, [0, 1, 2]);
  assert.deepEqual(plain.predict(X.map((r) => Float64Array.from(r))), rf.predict(X));
  // Unsorted names are stored sorted, and still map class k to the k-th name given.
  const named = loadModel(fromMlRandomForest(saved(rf), { features, labels: ['c', 'a', 'b'] }));
  assert.deepEqual(named.labels, ['a', 'b', 'c']);
  assert.deepEqual(named.predict(X.map((r) => Float64Array.from(r))), (rf.predict(X) as number[]).map((k) => ['c', 'a', 'b'][k]));
});

test('an imported ml-random-forest regressor predicts the same values', () => {
  const r = mulberry32(11);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = [r() * 10, r() * 4 - 2, Math.round(r() * 5), r()];
    X.push(x);
    y.push(Math.sin(x[0]) * 3 + x[1] * x[2] + r() * 0.1);
  }
  for (const o of [{ nEstimators: 20, seed: 5, maxFeatures: 1.0 }, { nEstimators: 12, seed: 9, maxFeatures: 0.5, replacement: true }]) {
    const rf = new RandomForestRegression({ ...o, noOOB: true, treeOptions: { maxDepth: 8 } });
    rf.train(X, y);
    const doc = fromMlRandomForest(saved(rf), { features: ['a', 'b', 'c', 'd'], target: 'y' });
    const model = loadModel(JSON.parse(saveModel(doc)));
    assert.equal(model.task, 'regression');
    const ours = model.predict(X.map((x) => Float64Array.from(x))) as Float64Array;
    const theirs = rf.predict(X) as number[];
    theirs.forEach((t, i) => assert.ok(Math.abs(ours[i] - t) <= 1e-12, `row ${i}: ${ours[i]} vs ${t}`));
  }
});

test('malformed ml-random-forest JSON gives InputErrors naming the key', async () => {
  const { X, y, features } = await iris();
  const rf = new RandomForestClassifier({ nEstimators: 3, seed: 1, noOOB: true });
  rf.train(X, y);
  const good = saved(rf) as { name: string; baseModel: { indexes: number[][]; estimators: Array<{ root: Record<string, unknown> }> } };
  const bad = (mutate: (j: typeof good) => void, opts: { features: string[]; labels?: string[] }, re: RegExp) => {
    const j = structuredClone(good);
    mutate(j);
    assert.throws(() => fromMlRandomForest(j, opts), (e: unknown) => e instanceof InputError && re.test(e.message));
  };
  bad((j) => { j.name = 'DTClassifier'; }, { features }, /"name".*RFClassifier/);
  bad(() => {}, { features: features.slice(0, 2) }, /baseModel\.indexes\[0\].*only 2 features/);
  bad((j) => { delete (j.baseModel as Partial<typeof j.baseModel>).indexes; }, { features }, /baseModel\.indexes/);
  bad((j) => { j.baseModel.estimators[0].root.splitColumn = 'x'; }, { features }, /estimators\[0\]\.root\.splitColumn/);
  bad((j) => { j.baseModel.estimators[1].root.splitValue = null; }, { features }, /estimators\[1\]\.root\.splitValue/);
  bad(() => {}, { features, labels: ['only-one'] }, /labels: 1 given/);
  assert.throws(() => fromMlRandomForest([1, 2], { features }), InputError);
});

test('mlv import-model: import a saved ml-random-forest file, then mlv predict with it', async () => {
  const { X, y, names } = await iris();
  const rf = new RandomForestClassifier({ nEstimators: 11, seed: 2, noOOB: true });
  rf.train(X, y);
  const dir = tempDir();
  writeFileSync(join(dir, 'rf.json'), JSON.stringify(rf.toJSON()));
  writeFileSync(join(dir, 'iris.csv'), readFileSync(IRIS));
  const imp = mlv(dir, ['import-model', 'rf.json', '--features-from', 'iris.csv', '--target', 'species', '--labels', names.join(','), '-o', 'model.json', '--json']);
  assert.equal(imp.code, 0, imp.stderr);
  const summary = JSON.parse(imp.stdout);
  assert.equal(summary.trees, 11);
  assert.equal(summary.task, 'classification');
  const pred = mlv(dir, ['predict', 'model.json', 'iris.csv', '-o', 'preds.csv']);
  assert.equal(pred.code, 0, pred.stderr);
  const lines = readFileSync(join(dir, 'preds.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const col = header.indexOf('y_pred');
  assert.ok(col >= 0, header.join(','));
  const theirs = (rf.predict(X) as number[]).map((k) => names[k]);
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[col]), theirs);

  // A file that is not an ml-random-forest model: exit 2, the message names the file.
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ name: 'KNN', baseModel: {} }));
  const badRun = mlv(dir, ['import-model', 'other.json', '--features', 'a,b', '-o', 'x.json']);
  assert.equal(badRun.code, 2, badRun.stderr);
  assert.match(badRun.stderr, /other\.json/);
  assert.match(badRun.stderr, /"name"/);
});
