/**
 * YAML alias bombs (issue 11, item 5): each YAML file mlv reads gives one clear line
 * naming the file and exit 2, not an internal error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

/** Nine levels of ten aliases each: 10^9 values when expanded. */
function bomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

test('an alias bomb in params.yaml, mlv.lock, a pointer or .mlv/config is exit 2 naming the file', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'd'), 'data\n');
    mlvOk(dir, ['add', 'd']);
    const expect = (file: string) => {
      const r = mlv(dir, ['status']);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim(), `mlv: ${file}: too many YAML aliases (expanding them would exhaust memory); write the values out`);
    };
    const pointer = readFileSync(join(dir, 'd.mlv'), 'utf8');
    appendFileSync(join(dir, 'd.mlv'), bomb());
    expect('d.mlv');
    writeFileSync(join(dir, 'd.mlv'), pointer);

    const config = readFileSync(join(dir, '.mlv/config'), 'utf8');
    appendFileSync(join(dir, '.mlv/config'), bomb());
    expect('.mlv/config');
    writeFileSync(join(dir, '.mlv/config'), config);

    writeFileSync(join(dir, 'mlv.lock'), 'schema: 1\n' + bomb());
    expect('mlv.lock');
    rmSync(join(dir, 'mlv.lock'));

    writeFileSync(join(dir, 'params.yaml'), 'lr: 1\n' + bomb());
    writeFileSync(join(dir, 'mlv.yaml'), 'stages:\n  s:\n    cmd: echo x > o\n    params: [lr]\n    outs: [o]\n');
    expect('params.yaml');
    writeFileSync(join(dir, 'params.yaml'), 'lr: 1\n');
    mlvOk(dir, ['status']);
  } finally {
    removeDir(dir);
  }
});
