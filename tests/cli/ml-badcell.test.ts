import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlv, removeDir, tempDir } from '../helpers/repo.js';

test('one text cell in a numeric column: train, featurize and explore name file, line, column and value', (t) => {
  const dir = tempDir('mlv-cli-badcell-');
  t.after(() => removeDir(dir));
  const lines = ['age,income,label'];
  for (let i = 0; i < 60; i++) lines.push(`${20 + (i % 40)},${1000 + i * 13},${i % 2}`);
  lines[30] = 'thirty,5000,1'; // physical line 31
  writeFileSync(join(dir, 'ages.csv'), lines.join('\n') + '\n');

  let r = mlv(dir, ['train', 'ages.csv', '--target', 'label', '-o', 'model.json']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'mlv: ages.csv: line 31, column "age": "thirty" is not a number (1 text value among 59 numbers); fix or blank the cell');
  assert.ok(!existsSync(join(dir, 'model.json')));

  writeFileSync(join(dir, 'spec.yaml'), 'version: 1\ntarget: label\nsteps:\n  - impute:\n      age: median\n');
  r = mlv(dir, ['featurize', '--spec', 'spec.yaml', 'ages.csv', '-o', 'f.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^mlv: ages\.csv: line 31, column "age": "thirty" is not a number \(1 text value among 59 numbers\), and steps\[0\]\.impute\.age \(median\) needs numbers/);
  assert.ok(!existsSync(join(dir, 'f.csv')));

  r = mlv(dir, ['explore', 'ages.csv', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const w = JSON.parse(r.stdout).warnings.find((x: { kind: string }) => x.kind === 'text_in_numbers');
  assert.deepEqual(w.columns, ['age']);
  assert.match(w.message, /1 text value makes it categorical \(first: "thirty" at line 31\)/);

  // A real text column with a few number-like values is not flagged, and train keeps its old advice.
  const words = ['city,label'];
  for (let i = 0; i < 30; i++) words.push(`${i % 7 === 0 ? String(i) : 'town' + (i % 3)},${i % 2}`);
  writeFileSync(join(dir, 'words.csv'), words.join('\n') + '\n');
  r = mlv(dir, ['explore', 'words.csv', '--json']);
  assert.ok(!JSON.parse(r.stdout).warnings.some((x: { kind: string }) => x.kind === 'text_in_numbers'));
  r = mlv(dir, ['train', 'words.csv', '--target', 'label']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /column "city" is not numeric; encode it/);
});
