import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { algorithmFields, ALGORITHMS, findAlgorithm, loadModel, saveModel, TASK_ALGORITHMS, TASKS, type AlgorithmDescriptor, type Task } from '../../../src/ml/models/index.js';
import { describe, interval, none, options, resolveParams, BOOLEAN, type ParamValue } from '../../../src/ml/models/params.js';
import { gridPoints, parseOverride, randomPoints } from '../../../src/experiments/overrides.js';
import { searchPoints, SEARCHABLE } from '../../../src/experiments/search.js';
import { train } from '../../../src/ml/train.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import type { Frame } from '../../../src/ml/frame.js';
import { ROOT } from '../../helpers/repo.js';
import { InputError } from '../../../src/errors/index.js';

/**
 * What every registered algorithm must do, checked on each descriptor: an algorithm
 * added to the registry is held to all of it without a line here.
 */

const defaultOf = (a: AlgorithmDescriptor, name: string, task: Task): ParamValue => {
  const d = a.params[name].default;
  return typeof d === 'function' ? d(task) : d;
};

test('registry: unique snake_case names, every task served, lists derived in registry order', () => {
  const names = ALGORITHMS.map((a) => a.name);
  assert.equal(new Set(names).size, names.length, 'names are unique');
  for (const a of ALGORITHMS) {
    assert.match(a.name, /^[a-z][a-z0-9_]*$/);
    assert.ok(a.title.length > 0, `${a.name}: a title for help texts`);
    assert.ok(a.tasks.length > 0 && a.tasks.every((t) => TASKS.includes(t)), `${a.name}: known tasks`);
    assert.equal(findAlgorithm(a.name), a);
  }
  for (const t of TASKS) {
    assert.deepEqual(TASK_ALGORITHMS[t], names.filter((n) => findAlgorithm(n)!.tasks.includes(t)), t);
    assert.ok(TASK_ALGORITHMS[t].length > 0, `${t} has an algorithm`);
  }
  assert.equal(TASK_ALGORITHMS.classification[0], 'random_forest', 'the default stays the forest');
  assert.equal(TASK_ALGORITHMS.regression[0], 'random_forest');
  assert.deepEqual(SEARCHABLE, ALGORITHMS.filter((a) => a.search).map((a) => a.name));
});

test('registry: every default passes its own constraints, for every task the algorithm serves', () => {
  for (const a of ALGORITHMS) {
    for (const task of a.tasks) {
      for (const [name, spec] of Object.entries(a.params)) {
        assert.ok(spec.constraints.length > 0, `${a.name}.${name} declares what it accepts`);
        const v = defaultOf(a, name, task);
        assert.ok(spec.constraints.some((c) => c.test(v)), `${a.name}.${name} (${task}): default ${JSON.stringify(v)} is not ${describe(spec.constraints)}`);
      }
      // Defaults resolve to themselves.
      assert.deepEqual(resolveParams(a, task, {}), Object.fromEntries(Object.keys(a.params).map((k) => [k, defaultOf(a, k, task)])));
    }
  }
});

test('registry: every point of every search space is a valid set of hyperparameters', () => {
  for (const a of ALGORITHMS) {
    if (!a.search) continue;
    const grid = gridPoints(a.search.grid.map(parseOverride));
    const random = randomPoints(a.search.random.map(parseOverride), 40, 3);
    assert.deepEqual(searchPoints(a.name, undefined, 3), grid);
    for (const point of [...grid, ...random]) {
      for (const task of a.tasks) assert.doesNotThrow(() => resolveParams(a, task, point as Record<string, ParamValue>), `${a.name} ${JSON.stringify(point)}`);
    }
  }
});

function dataFor(task: Task): { frame: Frame; target?: string } {
  const r = mulberry32(5);
  const n = 90;
  const x = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, () => r() * 10 - 5));
  const cols: Frame['columns'] = x.map((values, i) => ({ name: `x${i}`, type: 'number' as const, values }));
  if (task === 'classification') {
    cols.push({ name: 'y', type: 'categorical', values: Array.from({ length: n }, (_, i) => (x[0][i] + x[1][i] > 1 ? 'hi' : x[0][i] > -2 ? 'mid' : 'lo')) });
  } else if (task === 'regression') {
    cols.push({ name: 'y', type: 'number', values: Float64Array.from({ length: n }, (_, i) => 2 * x[0][i] - x[1][i] + r()) });
  }
  return { frame: { columns: cols, nRows: n, source: 'mem.csv' }, target: cols.length > 3 ? 'y' : undefined };
}

