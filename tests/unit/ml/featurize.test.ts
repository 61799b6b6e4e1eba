import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../../helpers/repo.js';
import { readCsv } from '../../../src/ml/csv.js';
import { featurizeFile, applyFeaturize, fitFeaturize, parseSpecText, parseExpr, readFeaturizeState } from '../../../src/ml/featurize/index.js';
import { compile } from '../../../src/ml/featurize/expr.js';
import { InputError } from '../../../src/errors/index.js';
import type { Frame } from '../../../src/ml/frame.js';

const FIX = join(ROOT, 'fixtures', 'ml');
const col = (f: Frame, name: string) => {
  const c = f.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name} in ${f.columns.map((x) => x.name).join(', ')}`);
  return Array.from(c.values as ArrayLike<unknown>);
};

test('the bike spec: date parts, join, crossed one-hot, imputation, scaling', async () => {
  const dir = tempDir('mlv-feat-');
  const out = join(dir, 'features.csv');
  const r = await featurizeFile(join(FIX, 'features.yaml'), join(FIX, 'bike.csv'), out);
  const f = await readCsv(out);
  const raw = await readCsv(join(FIX, 'bike.csv'));
  const weather = await readCsv(join(FIX, 'weather.csv'));
  assert.equal(f.nRows, raw.nRows);
  // Row 0 is 2023-01-01 00:00, a Sunday (pandas dayofweek 6), a weekend night.
  assert.equal(col(f, 'hour')[0], 0);
  assert.equal(col(f, 'hour')[13], 13);
  assert.equal(col(f, 'dow')[0], 6);
  assert.equal(col(f, 'dow')[24], 0);
  assert.equal(col(f, 'weekend')[0], 1);
  assert.equal(col(f, 'weekend')[24], 0);
  assert.equal(col(f, 'daytype_daypart_weekend-night')[0], 1);
  assert.equal(col(f, 'daytype_daypart_weekday-day')[24 + 9], 1);
  // Joined weather of day 2 lands on all of its 24 hours.
  assert.equal(col(f, 'temp_max')[30], col(weather, 'temp_max')[1]);
  // Target untouched; dropped and encoded columns gone.
  assert.deepEqual(col(f, 'rentals'), col(raw, 'rentals'));
  for (const gone of ['timestamp', 'day', 'season', 'weather', 'busy', 'daytype']) assert.ok(!r.outputs.includes(gone), gone);
  // Standard scaling: mean 0, population std 1; min-max in [0, 1].
  const t = col(f, 'temp') as number[];
  const mean = t.reduce((s, x) => s + x, 0) / t.length;
  const sd = Math.sqrt(t.reduce((s, x) => s + (x - mean) ** 2, 0) / t.length);
  assert.ok(Math.abs(mean) < 1e-9 && Math.abs(sd - 1) < 1e-9, `mean ${mean}, sd ${sd}`);
  const h = col(f, 'humidity') as number[];
  assert.equal(Math.min(...h), 0);
  assert.equal(Math.max(...h), 1);
  // Imputed: no missing values remain in any output column.
  for (const c of f.columns) assert.ok(Array.from(c.values as ArrayLike<unknown>).every((v) => v !== null && !Number.isNaN(v)), `${c.name} has gaps`);
  // One-hot rows sum to 1 for a column imputed by mode.
  const wc = ['clear', 'cloudy', 'rain', 'storm'].map((w) => col(f, `weather_${w}`) as number[]);
  for (let i = 0; i < f.nRows; i++) assert.equal(wc.reduce((s, c) => s + c[i], 0), 1);

  // The saved state replays the same transform on raw rows.
  const state = await readFeaturizeState(r.state_file);
  const again = applyFeaturize(state, raw);
  assert.deepEqual(again.columns.map((c) => c.name), f.columns.map((c) => c.name));
  for (const c of again.columns) {
    const want = col(f, c.name) as number[];
    (Array.from(c.values as ArrayLike<number>)).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12, `${c.name}[${i}]`));
  }
  // Canonical: keys sorted, stable bytes.
  const text = readFileSync(r.state_file, 'utf8');
  await featurizeFile(join(FIX, 'features.yaml'), join(FIX, 'bike.csv'), out);
  assert.equal(readFileSync(r.state_file, 'utf8'), text);
});

test('unseen categories: one-hot all zero, ordinal -1, frequency 0; missing target is fine', async () => {
  const dir = tempDir('mlv-feat-');
  writeFileSync(join(dir, 'train.csv'), 'color,size,shop,y\nred,S,a,1\nblue,M,a,0\nred,L,b,1\n');
  writeFileSync(join(dir, 'new.csv'), 'shop,size,color,extra\nz,XL,green,9\na,M,blue,9\n');
  const spec = parseSpecText(`target: y
