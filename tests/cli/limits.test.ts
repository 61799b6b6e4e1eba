/**
 * Large or pathological inputs stay bounded (issue 11, item 6; docs/ml-data.md and
 * docs/pipelines.md, "Limits"): a huge cell is read once and cut in what is printed, a
 * row with more columns than the limit is one error line naming file and line, found
 * in the first megabytes rather than after reading the row. Sizes are smaller than issue
 * 11's to keep each test short on a loaded machine (a 10 MB cell, 200,000 columns, a
 * million fields: still several read chunks each); bench/limits.ts runs the full sizes
 * and prints CPU time and memory.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const dir = tempDir('mlv-limits-');
after(() => removeDir(dir));

/** Write `head`, then `count` times `unit`, then `tail`, in 4 MiB pieces (no giant string in the test). */
function bigFile(name: string, head: string, unit: string, count: number, tail: string): string {
  const p = join(dir, name);
  const fd = openSync(p, 'w');
  try {
    writeSync(fd, head);
    const per = Math.max(1, Math.floor((4 << 20) / unit.length));
    const block = unit.repeat(per);
    let left = count;
    for (; left >= per; left -= per) writeSync(fd, block);
    if (left) writeSync(fd, unit.repeat(left));
    writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
  return p;
}

test('explore of a CSV whose one cell is 10 MB: a report, the value cut in text and JSON', () => {
  const f = bigFile('one-cell.csv', 'text\n', 'a', 10_000_000, '\n');
  const r = mlv(dir, ['explore', f, '-o', 'report.json']);
  assert.equal(r.code, 0, r.stderr);
  const longest = Math.max(...r.stdout.split('\n').map((l) => l.length));
  assert.ok(longest < 1000, `no line of the report is longer than 1000 characters (longest ${longest})`);
  assert.match(r.stdout, /a{200}… \(10,000,000 chars, sha256 [0-9a-f]{12}\)/);
  const json = readFileSync(join(dir, 'report.json'), 'utf8');
  assert.ok(json.length < 10_000, `the JSON report is small (${json.length} characters)`);
  const report = JSON.parse(json);
  assert.equal(report.rows, 1);
  assert.equal(report.columns[0].distinct, 1);
  assert.match(report.columns[0].top[0].value, /^a{200}… \(10,000,000 chars, sha256 [0-9a-f]{12}\)$/);
});

test('long cells that differ only after the cut stay distinct', () => {
  const a = 'x'.repeat(5000);
  const p = bigFile('long-cells.csv', 'text\n', `${a}1\n${a}2\n${a}1\n`, 1, '');
  const r = mlv(dir, ['explore', p, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const col = JSON.parse(r.stdout).columns[0];
  assert.equal(col.distinct, 2);
  assert.deepEqual(col.top.map((t: { count: number }) => t.count), [2, 1]);
});

test('a header of 200,000 columns: one error line naming the file, line 1 and the limit', () => {
  let i = 0;
  const p = join(dir, 'wide.csv');
  const fd = openSync(p, 'w');
  try {
    for (let chunk = 0; chunk < 2; chunk++) {
      const names: string[] = [];
      for (let k = 0; k < 100_000; k++) names.push(`c${i++}`);
      writeSync(fd, (chunk ? ',' : '') + names.join(','));
    }
    writeSync(fd, '\n1\n');
  } finally {
    closeSync(fd);
  }
  for (const args of [['explore', p], ['train', p, '--target', 'c0', '-o', join(dir, 'm.json')]]) {
    const r = mlv(dir, args);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), `mlv: ${p}: line 1: more than 100,000 columns; mlv reads at most 100,000 (docs/ml-data.md, "Limits")`);
  }
});

test('a row of a million fields: the error names its line', () => {
  const p = bigFile('long-row.csv', 'a,b,c\n1,2,3\n', '1,', 1_000_000 - 1, '1\n');
  const r = mlv(dir, ['explore', p]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^mlv: .*long-row\.csv: line 3: more than 100,000 columns; mlv reads at most 100,000/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a 6 MB params.yaml whose stage uses one key: status and repro read only that entry; a file that cannot be cut is one error line', () => {
  const repo = makeRepo();
  try {
    mlvOk(repo, ['init']);
    const entry = (i: number, a: number) => `k${i}:\n  a: ${a}\n  b: [1, 2, 3]\n  c: "text value ${i}"\n`;
    const params = (changed: Record<number, number> = {}) => Array.from({ length: 100_000 }, (_, i) => entry(i, changed[i] ?? i)).join('');
    writeFileSync(join(repo, 'params.yaml'), params());
    writeFileSync(join(repo, 'mlv.yaml'), 'stages:\n  s:\n    cmd: echo run > out.txt\n    params: [k77.a]\n    outs: [out.txt]\n');
    assert.match(mlvOk(repo, ['status']).stdout, /stage s: never run/);
    mlvOk(repo, ['repro', '-q']);
    assert.match(mlvOk(repo, ['status']).stdout, /up to date/);
    writeFileSync(join(repo, 'params.yaml'), params({ 5000: -1 }));
    assert.match(mlvOk(repo, ['status']).stdout, /up to date/, 'an entry no stage uses does not matter');
    writeFileSync(join(repo, 'params.yaml'), params({ 77: -1 }));
    assert.match(mlvOk(repo, ['status']).stdout, /stage s: param k77\.a changed/);

    writeFileSync(join(repo, 'params.yaml'), params() + entry(5, 5));
    const dup = mlv(repo, ['status']);
    assert.equal(dup.code, 2, dup.stderr);
    assert.equal(dup.stderr.trim(), `mlv: params.yaml: 5.5 MiB of YAML that mlv cannot read by section ('k5' appears twice at the top); a params file is parsed whole only up to 2 MiB (docs/pipelines.md, "Limits")`);
  } finally {
    removeDir(repo);
  }
});
