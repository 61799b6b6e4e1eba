import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectKeys, columnOffset, columnsThatFit, compileFilter, defaultDescending, defaultDirection,
  filterIndices, metricDelta, resolveKey, rowDeltas, scrollOffset, sortIndices, varyingKeys,
} from '../../../src/compare/rows.js';
import { InputError } from '../../../src/errors/index.js';
import type { VersionRow } from '../../../src/compare/types.js';

const row = (name: string, params: VersionRow['params'], metrics: VersionRow['metrics'], extra: Partial<VersionRow> = {}): VersionRow => ({
  id: name, kind: 'commit', rev: `${name}0000`, name, date: '2024-05-01T00:00:00Z', message: `msg ${name}`,
  params, metrics, ...extra,
});

const rows: VersionRow[] = [
  row('a', { 'train.trees': 100, 'train.model': 'rf', seed: 1 }, { 'eval.accuracy': 0.91, loss: 0.3 }, { date: '2024-05-03T00:00:00Z' }),
  row('b', { 'train.trees': 50, 'train.model': 'rf', seed: 1 }, { 'eval.accuracy': 0.85, loss: 0.4 }, { date: '2024-05-01T00:00:00Z', message: 'Try Linear' }),
  row('c', { 'train.trees': 200, 'train.model': 'linear', seed: 1 }, { loss: 0.2 }, { date: '2024-05-02T00:00:00Z' }),
  row('d', { 'train.trees': '100', seed: 1, flag: true }, { 'eval.accuracy': 0.95, loss: 0.35 }),
];
const keys = collectKeys(rows);
const pick = (text: string) => filterIndices(rows, compileFilter(text, keys)).map((i) => rows[i].name);

test('collectKeys lists every param and metric once, sorted', () => {
  assert.deepEqual(keys.params, ['flag', 'seed', 'train.model', 'train.trees']);
  assert.deepEqual(keys.metrics, ['eval.accuracy', 'loss']);
});

test('filter expressions compare numbers, match strings and resolve key suffixes', () => {
  assert.deepEqual(pick('accuracy>0.9'), ['a', 'd']);
  assert.deepEqual(pick('eval.accuracy>=0.91'), ['a', 'd']);
  assert.deepEqual(pick('loss<0.3'), ['c']);
  assert.deepEqual(pick('loss<=0.3'), ['a', 'c']);
  assert.deepEqual(pick('train.trees=100'), ['a', 'd'], 'a number and the text "100" both equal 100');
  assert.deepEqual(pick('trees=100'), ['a', 'd'], 'a suffix names train.trees');
  assert.deepEqual(pick('model=linear'), ['c']);
  assert.deepEqual(pick('model!=linear'), ['a', 'b'], 'rows without the key never match !=');
  assert.deepEqual(pick('model~LIN'), ['c']);
  assert.deepEqual(pick('flag=true'), ['d']);
  assert.deepEqual(pick('accuracy>0.8 trees=100'), ['a', 'd'], 'terms are ANDed');
  assert.deepEqual(pick('accuracy>0.8 model=rf'), ['a', 'b']);
});

test('free text matches name, rev prefix and message, case-insensitively', () => {
  assert.deepEqual(pick('linear'), ['b']);
  assert.deepEqual(pick('c0000'), ['c']);
  assert.deepEqual(pick('msg a'), ['a'], '"msg" matches all, "a" only a (names, messages)');
  assert.deepEqual(pick(''), ['a', 'b', 'c', 'd']);
  assert.deepEqual(pick('   '), ['a', 'b', 'c', 'd']);
});

test('bad filters throw InputError naming the term', () => {
  assert.throws(() => compileFilter('nope>1', keys), (e: unknown) => e instanceof InputError && /nope>1/.test(e.message) && /no param or metric/.test(e.message));
  assert.throws(() => compileFilter('accuracy>high', keys), (e: unknown) => e instanceof InputError && /not a number/.test(e.message));
  assert.throws(() => compileFilter('loss=', keys), (e: unknown) => e instanceof InputError && /missing a value/.test(e.message));
  const twice = collectKeys([row('x', { 'a.lr': 1, 'b.lr': 2 }, {})]);
  assert.throws(() => resolveKey('lr', twice), (e: unknown) => e instanceof InputError && /ambiguous; name one of: a\.lr, b\.lr$/.test(e.message));
  assert.deepEqual(resolveKey('a.lr', twice), { kind: 'param', key: 'a.lr' });
});

