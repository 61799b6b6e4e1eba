/**
 * Manifest canonical form: entries sorted by UTF-8 bytes (compared without encoding),
 * safe relative paths only, hashes in `sha256:<64 hex>` form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteOrder, isSafeRelativePath, parseManifest, serializeManifest, sortEntries } from '../../../src/store/manifest.js';
import { parseHash } from '../../../src/store/hash.js';

const H = 'ab'.repeat(32);

test('byteOrder agrees with Buffer.compare of the UTF-8 bytes, astral and private-use characters included', () => {
  const chars = ['a', 'b', '/', '.', 'é', '中', '\uffff', '\ue000', '\ud7ff', '😀', '𝔸', 'Z', '~', ' '];
  const strs: string[] = [];
  for (const a of chars) for (const b of chars) strs.push(a + b, a);
  let checked = 0;
  for (const x of strs) {
    for (const y of strs) {
      assert.equal(Math.sign(byteOrder(x, y)), Math.sign(Buffer.compare(Buffer.from(x), Buffer.from(y))), `${x} vs ${y}`);
      checked++;
    }
  }
  assert.ok(checked > 100_000);
});

test('serializeManifest is canonical whatever the input order', () => {
  const entries = ['b', 'a/b', 'a.c', '😀', '\ue000', 'a/a'].map((path, i) => ({ path, hash: H, size: i, exec: i % 2 === 0 }));
  const one = serializeManifest(entries);
  const two = serializeManifest([...entries].reverse());
  assert.equal(one, two);
  // '.' (0x2e) sorts before '/' (0x2f); U+E000 (EE 80 80) before U+1F600 (F0 9F 98 80).
  assert.deepEqual(parseManifest(one, 'm').map((e) => e.path), ['a.c', 'a/a', 'a/b', 'b', '\ue000', '😀']);
  const sorted = sortEntries(parseManifest(one, 'm'));
  assert.deepEqual(sorted.map((e) => e.size), [2, 5, 1, 0, 4, 3]);
  assert.throws(() => serializeManifest([entries[0], { ...entries[0] }]), /duplicate path b/);
});

test('isSafeRelativePath refuses absolute, empty, dot and dot-dot segments', () => {
  for (const ok of ['a', 'a/b', '.hidden', 'a/..b', 'a/b.', '...']) assert.ok(isSafeRelativePath(ok), ok);
  for (const bad of ['', '/a', 'a/', 'a//b', '.', '..', 'a/./b', 'a/../b', '../a', 'a/..', 'a\\b', 'a\0b']) assert.ok(!isSafeRelativePath(bad), JSON.stringify(bad));
});

test('parseHash accepts only sha256: (or a chunked file\'s sha256-chunks:) and 64 lower-case hex digits', () => {
  assert.equal(parseHash(`sha256:${H}`), H);
  assert.equal(parseHash(`sha256-chunks:${H}`), `sha256-chunks:${H}`);
  for (const bad of [H, `sha256:${H.toUpperCase()}`, `sha256:${H}0`, `sha256:${H.slice(1)}g`, `sha1:${H}`, `sha256-chunks:${H}0`, `sha256-chunks:${H.toUpperCase()}`, 42, undefined]) {
    assert.equal(parseHash(bad), undefined, String(bad));
  }
});

test('a manifest naming a chunked file is version 2; version 1 cannot name one', () => {
  const entries = [{ path: 'a', hash: H, size: 1, exec: false }];
  assert.match(serializeManifest(entries), /"version":1,/);
  const chunked = [...entries, { path: 'b', hash: `sha256-chunks:${H}`, size: 9, exec: false }];
  const text = serializeManifest(chunked);
  assert.match(text, /"version":2,/);
  assert.deepEqual(parseManifest(text, 'm'), chunked);
  assert.throws(() => parseManifest(text.replace('"version":2', '"version":1'), 'm'), /entry 1 \(b\) names a chunked file, which needs manifest version 2/);
});

test('parseManifest names the entry that is wrong', () => {
  const doc = (e: object) => JSON.stringify({ format: 'mlv-manifest', version: 1, entries: [{ path: 'ok', hash: `sha256:${H}`, size: 1, exec: false }, e] });
  assert.throws(() => parseManifest(doc({ path: 'x/../../etc', hash: `sha256:${H}`, size: 1 }), 'm.json'), /m\.json: entry 1 has an unsafe path/);
  assert.throws(() => parseManifest(doc({ path: 'x', hash: 'sha256:00', size: 1 }), 'm.json'), /entry 1 \(x\) has a bad hash/);
  assert.throws(() => parseManifest(doc({ path: 'x', hash: `sha256:${H}`, size: -1 }), 'm.json'), /entry 1 \(x\) has a bad size/);
});

test('parseManifest refuses a path listed twice and a file that is also a directory', () => {
  const entry = (path: string) => `{"path":${JSON.stringify(path)},"hash":"sha256:${H}","size":1,"exec":false}`;
  const doc = (...paths: string[]) => `{"format":"mlv-manifest","version":1,"entries":[${paths.map(entry).join(',')}]}`;
  assert.equal(parseManifest(doc('a', 'a.txt', 'b/c'), 'm').length, 3);
  assert.throws(() => parseManifest(doc('a', 'b', 'b'), 'd.mlv'), /^InputError: d\.mlv: entry 2 \(b\) is listed twice$/);
  assert.throws(() => parseManifest(doc('a', 'a.txt', 'a/b/c'), 'd.mlv'), /entry 2 \(a\/b\/c\) lies under a, which is a file/);
  assert.throws(() => parseManifest(doc('x/y', 'x/y/z'), 'd.mlv'), /lies under x\/y/);
});
