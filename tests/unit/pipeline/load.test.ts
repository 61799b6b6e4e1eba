import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePipeline } from '../../../src/pipeline/load.js';
import { selectStages } from '../../../src/pipeline/graph.js';
import { InputError } from '../../../src/errors/index.js';

const parse = (text: string, exists: (p: string) => boolean = () => true) => parsePipeline(text, 'mlv.yaml', '/repo', exists);

function fails(text: string, pattern: RegExp, exists?: (p: string) => boolean): InputError {
  try {
    parse(text, exists);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`no error for:\n${text}`);
}

test('stages, options and wdir-relative paths are read', () => {
  const p = parse(`stages:
  prepare:
    cmd: [python prep.py, echo done]
    wdir: src
    deps: [../data/raw.csv, prep.py]
    params: [prep.split, conf.json:seed, { other.yaml: [a.b, c] }]
    outs:
      - ../data/prepared
      - ckpt: { persist: true, cache: false }
  train:
    cmd: python train.py
    deps: [data/prepared]
    metrics:
      - scores.json: { tolerance: { auc: 0.001 } }
    frozen: true
`);
  const prep = p.stages.get('prepare')!;
  assert.deepEqual(prep.cmd, ['python prep.py', 'echo done']);
  assert.equal(prep.wdir, 'src');
  assert.deepEqual(prep.deps, ['data/raw.csv', 'src/prep.py']);
  assert.deepEqual(prep.params, [
    { file: 'src/params.yaml', key: 'prep.split' },
    { file: 'src/conf.json', key: 'seed' },
    { file: 'src/other.yaml', key: 'a.b' },
    { file: 'src/other.yaml', key: 'c' },
  ]);
  assert.deepEqual(prep.outs, [
    { path: 'data/prepared', cache: true, persist: false },
    { path: 'src/ckpt', cache: false, persist: true },
  ]);
  const train = p.stages.get('train')!;
  assert.deepEqual(train.metrics, [{ path: 'scores.json', cache: false, persist: false, tolerance: { auc: 0.001 } }]);
  assert.equal(train.frozen, true);
  assert.deepEqual(p.order, ['prepare', 'train']);
  assert.deepEqual([...p.upstream.get('train')!], ['prepare']);
  assert.equal(train.where, 'mlv.yaml:10');
});

test('order puts upstream first even when declared later; targets pull in upstream only', () => {
  const p = parse(`stages:
  c: { cmd: x, deps: [b.out], outs: [c.out] }
  b: { cmd: x, deps: [a.out], outs: [b.out] }
  a: { cmd: x, outs: [a.out] }
  z: { cmd: x, outs: [z.out] }
`);
  assert.deepEqual(p.order, ['a', 'b', 'c', 'z']);
  assert.deepEqual(selectStages(p, ['b']), ['a', 'b']);
});

test('a dependency inside another stage\'s output directory is an edge', () => {
  const p = parse(`stages:
  make: { cmd: x, outs: [data] }
  use: { cmd: x, deps: [data/part.csv], outs: [o] }
`, (f) => f !== 'data/part.csv');
  assert.deepEqual([...p.upstream.get('use')!], ['make']);
});

test('unknown keys are named with their line', () => {
  const e = fails(`stages:
  train:
    cmd: x
    outz: [model]
`, /^mlv\.yaml:4: unknown key 'outz' in stage 'train'/);
  assert.equal(e.data.key, 'outz');
  fails('stage:\n  a: {cmd: x}\n', /^mlv\.yaml:1: unknown key 'stage'/);
  fails('stages:\n  a:\n    cmd: x\n    outs:\n      - m: { cash: false }\n', /^mlv\.yaml:5: .*unknown option 'cash' for 'm'/);
});

test('a cycle is an error naming the stages in it', () => {
  fails(`stages:
  a: { cmd: x, deps: [b.out], outs: [a.out] }
  b: { cmd: x, deps: [a.out], outs: [b.out] }
`, /mlv\.yaml:\d+: the stages form a cycle: (a → b → a|b → a → b)/);
});

test('two stages writing one output, or overlapping outputs, is an error', () => {
  fails(`stages:
  a: { cmd: x, outs: [model.bin] }
  b: { cmd: y, outs: [model.bin] }
`, /^mlv\.yaml:3: stages 'a' and 'b' both write 'model\.bin'/);
  fails(`stages:
  a: { cmd: x, outs: [out] }
  b: { cmd: y, metrics: [out/m.json] }
`, /both write 'out' and 'out\/m\.json'/);
});

test('a stage depending on its own output is an error', () => {
  fails(`stages:
  a:
    cmd: x
    deps: [model.bin]
    outs: [model.bin]
`, /^mlv\.yaml:2: stage 'a' depends on 'model\.bin', which is its own output/);
});

test('a dependency that is neither on disk nor produced is an error', () => {
  fails(`stages:
  a: { cmd: x, deps: [nothere.csv], outs: [o] }
`, /^mlv\.yaml:2: stage 'a' depends on 'nothere\.csv', which does not exist and no stage produces/, () => false);
});

test('bad values: cmd, paths outside the repo, YAML syntax', () => {
  fails('stages:\n  a: { deps: [x] }\n', /mlv\.yaml:2: stage 'a': 'cmd' must be/);
  fails('stages:\n  a: { cmd: x, outs: [../../etc/passwd] }\n', /outside the repository/);
  fails('stages:\n  a: { cmd: x\n', /^mlv\.yaml:\d+: bad YAML/);
  fails('stages:\n  a: { cmd: x, frozen: yes-please }\n', /'frozen' must be true or false/);
});