steps:
  - encode:
      color: onehot
      size: {method: ordinal, categories: [S, M, L]}
      shop: frequency
`, join(dir, 'f.yaml'));
  const { state } = await fitFeaturize(spec, await readCsv(join(dir, 'train.csv')));
  const out = applyFeaturize(state, await readCsv(join(dir, 'new.csv')));
  assert.deepEqual(out.columns.map((c) => c.name), ['color_blue', 'color_red', 'size', 'shop']);
  assert.deepEqual(col(out, 'color_blue'), [0, 1]);
  assert.deepEqual(col(out, 'color_red'), [0, 0]);
  assert.deepEqual(col(out, 'size'), [-1, 1]);
  assert.deepEqual(col(out, 'shop'), [0, 2 / 3]);
});

test('unknown: error refuses unseen categories at apply time', async () => {
  const dir = tempDir('mlv-feat-');
  writeFileSync(join(dir, 'a.csv'), 'c\nx\ny\n');
  writeFileSync(join(dir, 'b.csv'), 'c\nq\n');
  const spec = parseSpecText('steps:\n  - encode:\n      c: {method: onehot, unknown: error}\n', 'f.yaml');
  const { state } = await fitFeaturize(spec, await readCsv(join(dir, 'a.csv')));
  assert.throws(() => applyFeaturize(state, { ...({} as Frame), columns: [{ name: 'c', type: 'categorical', values: ['q'] }], nRows: 1, source: 'b.csv' }),
    /b\.csv: column "c", row 1: unknown category "q"/);
});

test('personal data is refused unless allowed by name', async () => {
  const dir = tempDir('mlv-feat-');
  const rows = ['email,x,y'];
  for (let i = 0; i < 10; i++) rows.push(`p${i}@mail.org,${i},${i % 2}`);
  writeFileSync(join(dir, 'p.csv'), rows.join('\n'));
  const frame = await readCsv(join(dir, 'p.csv'));
  const keep = 'target: y\nsteps:\n  - scale: {x: standard}\n';
  await assert.rejects(fitFeaturize(parseSpecText(keep, 'f.yaml'), frame), /f\.yaml: column "email" looks like personal data \(email addresses\)/);
  await assert.rejects(fitFeaturize(parseSpecText('steps:\n  - encode: {email: frequency}\n', 'f.yaml'), frame), /f\.yaml:2: steps\[0\]\.encode\.email: column "email" looks like personal data/);
  const dropped = await fitFeaturize(parseSpecText(keep + '  - drop: [email]\n', 'f.yaml'), frame);
  assert.deepEqual(dropped.state.outputs, ['x', 'y']);
  const allowed = await fitFeaturize(parseSpecText('allow_personal: [email]\n' + keep, 'f.yaml'), frame);
  assert.deepEqual(allowed.state.outputs, ['email', 'x', 'y']);
});

test('spec errors name file, line and key', async () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => parseSpecText(text, 'spec.yaml'), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match((e as Error).message, re);
    return true;
  });
  bad('steps:\n  - derive:\n      h: {date_part: hours, of: t}\n', /^spec\.yaml:3: steps\[0\]\.derive\.h\.date_part: unknown value "hours"/);
  bad('steps:\n  - encode:\n      c: onehott\n', /^spec\.yaml:3: steps\[0\]\.encode\.c: unknown value "onehott" \(expected one of onehot, ordinal, frequency, hash\)/);
  bad('steps:\n  - scale: {a: standard}\n  - blend: [a]\n', /^spec\.yaml:3: steps\[1\]\.blend: unknown step/);
  bad('steps:\n  - derive:\n      z: {expr: "a * (b + "}\n', /^spec\.yaml:3: steps\[0\]\.derive\.z\.expr: expression ends too early/);
  bad('steps: [\n', /^spec\.yaml:\d+: /);
  bad('stepz: []\n', /^spec\.yaml:1: stepz: unknown key/);
  bad('steps:\n  - impute:\n      a: {method: constant}\n', /^spec\.yaml:3: steps\[0\]\.impute\.a: constant needs "value"/);

  const dir = tempDir('mlv-feat-');
  writeFileSync(join(dir, 'd.csv'), 'a,b\n1,x\n');
  const frame = await readCsv(join(dir, 'd.csv'));
  await assert.rejects(fitFeaturize(parseSpecText('steps:\n  - scale:\n      b: standard\n', 'spec.yaml'), frame),
    /^InputError: spec\.yaml:3: steps\[0\]\.scale\.b: standard scaling needs a number, boolean or date column; "b" is categorical/);
  await assert.rejects(fitFeaturize(parseSpecText('steps:\n  - derive:\n      c: {expr: "a + q"}\n', 'spec.yaml'), frame),
    /spec\.yaml:3: steps\[0\]\.derive\.c: no column "q" at this step/);
  await assert.rejects(fitFeaturize(parseSpecText('steps:\n  - join: {file: nowhere.csv, on: a}\n', join(dir, 'spec.yaml')), frame), /nowhere\.csv: no such file/);
});

test('join: duplicate keys are an error naming the line', async () => {
  const dir = tempDir('mlv-feat-');
  writeFileSync(join(dir, 'left.csv'), 'k,v\n1,2\n');
  writeFileSync(join(dir, 'right.csv'), 'k,w\n1,5\n2,6\n1,7\n');
  const spec = parseSpecText('steps:\n  - join: {file: right.csv, on: k}\n', join(dir, 'spec.yaml'));
  await assert.rejects(fitFeaturize(spec, await readCsv(join(dir, 'left.csv'))), /right\.csv: line 4: duplicate key "1" in join column "k" \(first on line 2\)/);
});

test('expressions: precedence, comparisons, functions, missing values', () => {
  const cols: Record<string, Float64Array> = { a: Float64Array.of(2, NaN), b: Float64Array.of(3, 1), 'with space': Float64Array.of(10, 10) };
  const ev = (src: string, i = 0) => compile(parseExpr(src), (n) => cols[n])(i);
  assert.equal(ev('a + b * 2'), 8);
  assert.equal(ev('(a + b) * 2'), 10);
  assert.equal(ev('-a ^ 2'), -4);
  assert.equal(ev('2 ** 3 ** 2'), 512);
  assert.equal(ev('a < b and not b == 4'), 1);
  assert.equal(ev('a > b or b >= 3'), 1);
  assert.equal(ev('max(a, b, 1) + sqrt(abs(-16)) + log(1)'), 7);
  assert.equal(ev('`with space` % 4'), 2);
  assert.ok(Number.isNaN(ev('a + 1', 1)));
  assert.ok(Number.isNaN(ev('a > 0', 1)));
  assert.throws(() => parseExpr('a +* b'), /unexpected "\*"/);
  assert.throws(() => parseExpr('eval(a)'), /unknown function "eval"/);
  // Names are only ever column lookups: there is nothing else to reach.
  assert.deepEqual(parseExpr('constructor'), { k: 'col', name: 'constructor' });
  assert.throws(() => parseExpr('a; b'), /unexpected character ";"/);
});

test('hash encoding: fixed width, same bucket for the same value, unseen values still land in a bucket', async () => {
  const spec = parseSpecText('version: 1\nsteps:\n  - encode:\n      city: {method: hash, buckets: 8}\n', 'spec.yaml');
  const cities = Array.from({ length: 200 }, (_, i) => `city-${i % 50}`);
  const frame: Frame = { nRows: cities.length, columns: [{ name: 'city', type: 'categorical', values: cities }] };
  const { frame: out, state } = await fitFeaturize(spec, frame);
  assert.deepEqual(out.columns.map((c) => c.name), Array.from({ length: 8 }, (_, k) => `city_h${k}`));
  const bucketOf = (f: Frame, i: number) => f.columns.findIndex((c) => (c.values as Float64Array)[i] === 1);
  for (let i = 0; i < cities.length; i++) {
    assert.equal(out.columns.reduce((s, c) => s + (c.values as Float64Array)[i], 0), 1, 'exactly one bucket per row');
    assert.equal(bucketOf(out, i), bucketOf(out, i % 50), 'the same value, the same bucket');
  }
  const used = new Set(Array.from({ length: 50 }, (_, i) => bucketOf(out, i)));
  assert.ok(used.size >= 6, `50 values spread over the 8 buckets (used ${used.size})`);
  const unseen: Frame = { nRows: 2, columns: [{ name: 'city', type: 'categorical', values: ['never-seen', null] }] };
  const applied = applyFeaturize(state, unseen);
  assert.equal(applied.columns.reduce((s, c) => s + (c.values as Float64Array)[0], 0), 1);
  assert.equal(applied.columns.reduce((s, c) => s + (c.values as Float64Array)[1], 0), 0, 'a missing value sets no bucket');
  assert.throws(() => parseSpecText('version: 1\nsteps:\n  - encode:\n      city: {method: hash, buckets: 1}\n', 'spec.yaml'), /spec\.yaml:4.*buckets must be a whole number from 2 to 65536/);
});
