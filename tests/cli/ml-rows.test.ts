import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const FIX = join(ROOT, 'fixtures', 'ml');
const csvRows = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(','));

const runner = (dir: string) => (args: string[]) => mlvOk(dir, args);

test('a weekly series with gaps: drop_missing [co2] reports what it dropped, then split → featurize → train → predict → evaluate on the latest rows', (t) => {
  const dir = tempDir('mlv-cli-rows-');
  t.after(() => removeDir(dir));
  const ok = runner(dir);
  // Without a row step, train stops at the first missing target and says what to do.
  const raw = mlv(dir, ['train', join(FIX, 'co2.csv'), '--target', 'co2']);
  assert.equal(raw.code, 2);
  assert.match(raw.stderr, /co2\.csv:\d+: the target "co2" is missing; drop such rows first \(a featurize step `drop_missing: \[co2\]`\)/);

  ok(['split', join(FIX, 'co2.csv'), '-o', 'train.csv', 'test.csv', '--order-by', 'date']);
  const missingIn = (f: string) => csvRows(join(dir, f)).filter((r) => r[1] === '').length;
  const trainRows = csvRows(join(dir, 'train.csv')).length;
  const testRows = csvRows(join(dir, 'test.csv')).length;
  const gapsTrain = missingIn('train.csv');
  const gapsTest = missingIn('test.csv');
  assert.ok(gapsTrain > 10 && gapsTest > 0, `gaps ${gapsTrain}/${gapsTest}`);

  const f = ok(['featurize', '--spec', join(FIX, 'co2.yaml'), 'train.csv', '-o', 'train.f.csv', '--json']);
  assert.ok(f.stderr.includes(`drop_missing [co2]: dropped ${gapsTrain} of ${trainRows} rows`), f.stderr);
  const fj = JSON.parse(f.stdout);
  assert.deepEqual(fj.row_steps, [{ step: 'drop_missing [co2]', dropped: gapsTrain, of: trainRows }]);
  assert.equal(fj.rows, trainRows - gapsTrain);
  assert.equal(csvRows(join(dir, 'train.f.csv')).length, trainRows - gapsTrain);
  const state = JSON.parse(readFileSync(join(dir, 'train.f.csv.featurize.json'), 'utf8'));
  assert.equal(state.version, 2);
  assert.deepEqual(state.steps[0], { drop_missing: { columns: ['co2'], dropped: gapsTrain } });

  ok(['train', 'train.f.csv', '--target', 'co2', '--algorithm', 'linear', '-o', 'model.json']);
  // The label's part of the row step is replayed on the test rows: unmeasured weeks cannot be scored.
  const p = ok(['predict', 'model.json', 'test.csv', '-o', 'preds.csv', '--json']);
  assert.match(p.stderr, new RegExp(`drop_missing \\[co2\\]: dropped ${gapsTest} of ${testRows} rows`));
  assert.equal(JSON.parse(p.stdout).rows, testRows - gapsTest);
  const ev = JSON.parse(ok(['evaluate', 'preds.csv', '--task', 'regression', '--json']).stdout);
  assert.ok(ev.r2 > 0.8, `held-out r2 ${ev.r2}`);
  // featurize --apply replays the same part.
  const a = ok(['featurize', '--apply', 'train.f.csv.featurize.json', 'test.csv', '-o', 'test.f.csv']);
  assert.match(a.stderr, new RegExp(`drop_missing \\[co2\\]: dropped ${gapsTest} of ${testRows} rows`));
  assert.equal(csvRows(join(dir, 'test.f.csv')).length, testRows - gapsTest);
  // Rows to predict (no label): every row gets a prediction.
  writeFileSync(join(dir, 'dates.csv'), 'date\n' + csvRows(join(dir, 'test.csv')).map((r) => r[0]).join('\n') + '\n');
  const np = ok(['predict', 'model.json', 'dates.csv', '-o', 'future.csv']);
  assert.doesNotMatch(np.stderr, /dropped/);
  assert.equal(csvRows(join(dir, 'future.csv')).length, testRows);
});