test('sortIndices: numbers numerically, missing last in both directions, stable ties', () => {
  const all = rows.map((_, i) => i);
  const names = (ix: number[]) => ix.map((i) => rows[i].name);
  const acc = { kind: 'metric' as const, key: 'eval.accuracy' };
  assert.deepEqual(names(sortIndices(rows, all, { column: acc, descending: true })), ['d', 'a', 'b', 'c']);
  assert.deepEqual(names(sortIndices(rows, all, { column: acc, descending: false })), ['b', 'a', 'd', 'c']);
  const seed = { kind: 'param' as const, key: 'seed' };
  assert.deepEqual(names(sortIndices(rows, all, { column: seed, descending: true })), ['a', 'b', 'c', 'd'], 'ties keep order');
  const trees = { kind: 'param' as const, key: 'train.trees' };
  assert.deepEqual(names(sortIndices(rows, all, { column: trees, descending: false })), ['b', 'a', 'c', 'd'], 'numbers before text');
  const date = { kind: 'date' as const, key: 'date' };
  assert.deepEqual(names(sortIndices(rows, all, { column: date, descending: true })), ['a', 'c', 'b', 'd']);
  const msg = { kind: 'message' as const, key: 'message' };
  assert.deepEqual(names(sortIndices(rows, [3, 2, 1], { column: msg, descending: false })), ['b', 'c', 'd'], 'sorts only the given indices');
});

test('first sort direction: best metric first, newest first, text ascending', () => {
  assert.equal(defaultDescending({ kind: 'metric', key: 'accuracy' }, defaultDirection), true);
  assert.equal(defaultDescending({ kind: 'metric', key: 'val_loss' }, defaultDirection), false);
  assert.equal(defaultDescending({ kind: 'date', key: 'date' }, defaultDirection), true);
  assert.equal(defaultDescending({ kind: 'name', key: 'name' }, defaultDirection), false);
});

test('metric directions: losses and errors are minimised', () => {
  for (const m of ['loss', 'val_loss', 'eval.log_loss', 'mae', 'train.rmse', 'mse', 'error', 'test/error_rate', 'train_metrics.json:gap']) assert.equal(defaultDirection(m), 'min', m);
  for (const m of ['accuracy', 'f1', 'roc_auc', 'r2', 'eval.precision', 'glossary', 'train_metrics.json:train_accuracy']) assert.equal(defaultDirection(m), 'max', m);
});

test('deltas against a baseline are better or worse by direction', () => {
  assert.deepEqual(metricDelta(0.9, 0.8, 'max'), { delta: 0.9 - 0.8, verdict: 'better' });
  assert.deepEqual(metricDelta(0.7, 0.8, 'max')?.verdict, 'worse');
  assert.deepEqual(metricDelta(0.2, 0.3, 'min')?.verdict, 'better');
  assert.deepEqual(metricDelta(0.4, 0.3, 'min')?.verdict, 'worse');
  assert.deepEqual(metricDelta(0.3, 0.3, 'min'), { delta: 0, verdict: 'same' });
  assert.equal(metricDelta(undefined, 0.3, 'min'), undefined);
  assert.equal(metricDelta(0.3, undefined, 'max'), undefined);
  const d = rowDeltas(rows[0], rows[1], defaultDirection);
  assert.equal(d['eval.accuracy'].verdict, 'better');
  assert.equal(d.loss.verdict, 'better');
  assert.ok(Math.abs(d.loss.delta - -0.1) < 1e-12);
  assert.deepEqual(Object.keys(rowDeltas(rows[2], rows[1], defaultDirection)), ['loss'], 'a metric the row lacks has no delta');
});

test('varyingKeys drops keys equal in every given row', () => {
  assert.deepEqual(varyingKeys(rows, [0, 1, 2, 3], keys.params, 'param'), ['train.model', 'train.trees'], 'flag: one row has it, nothing to compare');
  assert.deepEqual(varyingKeys(rows, [0, 1], keys.params, 'param'), ['train.trees']);
  assert.deepEqual(varyingKeys(rows, [0, 1, 2, 3], keys.metrics, 'metric'), ['eval.accuracy', 'loss']);
  assert.deepEqual(varyingKeys(rows, [1], keys.params, 'param'), keys.params, 'one row: nothing to compare, keep all');
});

test('varyingKeys: a missing value is no data, not a difference', () => {
  const r = [
    row('x', { lr: 0.1 }, { 'eval.json:acc': 0.9, 'm.json:n': 5 }),
    row('y', {}, { 'm.json:n': 5 }),
    row('z', { lr: 0.1 }, { 'eval.json:acc': 0.9, 'm.json:n': 6 }),
  ];
  assert.deepEqual(varyingKeys(r, [0, 1, 2], ['eval.json:acc', 'm.json:n'], 'metric'), ['m.json:n']);
  assert.deepEqual(varyingKeys(r, [0, 1, 2], ['lr'], 'param'), []);
  assert.deepEqual(varyingKeys(r, [0, 1], ['m.json:n'], 'metric'), []);
});