test('registry: each algorithm trains, scores and predicts for every task it serves; its model file loads back to the same predictions', async () => {
  for (const a of ALGORITHMS) {
    for (const task of a.tasks) {
      const { frame, target } = dataFor(task);
      const what = `${a.name} (${task})`;
      // Small but valid settings: two-fold validation, the defaults otherwise (a forest of 10 trees).
      const params = 'n_estimators' in a.params ? { n_estimators: 10 } : 'n_clusters' in a.params ? { n_clusters: 3 } : {};
      const r = await train(frame, { target, task, algorithm: a.name, params, validation: 'kfold:2', seed: 1, jobs: 1 });
      assert.equal(r.algorithm, a.name);
      assert.ok(Object.keys(r.metrics).length > 0, `${what}: scored`);
      for (const [k, m] of Object.entries(r.metrics)) assert.equal(m.folds.length, 2, `${what}: ${k} per fold`);
      const text = r.modelChunks.join('');
      const fresh = loadModel(r.model);
      const loaded = loadModel(JSON.parse(text));
      assert.equal(saveModel(loaded.doc), text, `${what}: load → save is byte-identical`);
      const X = Array.from({ length: 7 }, (_, i) => Float64Array.from(frame.columns.slice(0, 3), (c) => (c.values as Float64Array)[i * 11]));
      if (task === 'reduction') {
        assert.deepEqual(loaded.transform!(X), fresh.transform!(X), what);
        continue;
      }
      const pred = loaded.predict(X);
      assert.deepEqual(pred, fresh.predict(X), `${what}: the file predicts what the fit did`);
      assert.equal(pred.length, X.length);
      if (task === 'classification') {
        const proba = loaded.predictProba!(X);
        for (let i = 0; i < X.length; i++) {
          assert.ok(Math.abs(proba[i].reduce((s, v) => s + v, 0) - 1) < 1e-12, `${what}: probabilities sum to 1`);
          assert.ok(loaded.labels!.includes(pred[i] as string), `${what}: predicts a label`);
        }
      } else if (task === 'regression') {
        assert.ok(pred instanceof Float64Array, `${what}: numbers`);
      }
      assert.throws(() => loaded.predict([Float64Array.of(1)]), /row 1 has 1 features; the model expects 3/);
    }
  }
});

test('constraints read as scikit-learn declares them, and say what they accept', () => {
  const c = {
    count: interval('integer', 2, 255, 'both'),
    positive: interval('real', 0, null, 'neither'),
    below: interval('real', null, 1, 'right'),
    share: interval('fraction', 0, 1, 'right'),
  };
  assert.equal(c.count.text, 'an integer in [2, 255]');
  assert.equal(c.positive.text, 'a number > 0');
  assert.equal(c.below.text, 'a number <= 1');
  assert.equal(c.share.text, 'a fraction in (0, 1]');
  assert.deepEqual([2, 255, 1, 256, 2.5, '3', null].map((v) => c.count.test(v as ParamValue)), [true, true, false, false, false, false, false]);
  assert.deepEqual([1e-9, 0, -1, Infinity, NaN].map((v) => c.positive.test(v)), [true, false, false, false, false]);
  assert.deepEqual([0.5, 1, 0, 1.5].map((v) => c.share.test(v)), [true, false, false, false], '1 is an integer: a count, not a share');
  assert.equal(describe([options('auto'), BOOLEAN]), '"auto" or true or false');
  assert.equal(describe([interval('integer', 1, null, 'left'), none()]), 'an integer >= 1 or null');
  const algo = { name: 'toy', params: { max_bins: { default: 255, constraints: [c.count] }, early_stopping: { default: 'auto', constraints: [options('auto'), BOOLEAN] } } };
  assert.deepEqual(resolveParams(algo, 'classification', { early_stopping: false }), { max_bins: 255, early_stopping: false });
  assert.throws(() => resolveParams(algo, 'classification', { max_bins: 300 }), /hyperparameter max_bins: expected an integer in \[2, 255\], got 300/);
  assert.throws(() => resolveParams(algo, 'classification', { early_stopping: 'yes' }), /hyperparameter early_stopping: expected "auto" or true or false, got "yes"/);
  assert.throws(() => resolveParams(algo, 'classification', { toString: 1 }), /unknown hyperparameter "toString" for toy \(known: early_stopping, max_bins\)/);
});