test('filter and drop_missing: exact dropped counts; only the label part is replayed at predict time', (t) => {
  const dir = tempDir('mlv-cli-rows-');
  t.after(() => removeDir(dir));
  const ok = runner(dir);
  const lines = ['age,hours,score,grade'];
  for (let i = 0; i < 120; i++) {
    const age = 14 + (i * 7) % 40;
    const hours = i % 11 === 3 ? '' : String((i * 13) % 50);
    const score = i % 9 === 0 ? 'NA' : String(age + (i % 5));
    lines.push(`${age},${hours},${score},${i % 3 === 0 ? 'a' : 'b'}`);
  }
  writeFileSync(join(dir, 'd.csv'), lines.join('\n') + '\n');
  const rows = lines.slice(1).map((l) => l.split(','));
  // Expected: filter age >= 18 (a missing age would count as false; none here), then
  // drop_missing all on what remains (hours empty or score NA), then a label-only filter.
  const adult = rows.filter((r) => Number(r[0]) >= 18);
  const complete = adult.filter((r) => r[1] !== '' && r[2] !== 'NA');
  const passing = complete.filter((r) => Number(r[2]) > 20);
  writeFileSync(join(dir, 'spec.yaml'), [
    'version: 1', 'target: score', 'steps:',
    '  - filter: "age >= 18"', '  - drop_missing: all', '  - filter: "score > 20"',
    '  - encode:', '      grade: onehot', '',
  ].join('\n'));
  const f = ok(['featurize', '--spec', 'spec.yaml', 'd.csv', '-o', 'f.csv']);
  assert.match(f.stderr, new RegExp(`filter "age >= 18": dropped ${rows.length - adult.length} of ${rows.length} rows`));
  assert.match(f.stderr, new RegExp(`drop_missing all: dropped ${adult.length - complete.length} of ${adult.length} rows`));
  assert.match(f.stderr, new RegExp(`filter "score > 20": dropped ${complete.length - passing.length} of ${complete.length} rows`));
  assert.ok(rows.length - adult.length > 0 && adult.length - complete.length > 0 && complete.length - passing.length > 0);
  assert.deepEqual(csvRows(join(dir, 'f.csv')).map((r) => r[0]), passing.map((r) => r[0]));
  const state = JSON.parse(readFileSync(join(dir, 'f.csv.featurize.json'), 'utf8'));
  assert.deepEqual(state.steps.slice(0, 3), [
    { filter: { expr: 'age >= 18', dropped: rows.length - adult.length } },
    { drop_missing: { columns: 'all', dropped: adult.length - complete.length } },
    { filter: { expr: 'score > 20', dropped: complete.length - passing.length } },
  ]);
  // The filter's column is not an input the transform needs at predict time by itself.
  assert.deepEqual(Object.keys(state.inputs).sort(), ['age', 'grade', 'hours']);

  ok(['train', 'f.csv', '--target', 'score', '--task', 'regression', '--algorithm', 'linear', '-o', 'm.json']);
  // Replayed on labelled rows: drop_missing's label part (score NA) and the label-only
  // filter; not the age filter, and not the missing hours (those rows would need imputing).
  const labelled = rows.filter((r) => r[1] !== '');
  writeFileSync(join(dir, 'lab.csv'), 'age,hours,score,grade\n' + labelled.map((r) => r.join(',')).join('\n') + '\n');
  const p = ok(['predict', 'm.json', 'lab.csv', '-o', 'p.csv']);
  const withScore = labelled.filter((r) => r[2] !== 'NA');
  const kept = withScore.filter((r) => Number(r[2]) > 20);
  assert.match(p.stderr, new RegExp(`drop_missing all: dropped ${labelled.length - withScore.length} of ${labelled.length} rows`));
  assert.match(p.stderr, new RegExp(`filter "score > 20": dropped ${withScore.length - kept.length} of ${withScore.length} rows`));
  assert.doesNotMatch(p.stderr, /age >= 18/);
  assert.deepEqual(csvRows(join(dir, 'p.csv')).map((r) => Number(r[0])), kept.map((r) => Number(r[2])));
  assert.ok(kept.some((r) => Number(r[0]) < 18), 'minors are predicted');

  // Bad row steps: one line naming the spec line and key.
  writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nsteps:\n  - drop_missing: []\n');
  let r = mlv(dir, ['featurize', '--spec', 'bad.yaml', 'd.csv', '-o', 'bad.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^mlv: bad\.yaml:3: steps\[0\]\.drop_missing: expected a list of columns, or "all"\n$/);
  writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nsteps:\n  - filter: "ages > 1"\n');
  r = mlv(dir, ['featurize', '--spec', 'bad.yaml', 'd.csv', '-o', 'bad.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml:3: steps\[0\]\.filter: no column "ages" at this step \(columns: age, hours, score, grade\)/);
  writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nsteps:\n  - filter: "grade > 1"\n');
  r = mlv(dir, ['featurize', '--spec', 'bad.yaml', 'd.csv', '-o', 'bad.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /steps\[0\]\.filter: filter "grade > 1" needs a number, boolean or date column; "grade" is categorical/);
  assert.ok(!existsSync(join(dir, 'bad.csv')));
});

test('a derived target by bucket: its source leaves the features; predict with and without it', (t) => {
  const dir = tempDir('mlv-cli-rows-');
  t.after(() => removeDir(dir));
  const ok = runner(dir);
  const lines = ['years,happy,affairs'];
  for (let i = 0; i < 240; i++) {
    const years = 1 + (i * 7) % 20, happy = 1 + (i * 3) % 5;
    const affairs = i % 31 === 5 ? '' : String(years > 8 && happy < 3 ? 1 + (i % 8) : 0);
    lines.push(`${years},${happy},${affairs}`);
  }
  writeFileSync(join(dir, 's.csv'), lines.join('\n') + '\n');
  const unknown = lines.slice(1).filter((l) => l.endsWith(',')).length;
  writeFileSync(join(dir, 'spec.yaml'), 'version: 1\ntarget: {name: band, bucket: affairs, edges: [1, 5], labels: [none, few, many]}\nsteps:\n  - drop_missing: [band]\n  - drop: [affairs]\n');
  const f = JSON.parse(ok(['featurize', '--spec', 'spec.yaml', 's.csv', '-o', 'f.csv', '--json']).stdout);
  assert.deepEqual(f.outputs, ['years', 'happy', 'band']);
  assert.deepEqual(f.inputs.sort(), ['happy', 'years']);
  assert.equal(f.row_steps[0].dropped, unknown);
  const want = lines.slice(1).filter((l) => !l.endsWith(',')).map((l) => {
    const a = Number(l.split(',')[2]);
    return a < 1 ? 'none' : a < 5 ? 'few' : 'many';
  });
  assert.deepEqual(csvRows(join(dir, 'f.csv')).map((r) => r[2]), want);
  const state = JSON.parse(readFileSync(join(dir, 'f.csv.featurize.json'), 'utf8'));
  assert.deepEqual(state.target_derive, { bucket: 'affairs', edges: [1, 5], labels: ['none', 'few', 'many'] });
  assert.equal(state.target_expr, undefined);

  ok(['train', 'f.csv', '--target', 'band', '--algorithm', 'decision_tree', '-o', 'm.json']);
  ok(['predict', 'm.json', 's.csv', '-o', 'p.csv']);
  const p = csvRows(join(dir, 'p.csv'));
  assert.deepEqual(p.map((r) => r[0]), want);
  writeFileSync(join(dir, 'new.csv'), lines.map((l) => l.split(',').slice(0, 2).join(',')).join('\n') + '\n');
  ok(['predict', 'm.json', 'new.csv', '-o', 'np.csv']);
  const np = readFileSync(join(dir, 'np.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(np[0].split(',')[0], 'y_pred');
  assert.equal(np.length, lines.length);

  // The source is for the label only: a row step must select by the label instead.
  writeFileSync(join(dir, 'leak.yaml'), 'version: 1\ntarget: {name: band, bucket: affairs, edges: [1, 5]}\nsteps:\n  - filter: "affairs > 0"\n');
  const r = mlv(dir, ['featurize', '--spec', 'leak.yaml', 's.csv', '-o', 'leak.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /leak\.yaml:4: steps\[0\]\.filter: column "affairs" is read only to make the target "band" \(target\.bucket\) and has left the table; select rows by the target "band" instead/);
  // A spec without row steps or target_derive still writes a version 1 state.
  writeFileSync(join(dir, 'plain.yaml'), 'version: 1\ntarget: {name: had, expr: "affairs > 0"}\nsteps:\n  - drop: [affairs]\n');
  ok(['featurize', '--spec', 'plain.yaml', 's.csv', '-o', 'plain.csv']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'plain.csv.featurize.json'), 'utf8')).version, 1);
});

test('a row step that drops every row is one line naming the spec file, line and step, exit 2, nothing written', (t) => {
  const dir = tempDir('mlv-cli-rows-');
  t.after(() => removeDir(dir));
  writeFileSync(join(dir, 'iris.csv'), readFileSync(join(FIX, 'iris.csv')));
  writeFileSync(join(dir, 'none.yaml'), 'version: 1\ntarget: species\nsteps:\n  - drop: [sepal_width_cm]\n  - filter: "sepal_length_cm > 100"\n');
  const r = mlv(dir, ['featurize', '--spec', 'none.yaml', 'iris.csv', '-o', 'out.csv']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim(), 'mlv: none.yaml:5: steps[1].filter: filter "sepal_length_cm > 100" drops every row (150 of 150 in iris.csv); nothing is left to fit on');
  assert.equal(r.stdout, '');
  assert.ok(!existsSync(join(dir, 'out.csv')) && !existsSync(join(dir, 'out.csv.featurize.json')), 'nothing written');

  writeFileSync(join(dir, 'gaps.csv'), 'x,species\n1,\n2,\n');
  writeFileSync(join(dir, 'dm.yaml'), 'version: 1\ntarget: species\nsteps:\n  - drop_missing: [species]\n');
  const d = mlv(dir, ['featurize', '--spec', 'dm.yaml', 'gaps.csv', '-o', 'out.csv']);
  assert.equal(d.code, 2, d.stderr);
  assert.match(d.stderr, /^mlv: dm\.yaml:4: steps\[0\]\.drop_missing: drop_missing \[species\] drops every row \(2 of 2 in gaps\.csv\)/);
  assert.ok(!existsSync(join(dir, 'out.csv')));

  // A filter that keeps one row still fits.
  writeFileSync(join(dir, 'one.yaml'), 'version: 1\ntarget: species\nsteps:\n  - filter: "sepal_length_cm > 7.8"\n');
  const one = mlvOk(dir, ['featurize', '--spec', 'one.yaml', 'iris.csv', '-o', 'out.csv']);
  assert.match(one.stdout, /out\.csv: 1 rows/);
});
