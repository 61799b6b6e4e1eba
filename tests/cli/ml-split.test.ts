import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, mlv, removeDir, tempDir } from '../helpers/repo.js';

const FIX = join(ROOT, 'fixtures', 'ml');

/** Data rows of a CSV written by split (no quoted newlines in these files). */
const rows = (file: string): string[] => readFileSync(file, 'utf8').trimEnd().split('\n').slice(1);

test('split: random sizes, byte-identical per seed, every input row exactly once', (t) => {
  const dir = tempDir('mlv-cli-split-');
  t.after(() => removeDir(dir));
  const r = mlv(dir, ['split', join(FIX, 'bike.csv'), '-o', 'a.csv', 'b.csv', '--test-size', '0.25', '--seed', '7', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const input = rows(join(FIX, 'bike.csv'));
  assert.equal(report.rows, input.length);
  assert.equal(report.test.rows, Math.round(input.length * 0.25));
  assert.equal(report.train.rows + report.test.rows, input.length);
  const a = rows(join(dir, 'a.csv')), b = rows(join(dir, 'b.csv'));
  assert.equal(a.length, report.train.rows);
  assert.equal(b.length, report.test.rows);
  // Cells are copied as text and each side keeps the input's order.
  assert.deepEqual([...a, ...b].sort(), [...input].sort());
  assert.deepEqual(a, input.filter((l) => a.includes(l)));
  assert.equal(readFileSync(join(dir, 'a.csv'), 'utf8').split('\n')[0], readFileSync(join(FIX, 'bike.csv'), 'utf8').split(/\r?\n/)[0]);

  assert.equal(mlv(dir, ['split', join(FIX, 'bike.csv'), '-o', 'c.csv', 'd.csv', '--test-size', '0.25', '--seed', '7']).code, 0);
  assert.ok(readFileSync(join(dir, 'a.csv')).equals(readFileSync(join(dir, 'c.csv'))));
  assert.ok(readFileSync(join(dir, 'b.csv')).equals(readFileSync(join(dir, 'd.csv'))));
  assert.equal(mlv(dir, ['split', join(FIX, 'bike.csv'), '-o', 'e.csv', 'f.csv', '--test-size', '0.25', '--seed', '8']).code, 0);
  assert.notDeepEqual(rows(join(dir, 'f.csv')), b);
});

test('split --stratify keeps every class within one row of its exact share', (t) => {
  const dir = tempDir('mlv-cli-split-');
  t.after(() => removeDir(dir));
  // Unbalanced classes: 37 a, 11 b, 5 c, 2 d.
  const counts: Record<string, number> = { a: 37, b: 11, c: 5, d: 2 };
  const lines = ['id,x,label'];
  let id = 0;
  for (const [c, n] of Object.entries(counts)) for (let i = 0; i < n; i++) lines.push(`${id++},${(id * 7) % 13},${c}`);
  writeFileSync(join(dir, 'u.csv'), lines.join('\n') + '\n');
  const r = mlv(dir, ['split', 'u.csv', '-o', 'tr.csv', 'te.csv', '--stratify', 'label', '--test-size', '0.3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const te = rows(join(dir, 'te.csv')), tr = rows(join(dir, 'tr.csv'));
  assert.equal(te.length + tr.length, 55);
  for (const [c, n] of Object.entries(counts)) {
    const inTest = te.filter((l) => l.endsWith(',' + c)).length;
    assert.ok(Math.abs(inTest - n * 0.3) < 1, `class ${c}: ${inTest} test rows for ${n * 0.3} exact`);
    assert.ok(tr.some((l) => l.endsWith(',' + c)), `class ${c} keeps training rows`);
    assert.equal(report.test.classes[c], inTest);
    assert.equal(report.train.classes[c], n - inTest);
  }
  const text = mlv(dir, ['split', 'u.csv', '-o', 'tr.csv', 'te.csv', '--stratify', 'label', '--test-size', '0.3']);
  assert.match(text.stdout, /^a\s+26 \(/m);
});

test('split --group keeps each group on one side; --order-by puts the latest rows in test', (t) => {
  const dir = tempDir('mlv-cli-split-');
  t.after(() => removeDir(dir));
  const lines = ['customer,visit,spend'];
  for (let i = 0; i < 200; i++) lines.push(`c${(i * 37) % 23},2024-01-${String(1 + (i % 28)).padStart(2, '0')},${i}`);
  writeFileSync(join(dir, 'v.csv'), lines.join('\n') + '\n');
  let r = mlv(dir, ['split', 'v.csv', '-o', 'tr.csv', 'te.csv', '--group', 'customer', '--seed', '4', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const groupsOf = (f: string) => new Set(rows(join(dir, f)).map((l) => l.split(',')[0]));
  const trG = groupsOf('tr.csv'), teG = groupsOf('te.csv');
  assert.deepEqual([...trG].filter((g) => teG.has(g)), []);
  assert.equal(trG.size + teG.size, 23);
  assert.equal(report.test.groups, teG.size);
  // Whole groups of ~8.7 rows: the test side lands within one group of 40 rows.
  assert.ok(Math.abs(report.test.rows - 40) <= 9, `test rows ${report.test.rows}`);

  r = mlv(dir, ['split', 'v.csv', '-o', 'tr.csv', 'te.csv', '--order-by', 'visit', '--test-size', '0.1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const ord = JSON.parse(r.stdout);
  const dates = (f: string) => rows(join(dir, f)).map((l) => l.split(',')[1]);
  const trMax = dates('tr.csv').sort().at(-1)!, teMin = dates('te.csv').sort()[0];
  assert.equal(dates('te.csv').length, 20);
  assert.ok(trMax <= teMin, `train ends ${trMax}, test starts ${teMin}`);
  assert.equal(ord.train.range.max, trMax);
  assert.equal(ord.test.range.min, teMin);

  r = mlv(dir, ['split', 'v.csv', '-o', 'tr.csv', 'te.csv', '--order-by', 'spend', '--test-size', '0.1']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(rows(join(dir, 'te.csv')).map((l) => Number(l.split(',')[2])), Array.from({ length: 20 }, (_, i) => 180 + i));
});

test('split: bad input is one clear line, exit 2, nothing written', (t) => {
  const dir = tempDir('mlv-cli-split-');
  t.after(() => removeDir(dir));
  writeFileSync(join(dir, 'd.csv'), 'x,label,when\n1,a,2024-01-01\n2,a,2024-01-02\n3,b,2024-01-03\n4,a,soon\n');
  const cases: Array<[string[], RegExp]> = [
    [['--stratify', 'kind'], /d\.csv: line 1: no column "kind" \(columns: x, label, when\)/],
    [['--test-size', '0'], /--test-size must be strictly between 0 and 1, not 0/],
    [['--test-size', '1'], /--test-size must be strictly between 0 and 1, not 1/],
    [['--test-size', 'half'], /--test-size must be a number between 0 and 1, not "half"/],
    [['--stratify', 'label'], /d\.csv: column "label": class "b" has only 1 row \(line 4\); stratifying needs at least 2 per class/],
    [['--order-by', 'when'], /d\.csv: line 5, column "when": "soon" is not a date/],
    [['--group', 'x', '--order-by', 'x'], /use at most one of --stratify, --group and --order-by/],
    [['--seed', '-1'], /--seed must be a non-negative integer/],
  ];
  for (const [flags, msg] of cases) {
    const r = mlv(dir, ['split', 'd.csv', '-o', 'tr.csv', 'te.csv', ...flags]);
    assert.equal(r.code, 2, flags.join(' '));
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(join(dir, 'tr.csv')) && !existsSync(join(dir, 'te.csv')), flags.join(' '));
  }
  const r = mlv(dir, ['split', 'd.csv', '-o', 'd.csv', 'te.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /overwrite the input d\.csv/);
  assert.equal(mlv(dir, ['split', 'nope.csv', '-o', 'tr.csv', 'te.csv']).stderr.trim(), 'mlv: nope.csv: no such file');
});

test('held-out pipeline: split → featurize (fit on train) → featurize --apply (test) → train → predict → evaluate', (t) => {
  const dir = tempDir('mlv-cli-split-');
  t.after(() => removeDir(dir));
  const ok = (args: string[]) => {
    const r = mlv(dir, args);
    assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
    return r;
  };
  ok(['split', join(FIX, 'bike.csv'), '-o', 'train.csv', 'test.csv', '--order-by', 'timestamp', '--test-size', '0.2']);
  ok(['featurize', '--spec', join(FIX, 'features.yaml'), 'train.csv', '-o', 'train.features.csv']);
  const applied = ok(['featurize', '--apply', 'train.features.csv.featurize.json', 'test.csv', '-o', 'test.features.csv', '--json']);
  assert.equal(JSON.parse(applied.stdout).rows, rows(join(dir, 'test.csv')).length);
  // Same columns, and the fitted scales come from the training rows only: the test
  // rows' standardised temperature is not centred on 0 (April is warmer than January–March).
  const head = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n')[0];
  assert.equal(head('test.features.csv'), head('train.features.csv'));
  const temps = (f: string) => {
    const [h, ...body] = readFileSync(join(dir, f), 'utf8').trimEnd().split('\n');
    const k = h.split(',').indexOf('temp');
    return body.map((l) => Number(l.split(',')[k]));
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean(temps('train.features.csv'))) < 1e-9);
  assert.ok(mean(temps('test.features.csv')) > 0.5, `test temp mean ${mean(temps('test.features.csv'))}`);

  ok(['train', 'train.features.csv', '--target', 'rentals', '--algorithm', 'random_forest', '-p', 'n_estimators=20', '-o', 'model.json']);
  // The model carries the fitted transform: predict reads the raw test rows.
  ok(['predict', 'model.json', 'test.csv', '-o', 'preds.csv']);
  const ev = JSON.parse(ok(['evaluate', 'preds.csv', '--task', 'regression', '--json']).stdout);
  assert.ok(ev.r2 > 0.3 && ev.r2 < 1, `held-out r2 ${ev.r2}`);
  // Replaying the transform by hand gives the same predictions.
  ok(['predict', 'model.json', 'test.features.csv', '--no-featurize', '-o', 'preds2.csv']);
  assert.equal(readFileSync(join(dir, 'preds2.csv'), 'utf8'), readFileSync(join(dir, 'preds.csv'), 'utf8'));
});