test('state versions: written when not 1, refused when unknown, handed to load', async () => {
  assert.deepEqual(algorithmFields({ name: 'toy' }), { algorithm: 'toy' });
  assert.deepEqual(algorithmFields({ name: 'toy', stateVersion: 1 }), { algorithm: 'toy' });
  assert.deepEqual(algorithmFields({ name: 'toy', stateVersion: 3 }), { algorithm: 'toy', state_version: 3 });
  for (const a of ALGORITHMS) {
    const task = a.tasks[0];
    const { frame, target } = dataFor(task);
    const params = 'n_estimators' in a.params ? { n_estimators: 3 } : 'n_clusters' in a.params ? { n_clusters: 2 } : {};
    const r = await train(frame, { target, task, algorithm: a.name, params, validation: 'none', jobs: 1 });
    const newest = a.stateVersion ?? 1;
    assert.equal(r.model.state_version, newest === 1 ? undefined : newest, a.name);
    const doc = JSON.parse(r.modelChunks.join(''));
    for (const bad of [newest + 1, 0, 1.5, '1']) {
      assert.throws(() => loadModel({ ...doc, state_version: bad }), (e: Error) => e instanceof InputError
        && e.message === `model: ${a.name} "state_version" ${JSON.stringify(bad)} is not one this mlv reads (${newest === 1 ? '1' : `1 to ${newest}`})`, `${a.name} ${bad}`);
    }
    const explicit = { ...doc, state_version: newest };
    assert.equal(saveModel(loadModel(explicit).doc), saveModel(explicit));
  }
});

/** The algorithm tables of docs/ml-train.md, as the registry says. */
function algorithmTables(): string {
  const value = (v: ParamValue) => (typeof v === 'string' ? `"${v}"` : String(v));
  const lines = [
    '| task | algorithms (the first is the default) |',
    '|---|---|',
    ...TASKS.map((t) => `| ${t} | ${TASK_ALGORITHMS[t].map((a) => `\`${a}\``).join(', ')} |`),
    '',
    '| algorithm | tasks | hyperparameter | default | accepts |',
    '|---|---|---|---|---|',
  ];
  for (const a of ALGORITHMS) {
    Object.entries(a.params).forEach(([name, spec], i) => {
      const d = spec.default;
      const shown = typeof d === 'function' ? a.tasks.map((t) => `${value(d(t))} (${t})`).join(', ') : value(d);
      lines.push(`| ${i === 0 ? `\`${a.name}\`` : ''} | ${i === 0 ? a.tasks.join(', ') : ''} | \`${name}\` | ${shown} | ${describe(spec.constraints)} |`);
    });
    if (Object.keys(a.params).length === 0) lines.push(`| \`${a.name}\` | ${a.tasks.join(', ')} | | | |`);
  }
  return lines.join('\n');
}

test('docs/ml-train.md lists the registry as it is (MLV_UPDATE_DOCS=1 rewrites the tables)', () => {
  const path = join(ROOT, 'docs/ml-train.md');
  const doc = readFileSync(path, 'utf8');
  const begin = '<!-- algorithms: generated from the registry by tests/unit/ml/registry.test.ts -->\n';
  const end = '\n<!-- /algorithms -->';
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end, a);
  assert.ok(a >= 0 && b > a, 'docs/ml-train.md has the generated block');
  const want = algorithmTables();
  if (process.env.MLV_UPDATE_DOCS === '1') writeFileSync(path, doc.slice(0, a + begin.length) + want + doc.slice(b));
  else assert.equal(doc.slice(a + begin.length, b), want, 'run: MLV_UPDATE_DOCS=1 node --import tsx --test tests/unit/ml/registry.test.ts');
});
