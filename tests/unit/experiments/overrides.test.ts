import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridPoints, parseOverride, randomPoints } from '../../../src/experiments/overrides.js';
import { generatedName, uniqueName, validateName } from '../../../src/experiments/names.js';
import { expMessage, parseExpMessage } from '../../../src/experiments/refs.js';

test('-S values are YAML scalars; comma lists are grids; flow lists are one value', () => {
  assert.deepEqual(parseOverride('train.trees=200'), { key: 'train.trees', kind: 'values', values: [200] });
  assert.deepEqual(parseOverride('params.yaml:train.on=true'), { key: 'params.yaml:train.on', kind: 'values', values: [true] });
  assert.deepEqual(parseOverride('a=x, 2 ,null').kind === 'values' && parseOverride('a=x, 2 ,null').values, ['x', 2, null]);
  assert.deepEqual(parseOverride('m.layers=[64,32]'), { key: 'm.layers', kind: 'values', values: [[64, 32]] });
  assert.throws(() => parseOverride('noequals'), /key=value/);
  assert.throws(() => parseOverride('a b=1'), /not a parameter name/);
  assert.throws(() => parseOverride('../x.yaml:a=1'), /inside the repository/);
  assert.throws(() => parseOverride('a=1,,2'), /empty value/);
});

test('a grid is every combination, last key fastest; a repeated key replaces the earlier one', () => {
  const pts = gridPoints(['t=50,100,200', 'd=4,8'].map(parseOverride));
  assert.equal(pts.length, 6);
  assert.deepEqual(pts[0], { t: 50, d: 4 });
  assert.deepEqual(pts[1], { t: 50, d: 8 });
  assert.deepEqual(pts[5], { t: 200, d: 8 });
  assert.deepEqual(gridPoints(['t=1,2', 't=3'].map(parseOverride)), [{ t: 3 }]);
  assert.deepEqual(gridPoints([]), [{}]);
  assert.throws(() => gridPoints([parseOverride('lr=range(0.1,1)')]), /--random/);
});

test('ranges: linear, log, integers when both ends are; seeded and reproducible', () => {
  const specs = ['lr=range(0.01,0.3,log)', 'n=range(10,20)', 'x=range(0.0,1.0)', 'kind=a,b'].map(parseOverride);
  const a = randomPoints(specs, 200, 7);
  assert.deepEqual(a, randomPoints(specs, 200, 7));
  assert.notDeepEqual(a, randomPoints(specs, 200, 8));
  for (const p of a) {
    assert.ok((p.lr as number) >= 0.01 && (p.lr as number) <= 0.3);
    assert.ok(Number.isInteger(p.n) && (p.n as number) >= 10 && (p.n as number) <= 20);
    assert.ok((p.x as number) >= 0 && (p.x as number) < 1 && !Number.isInteger(p.x));
    assert.ok(p.kind === 'a' || p.kind === 'b');
  }
  // Log-uniform: about half the draws fall below the geometric mean.
  const below = a.filter((p) => (p.lr as number) < Math.sqrt(0.01 * 0.3)).length;
  assert.ok(below > 70 && below < 130, String(below));
  assert.equal(new Set(a.map((p) => p.n)).size, 11);
  assert.deepEqual(new Set(randomPoints([parseOverride('b=range(0,1)')], 50, 1).map((p) => p.b)), new Set([0, 1]));
  assert.throws(() => parseOverride('lr=range(0,1,log)'), /positive/);
  assert.throws(() => parseOverride('lr=range(2,1)'), /a < b/);
  assert.throws(() => randomPoints(specs, 0, 1), /positive/);
});

test('generated names are readable, deterministic and unique', () => {
  const n = generatedName('seed');
  assert.match(n, /^[a-z]+-[a-z]+-\d{3}$/);
  assert.equal(generatedName('seed'), n);
  const taken = new Set([n]);
  const m = uniqueName('seed', taken);
  assert.notEqual(m, n);
  assert.ok(taken.has(m));
  assert.equal(validateName('run_1.b'), 'run_1.b');
  for (const bad of ['a/b', 'a..b', '.x', 'x.lock', 'a b', '']) assert.throws(() => validateName(bad), /--name/);
});

test('experiment messages round-trip status, overrides, metrics and the error', () => {
  const msg = expMessage({ name: 'x', summary: 't=1', status: 'failed', overrides: { t: 1, 'f.json:a': 'b' }, error: 'boom\nline two', metrics: { acc: 0.5 } });
  const p = parseExpMessage(msg);
  assert.equal(p.subject, 'mlv exp x: t=1');
  assert.equal(p.status, 'failed');
  assert.equal(p.name, 'x');
  assert.deepEqual(p.overrides, { t: 1, 'f.json:a': 'b' });
  assert.deepEqual(p.metrics, { acc: 0.5 });
  assert.equal(p.error, 'boom\nline two');
  assert.equal(parseExpMessage(expMessage({ name: 'y', summary: '', status: 'ok', overrides: {}, message: 'custom' })).subject, 'custom');
});

test("a failed stage's stderr cannot fake trailers: only the message's last paragraph counts", () => {
  const error = 'Traceback\nMlv-Exp-Metrics: {"acc": 1}\nMlv-Exp-Status: ok\n\nMlv-Exp-Name: fake\nMlv-Exp-Metrics: {"acc": 2}';
  const p = parseExpMessage(expMessage({ name: 'real', summary: '', status: 'failed', overrides: {}, error }));
  assert.equal(p.metrics, undefined);
  assert.equal(p.status, 'failed');
  assert.equal(p.name, 'real');
  const ok = parseExpMessage(expMessage({ name: 'good', summary: '', status: 'ok', overrides: {}, metrics: { acc: 0.5 } }));
  assert.deepEqual(ok.metrics, { acc: 0.5 });
});
