/**
 * Wide data stays readable (issue 13 item 7): explore on 60 and 70 generated columns,
 * exp show on a project with 30 metrics, through the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

/** n rows: date (19800101 + 37 i), y (missing in 3 rows), lead ≈ y, f1 ≈ f2, `empty`, then noise columns up to `columns`. */
function wideCsv(columns: number, n = 40): string {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const head = ['date', 'y', 'lead', 'f1', 'f2', 'empty'];
  for (let c = head.length; c < columns; c++) head.push(`noise${c}`);
  const lines = [head.join(',')];
  for (let i = 0; i < n; i++) {
    const y = i % 5 === 4 && i < 15 ? '' : String(i % 3);
    const f1 = rand() * 10;
    const row = [String(19800101 + 37 * i), y, y === '' ? '1' : String(Number(y) * 2 + rand() * 0.01), f1.toFixed(3), (f1 * 3 + rand() * 0.01).toFixed(3), ''];
    for (let c = head.length - row.length; c > 0; c--) row.push((rand() * 100).toFixed(2));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

test('explore, 60 columns: strongest pairs instead of a matrix, integers in full, one warning per empty column, the target honest', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'wide.csv'), wideCsv(60));
    const text = mlvOk(dir, ['explore', 'wide.csv', '--target', 'y']).stdout;
    // 59 number columns with values (the empty one has none): 1711 pairs.
    assert.match(text, /most correlated pairs \(Pearson, 20 of 1711; --json has the 59×59 matrix\)/);
    assert.doesNotMatch(text, /correlation \(Pearson\)/, 'no matrix');
    const pairs = text.slice(text.indexOf('most correlated pairs')).split('\n\n')[0].split('\n').slice(1);
    assert.equal(pairs.length, 20);
    assert.ok(pairs.every((l) => l.length < 60), `pair lines are short:\n${pairs.join('\n')}`);
    assert.match(pairs[0], /^\s+(f1\s+f2|y\s+lead|lead\s+y)\s/, 'the strongest pair first');
    // 40 dates 19800101 + 37 i: median 19800822.5, mean too; min and max exact.
    const date = text.split('\n').find((l) => l.startsWith('date '))!;
    assert.match(date, /\b19800101\b/);
    assert.match(date, /\b19801544\b/);
    assert.match(date, /\b1980082[23]\b/, 'the median in full');
    assert.doesNotMatch(date, /19800000/);
    const warnings = text.slice(text.indexOf('\nwarnings')).split('\n').filter((l) => l.includes('!'));
    assert.equal(warnings.filter((l) => l.includes('empty')).length, 1, `one warning for the empty column:\n${warnings.join('\n')}`);
    assert.ok(warnings.some((l) => /y: the target is missing in 3 rows .*drop_missing: \[y\]/.test(l)), warnings.join('\n'));
    assert.ok(warnings.some((l) => /f1 and f2 are highly correlated/.test(l)), 'two features alike are flagged');
    assert.ok(!warnings.some((l) => /\blead\b.*\by\b|\by\b.*\blead\b/.test(l)), 'a feature that predicts the target is not a problem');

    const json = JSON.parse(mlvOk(dir, ['explore', 'wide.csv', '--target', 'y', '--json']).stdout);
    assert.equal(json.correlation.columns.length, 59);
    assert.equal(json.correlation.matrix.length, 59);
    assert.equal(json.correlation.matrix[0].length, 59);
    const kinds = json.warnings.map((w: { kind: string; columns: string[] }) => `${w.kind}:${w.columns.join('+')}`);
    assert.ok(kinds.includes('missing_target:y') && kinds.includes('empty:empty') && kinds.includes('high_correlation:f1+f2'), kinds.join(' '));
    assert.ok(!kinds.includes('high_missing:empty') && !kinds.includes('high_missing:y') && !kinds.includes('high_correlation:y+lead'), kinds.join(' '));
    assert.ok(!kinds.some((k: string) => k.startsWith('correlation_truncated')));

    // 70 number columns: the matrix covers 60, and the warning says so under its own kind.
    writeFileSync(join(dir, 'wider.csv'), wideCsv(70));
    const wider = JSON.parse(mlvOk(dir, ['explore', 'wider.csv', '--json']).stdout);
    assert.equal(wider.correlation.columns.length, 60);
    const cut = wider.warnings.filter((w: { kind: string }) => w.kind === 'correlation_truncated');
    assert.equal(cut.length, 1);
    assert.match(cut[0].message, /first 60 number columns/);
    assert.ok(!wider.warnings.some((w: { kind: string; columns: string[] }) => w.kind === 'high_correlation' && w.columns.length === 0));
  } finally {
    removeDir(dir);
  }
});

// 25 quality metrics and 5 cost ones: 30 columns, as a real training stage writes them.
const SCORE = `const fs = require('fs');
const k = Number(/k: (\\d+)/.exec(fs.readFileSync('params.yaml', 'utf8'))[1]);
const m = {};
for (let i = 0; i < 25; i++) m['m' + i] = (i + k) / 100;
m.cost = { train_seconds: 1.5 * k, model_bytes: 1000 * k, n_features: 10 + k, n_rows: 500, n_fits: 6 };
fs.writeFileSync('metrics.json', JSON.stringify(m));
`;

test('exp show, 30 metrics: cost columns out of the default table but the train time; --metrics/--params select by glob; --json keeps every column', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'mlv.yaml'), 'stages:\n  score:\n    cmd: node score.js\n    deps: [score.js, params.yaml]\n    metrics: [metrics.json]\n');
    writeFileSync(join(dir, 'score.js'), SCORE);
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  k: 1\n  depth: 3\nother:\n  x: 5\n');
    mlvOk(dir, ['repro']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'k=1']);

    const shown = mlvOk(dir, ['exp', 'show']);
    const head = shown.stdout.split('\n')[0];
    assert.match(head, /metrics\.json:cost\.train_seconds/);
    assert.doesNotMatch(head, /cost\.(model_bytes|n_features|n_rows|n_fits)/);
    assert.match(head, /metrics\.json:m24/);
    assert.match(shown.stderr, /4 cost column\(s\) not shown .*--metrics 'cost\.\*' shows them/);

    const some = mlvOk(dir, ['exp', 'show', '--metrics', 'm1*,cost.model_bytes', '--params', 'train.*']).stdout.split('\n')[0];
    const cols = some.split(/\s{2,}/).slice(2);
    assert.deepEqual(cols, ['train.depth', 'train.k', 'metrics.json:cost.model_bytes', 'metrics.json:m1',
      ...Array.from({ length: 10 }, (_, i) => `metrics.json:m1${i}`)]);
    assert.ok(some.length < 300, `${some.length} characters`);

    const all = JSON.parse(mlvOk(dir, ['exp', 'show', '--json']).stdout);
    assert.equal(all.metrics.length, 30);
    assert.equal(all.hidden, undefined);
    const costs = JSON.parse(mlvOk(dir, ['exp', 'show', '--json', '--metrics', 'metrics.json:cost.*']).stdout);
    assert.equal(costs.metrics.length, 5);

    const bad = mlv(dir, ['exp', 'show', '--metrics', 'acc*']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /^mlv: --metrics acc\*: matches no column \(there are 30: metrics\.json:cost\.model_bytes/);
  } finally {
    removeDir(dir);
  }
});
