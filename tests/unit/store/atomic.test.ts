import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../src/errors/index.js';
import { USER_OUTPUT, writeFileAtomic } from '../../../src/store/atomic.js';
import { tempDir } from '../../helpers/repo.js';

test('writeFileAtomic: text, bytes and pieces of text give the same file; nothing is left beside it', (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Pieces larger than one write, so the joining across writes is exercised.
  const pieces = Array.from({ length: 5 }, (_, i) => `${i}`.repeat(700_000) + '\n');
  const text = pieces.join('');
  writeFileAtomic(join(dir, 'a.txt'), text);
  writeFileAtomic(join(dir, 'b.txt'), Buffer.from(text));
  writeFileAtomic(join(dir, 'c.txt'), pieces.values());
  for (const f of ['a.txt', 'b.txt', 'c.txt']) assert.equal(readFileSync(join(dir, f), 'utf8'), text, f);
  writeFileAtomic(join(dir, 'c.txt'), ['short']);
  assert.equal(readFileSync(join(dir, 'c.txt'), 'utf8'), 'short', 'replaced');
  assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'b.txt', 'c.txt']);
});

test('writeFileAtomic: parent directories are made, unless the path is a user output', (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileAtomic(join(dir, 'x', 'y', 'z.json'), '{}\n', { mode: 0o600 });
  assert.equal(readFileSync(join(dir, 'x', 'y', 'z.json'), 'utf8'), '{}\n');
  assert.equal(statSync(join(dir, 'x', 'y', 'z.json')).mode & 0o777, 0o600);
  const out = join(dir, 'nodir', 'model.json');
  assert.throws(() => writeFileAtomic(out, ['{}'], USER_OUTPUT), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.message, `${out}: directory ${join(dir, 'nodir')} does not exist`);
    return true;
  });
  assert.equal(existsSync(join(dir, 'nodir')), false);
});

test('writeFileAtomic: a failing source of text leaves the old file and no temp file', (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'model.json');
  writeFileAtomic(file, 'old\n');
  function* failing(): Generator<string> {
    yield 'x'.repeat(2 << 20);
    throw new Error('fit went wrong');
  }
  assert.throws(() => writeFileAtomic(file, failing()), /fit went wrong/);
  assert.equal(readFileSync(file, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(dir), ['model.json']);
});
