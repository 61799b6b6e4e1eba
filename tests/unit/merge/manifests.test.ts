import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeEntries } from '../../../src/merge/manifests.js';

const e = (path: string, hash: string, exec = false) => ({ path, hash: hash.repeat(64).slice(0, 64), size: 1, exec });

test('mergeEntries: one-sided changes, the same change on both sides, and conflicts', () => {
  const base = [e('a', '1'), e('b', '2'), e('c', '3'), e('d', '4')];
  const ours = [e('a', '5'), e('b', '2'), e('c', '3', true), e('d', '6'), e('new', '7')];
  const theirs = [e('a', '1'), e('c', '3', true), e('d', '8'), e('new', '7'), e('z', '9')];
  const m = mergeEntries(base, ours, theirs);
  // a: ours changed; b: theirs deleted; c: same exec change on both; d: both changed; new: same add; z: theirs added.
  assert.deepEqual(m.conflicts, ['d']);
  assert.deepEqual(m.entries.map((x) => [x.path, x.hash[0], x.exec]), [['a', '5', false], ['c', '3', true], ['new', '7', false], ['z', '9', false]]);
});

test('mergeEntries: changed against deleted, and a file against a directory of the same name, conflict', () => {
  const m = mergeEntries([e('a', '1')], [e('a', '2')], []);
  assert.deepEqual(m.conflicts, ['a']);
  const n = mergeEntries([], [e('x', '1')], [e('x/y', '2')]);
  assert.deepEqual(n.conflicts, ['x']);
});
