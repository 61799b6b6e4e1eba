import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePointer, renderPointer } from '../../../src/repo/pointer.js';

const H = 'ab'.repeat(32);

test('a pointer is format 2 only when it names a chunked file, and reads back the same', () => {
  const blob = { kind: 'file' as const, hash: H, size: 5, files: 1 };
  assert.match(renderPointer(blob), /^format: 1$/m);
  const chunked = { kind: 'file' as const, hash: `sha256-chunks:${H}`, size: 9 << 20, files: 1, desc: 'a "big" one' };
  const text = renderPointer(chunked);
  assert.match(text, /^format: 2$/m);
  assert.match(text, new RegExp(`^hash: sha256-chunks:${H}$`, 'm'));
  assert.deepEqual(parsePointer(text, 'big.mlv'), chunked);
  // Hand-written (through YAML, not the canonical fast path): the same.
  assert.deepEqual(parsePointer(`format: 2\nkind: file\nhash: sha256-chunks:${H}\nsize: ${9 << 20}\nfiles: 1\ndesc: 'a "big" one'\n`, 'big.mlv'), chunked);
});

test('a format-1 pointer naming a chunked file, or format 3, is refused naming the file', () => {
  assert.throws(() => parsePointer(`format: 1\nkind: file\nhash: sha256-chunks:${H}\nsize: 1\nfiles: 1\n`, 'x.mlv'), /x\.mlv: a chunked file's hash \(sha256-chunks:\) needs format: 2/);
  assert.throws(() => parsePointer(`format: 3\nkind: file\nhash: sha256:${H}\nsize: 1\nfiles: 1\n`, 'x.mlv'), /x\.mlv: pointer format 3 is not supported/);
});
