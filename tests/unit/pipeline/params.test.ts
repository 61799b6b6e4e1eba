import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, removeDir } from '../../helpers/repo.js';
import { parseParamValue, setParam, paramValues } from '../../../src/pipeline/params.js';

test('setParam keeps comments, retypes values, edits JSON files and refuses unknown keys', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'params.yaml'), '# top\ntrain:\n  # trees\n  n: "100"   # quoted\n  depth: 4\nname: rf\n');
    setParam(dir, 'train.n', parseParamValue('200'));
    setParam(dir, 'name', parseParamValue('gbm'));
    assert.equal(readFileSync(join(dir, 'params.yaml'), 'utf8'), '# top\ntrain:\n  # trees\n  n: 200 # quoted\n  depth: 4\nname: gbm\n');
    assert.deepEqual(paramValues(dir, [{ file: 'params.yaml', key: 'train.n' }], 'x'), { 'params.yaml': { 'train.n': 200 } });
    assert.throws(() => setParam(dir, 'train.lr', 0.1), /params\.yaml: no parameter 'train\.lr' to set/);
    assert.throws(() => setParam(dir, 'name.sub', 1, { create: true }), /goes through 'name', which is not a mapping/);
    writeFileSync(join(dir, 'conf.json'), '{"opt": {"lr": 0.1}}');
    setParam(dir, 'conf.json:opt.lr', 0.05);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'conf.json'), 'utf8')), { opt: { lr: 0.05 } });
    assert.throws(() => setParam(dir, 'missing.yaml:a', 1), /missing\.yaml: params file not found/);
  } finally {
    removeDir(dir);
  }
});
