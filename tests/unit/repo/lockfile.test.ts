import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLock, renderLock } from '../../../src/repo/lockfile.js';
import { withinTolerance, metricValues } from '../../../src/pipeline/metrics.js';
import { flatten, splitParamKey } from '../../../src/pipeline/params.js';
import type { Lock, LockStage } from '../../../src/pipeline/types.js';
import { InputError } from '../../../src/errors/index.js';

const h = (c: string) => c.repeat(64);
const stage = (over: Partial<LockStage> = {}): LockStage => ({
  cmd: ['python train.py'],
  deps: [{ path: 'z.csv', kind: 'file', hash: h('a'), size: 3, files: 1 }, { path: 'a.csv', kind: 'file', hash: h('b'), size: 4, files: 1 }],
  params: { 'params.yaml': { 'train.n': 100, 'train.name': 'rf' } },
  outs: [{ path: 'model', kind: 'dir', hash: h('c'), size: 10, files: 2, cache: true }],
  metrics: [{ path: 'm.json', kind: 'file', hash: h('d'), size: 5, files: 1, cache: false, values: { acc: 0.1 + 0.2, n: 3 } }],
  env: { node: 'v20.0.0', mlv: '0.1.0', os: 'linux', arch: 'x64', lockfile: { path: 'requirements.txt', hash: h('e') } },
  ...over,
});

test('render → read round-trips exactly, with sorted stages and keys', () => {
  const lock: Lock = { stages: { train: stage(), prepare: stage({ cmd: ['a', 'b'], metrics: [], params: {} }) } };
  const text = renderLock(lock);
  const back = readLock(text, 'mlv.lock');
  assert.equal(renderLock(back), text);
  assert.equal(back.stages.train.metrics[0].values.acc, 0.1 + 0.2); // floats survive exactly
  assert.deepEqual(back.stages.prepare.cmd, ['a', 'b']);
  assert.ok(text.indexOf('  prepare:') < text.indexOf('  train:'));
  assert.ok(text.indexOf('path: a.csv') < text.indexOf('path: z.csv'), 'deps sorted by path');
  const trainBlock = text.slice(text.indexOf('  train:'));
  const keys = [...trainBlock.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]);
  assert.deepEqual(keys, [...keys].sort());
  // One stage per block: a blank line separates them, so changes to different stages merge.
  assert.match(text, /\n\n {2}train:\n/);
});

test('changing one stage changes only that stage\'s block', () => {
  const a = renderLock({ stages: { prepare: stage(), train: stage() } }).split('\n');
  const b = renderLock({ stages: { prepare: stage(), train: stage({ cmd: ['python train.py --fast'] }) } }).split('\n');
  assert.equal(a.length, b.length);
  const changed = a.map((l, i) => (l === b[i] ? -1 : i)).filter((i) => i >= 0);
  const trainStart = a.indexOf('  train:');
  assert.ok(changed.length === 1 && changed[0] > trainStart);
});

test('a lock with an unknown schema or key is refused clearly', () => {
  assert.throws(() => readLock('schema: 3\nstages: {}\n', 'mlv.lock'), (e: unknown) => e instanceof InputError && /mlv\.lock: lock schema 3 is not supported/.test(e.message));
  // Schema 2 (a lock naming chunked files) is read.
  assert.deepEqual(readLock('schema: 2\nstages: {}\n', 'mlv.lock'), { stages: {} });
  assert.throws(() => readLock('schema: 1\nstages:\n  a:\n    cmd: x\n    extra: 1\n', 'mlv.lock'), /stage 'a': unknown key 'extra'/);
});

test('tolerance is relative to the larger value', () => {
  assert.ok(withinTolerance(1, 1 + 1e-10, 1e-9));
  assert.ok(!withinTolerance(1, 1 + 1e-8, 1e-9));
  assert.ok(withinTolerance(1000, 1000.5, 1e-3));
  assert.ok(!withinTolerance(0, 1e-300, 1e-9));
  assert.ok(withinTolerance(0, 0, 0));
  assert.ok(!withinTolerance(1, undefined, 1));
});

test('metrics: numbers flattened, other values skipped; neither JSON nor YAML is an error', () => {
  assert.deepEqual(metricValues('{"acc":0.9,"per":{"a":1,"b":"x"},"ok":true}', 'm.json'), { acc: 0.9, 'per.a': 1, ok: 1 });
  assert.deepEqual(metricValues('acc: 0.5\nloss:\n  train: 0.1\n', 'm.yaml'), { acc: 0.5, 'loss.train': 0.1 });
  assert.throws(() => metricValues('acc: [1, 2\n', 'm.yaml'), /m\.yaml:\d+: not valid JSON or YAML/);
  assert.throws(() => metricValues('{acc: ', 'm.json'), /m\.json: not valid JSON/);
  assert.throws(() => metricValues('just text', 'm.txt'), /a metrics file must hold a JSON or YAML mapping/);
});

test('params keys: flattening and file:key', () => {
  assert.deepEqual(flatten({ train: { n: 1, layers: [2, 3] }, lr: 0.1 }), { 'train.n': 1, 'train.layers': [2, 3], lr: 0.1 });
  assert.deepEqual(splitParamKey('train.n'), { file: 'params.yaml', key: 'train.n' });
  assert.deepEqual(splitParamKey('conf/x.yaml:a.b'), { file: 'conf/x.yaml', key: 'a.b' });
});