test('resolveKey: a short name of two files is ambiguous and lists both; the file:key name picks one', () => {
  const k = { metrics: ['eval.json:accuracy', 'eval.json:accuracy_std', 'train_metrics.json:accuracy'], params: [] };
  assert.throws(() => resolveKey('accuracy', k, '--metric accuracy'), (e: unknown) => e instanceof InputError
    && /--metric accuracy: "accuracy" is ambiguous; name one of: eval\.json:accuracy, train_metrics\.json:accuracy$/.test(e.message));
  assert.deepEqual(resolveKey('eval.json:accuracy', k), { kind: 'metric', key: 'eval.json:accuracy' });
  assert.deepEqual(resolveKey('accuracy_std', k), { kind: 'metric', key: 'eval.json:accuracy_std' });
  assert.equal(defaultDirection('eval.json:accuracy_std'), 'min');
});

test('scrollOffset keeps the cursor visible with minimal movement', () => {
  assert.equal(scrollOffset(0, 0, 10, 100), 0);
  assert.equal(scrollOffset(9, 0, 10, 100), 0);
  assert.equal(scrollOffset(10, 0, 10, 100), 1);
  assert.equal(scrollOffset(50, 0, 10, 100), 41);
  assert.equal(scrollOffset(45, 41, 10, 100), 41, 'inside the window: no move');
  assert.equal(scrollOffset(40, 41, 10, 100), 40);
  assert.equal(scrollOffset(99, 95, 10, 100), 90, 'never past the end');
  assert.equal(scrollOffset(3, 50, 10, 5), 0, 'shrunk list');
});

test('columnsThatFit and columnOffset window the columns', () => {
  const w = [10, 10, 10, 10, 10];
  assert.equal(columnsThatFit(w, 0, 32, 1), 3, '10 + (1+10) + (1+10) = 32 fits exactly');
  assert.equal(columnsThatFit(w, 0, 31, 1), 2, 'one short: the third column does not fit');
  assert.equal(columnsThatFit(w, 3, 100, 1), 2);
  assert.equal(columnsThatFit([50], 0, 20, 1), 1, 'one over-wide column is still shown');
  assert.equal(columnOffset(4, 0, w, 21, 1), 3, 'cursor on the last column: window ends there');
  assert.equal(columnOffset(1, 3, w, 21, 1), 1);
  assert.equal(columnOffset(2, 1, w, 21, 1), 1);
});

test('metric names: a suffix after a file separator resolves; costs are minimised', () => {
  const files = collectKeys([row('x', {}, { 'a.json:acc': 0.9, 'b.json:acc': 0.8, 'eval.json:r2': 0.5 })]);
  assert.deepEqual(resolveKey('r2', files), { kind: 'metric', key: 'eval.json:r2' });
  assert.throws(() => resolveKey('acc', files), (e: unknown) => e instanceof InputError && /ambiguous; name one of: a\.json:acc, b\.json:acc$/.test(e.message));
  assert.equal(defaultDirection('train_metrics.json:cost.model_bytes'), 'min');
  assert.equal(defaultDirection('cost.seconds'), 'min');
  assert.equal(defaultDirection('eval.json:log_loss'), 'min');
  assert.equal(defaultDirection('eval.json:accuracy'), 'max');
  assert.equal(defaultDirection('train_metrics.json:metrics.mae.mean'), 'min');
  assert.equal(defaultDirection('train_metrics.json:metrics.rmse.mean'), 'min');
  assert.equal(defaultDirection('train_metrics.json:metrics.r2.mean'), 'max');
  assert.equal(defaultDirection('train_metrics.json:metrics.r2.std'), 'min');
});

test('varyingKeys: a failed run\'s missing metrics do not make a constant metric vary', () => {
  const ok1 = row('a', { lr: 1 }, { acc: 0.9, n: 6 });
  const ok2 = row('b', { lr: 2 }, { acc: 0.8, n: 6 });
  const failed = { ...row('c', { lr: 3 }, {}), status: 'failed' as const };
  const rows = [ok1, ok2, failed];
  assert.deepEqual(varyingKeys(rows, [0, 1, 2], ['acc', 'n'], 'metric'), ['acc']);
  assert.deepEqual(varyingKeys(rows, [0, 1, 2], ['lr'], 'param'), ['lr']);
});
