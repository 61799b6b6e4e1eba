import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/repo.js';
import { readCsv, readCsvWithLines, writeCsv, CsvTokenizer } from '../../../src/ml/csv.js';
import { InputError } from '../../../src/errors/index.js';
import type { Frame } from '../../../src/ml/frame.js';

const dir = tempDir('mlv-csv-');
let n = 0;
function file(text: string): string {
  const p = join(dir, `t${n++}.csv`);
  writeFileSync(p, text);
  return p;
}
const values = (f: Frame, name: string) => Array.from(f.columns.find((c) => c.name === name)!.values as ArrayLike<unknown>);

test('RFC 4180: BOM, CRLF, quoted commas, quotes and newlines, blank lines', async () => {
  const p = file('\uFEFFid,text,x\r\n1,"a, b",2\r\n\r\n2,"say ""hi""",3\r\n3,"two\r\nlines",4\r\n');
  const f = await readCsv(p);
  assert.deepEqual(f.columns.map((c) => c.name), ['id', 'text', 'x']);
  assert.equal(f.nRows, 3);
  assert.deepEqual(values(f, 'text'), ['a, b', 'say "hi"', 'two\r\nlines']);
  assert.deepEqual(values(f, 'x'), [2, 3, 4]);
});

test('any chunking of the input gives the same rows', () => {
  const text = 'a,b\n1,"x\ny"\r\n2,"q""r"\n\n3,\n';
  const whole: Array<[string[], number]> = [];
  const t1 = new CsvTokenizer('t', (f, l) => { whole.push([f, l]); });
  t1.feed(text); t1.end();
  for (let size = 1; size <= 5; size++) {
    const got: Array<[string[], number]> = [];
    const t = new CsvTokenizer('t', (f, l) => { got.push([f, l]); });
    for (let i = 0; i < text.length; i += size) t.feed(text.slice(i, i + size));
    t.end();
    assert.deepEqual(got, whole, `chunk size ${size}`);
  }
  assert.deepEqual(whole.map(([, l]) => l), [1, 2, 4, 6]);
  assert.deepEqual(whole[3][0], ['3', '']);
});

test('type inference and missing values', async () => {
  const p = file([
    'n,b,d,dt,c,empty,mixed',
    '1.5,true,2023-01-31,2023-01-31T10:30:00,x,,1',
    'NA,False,2023-02-01,2023-02-01 00:00:00Z,y,NA,2',
    '-2e3,null,NaN,,x,null,007x',
  ].join('\n'));
  const f = await readCsv(p);
  assert.deepEqual(f.columns.map((c) => c.type), ['number', 'boolean', 'date', 'date', 'categorical', 'number', 'categorical']);
  assert.deepEqual(values(f, 'n'), [1.5, NaN, -2000]);
  assert.deepEqual(values(f, 'b'), [1, 0, NaN]);
  assert.deepEqual(values(f, 'd'), [Date.UTC(2023, 0, 31), Date.UTC(2023, 1, 1), NaN]);
  assert.deepEqual(values(f, 'dt'), [Date.UTC(2023, 0, 31, 10, 30), Date.UTC(2023, 1, 1), NaN]);
  assert.deepEqual(values(f, 'empty'), [NaN, NaN, NaN]);
  // A column that turns out to hold text keeps its original spellings (second pass).
  assert.deepEqual(values(f, 'mixed'), ['1', '2', '007x']);
});

test('hex, dates that do not exist and time zones', async () => {
  const f = await readCsv(file('h,bad,tz\n0x1F,2023-02-30,2023-01-01T12:00:00+02:00\n'));
  assert.equal(f.columns[0].type, 'categorical');
  assert.equal(f.columns[1].type, 'categorical');
  assert.deepEqual(values(f, 'tz'), [Date.UTC(2023, 0, 1, 10)]);
});

test('writeCsv round-trips and quotes what needs quoting', async () => {
  const src = file('name,score,when,ok\n"Smith, J",1.25,2023-05-01 13:00:00,true\n"line\nbreak",,2023-05-02,false\n " pad",3,,\n');
  const f = await readCsv(src);
  const out = join(dir, 'out.csv');
  await writeCsv(out, f);
  const g = await readCsv(out);
  assert.deepEqual(g.columns.map((c) => [c.name, c.type, Array.from(c.values as ArrayLike<unknown>)]), f.columns.map((c) => [c.name, c.type, Array.from(c.values as ArrayLike<unknown>)]));
});

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

test('ragged rows name the physical line (after a multi-line field)', async () => {
  const p = file('a,b\n1,"x\ny"\n2,3,4\n');
  await rejects(readCsv(p), /t\d+\.csv: line 4: expected 2 fields \(as in the header\), found 3/);
});

test('an unparsable value in a typed column names line and column', async () => {
  const p = file('a,b\n1,2\n3,oops\n');
  await rejects(readCsv(p, { columnTypes: { b: 'number' } }), /line 3, column 2 \("b"\): cannot read "oops" as number/);
});

test('missing target, unterminated quote, empty file, duplicate header, no file', async () => {
  await rejects(readCsv(file('a,b\n1,2\n'), { target: 'y' }), /line 1: no target column "y" \(columns: a, b\)/);
  await rejects(readCsv(file('a,b\n1,"open\n2,3\n')), /line 2: unterminated quoted field \(column 2\)/);
  await rejects(readCsv(file('')), /empty file/);
  await rejects(readCsv(file('a,a\n1,2\n')), /line 1: duplicate column name "a"/);
  await rejects(readCsv(join(dir, 'nope.csv')), /nope\.csv: no such file/);
  await rejects(readCsv(file('a,b\n"x"y,2\n')), /line 2: unexpected character after closing quote/);
});

test('readCsvWithLines gives each row its starting line', async () => {
  const { lines } = await readCsvWithLines(file('a\n1\n\n"2\n2"\n3\n'));
  assert.deepEqual(Array.from(lines), [2, 4, 6]);
});

test('date parsing agrees with Date.UTC, leap years included', async () => {
  const { parseDate } = await import('../../../src/ml/data/values.js');
  for (const [y, m, d, h, mi, s] of [[2024, 2, 29, 0, 0, 0], [1900, 3, 1, 23, 59, 59], [1969, 12, 31, 12, 0, 1], [2000, 2, 29, 5, 6, 7], [1600, 1, 1, 0, 0, 0]]) {
    const p2 = (x: number) => String(x).padStart(2, '0');
    const date = `${y}-${p2(m)}-${p2(d)}`;
    assert.equal(parseDate(date), Date.UTC(y, m - 1, d), date);
    assert.equal(parseDate(`${date}T${p2(h)}:${p2(mi)}:${p2(s)}`), Date.UTC(y, m - 1, d, h, mi, s));
    assert.equal(parseDate(`${date} ${p2(h)}:${p2(mi)}:${p2(s)}`), Date.UTC(y, m - 1, d, h, mi, s));
  }
  assert.ok(Number.isNaN(parseDate('2023-02-29')));
  assert.ok(Number.isNaN(parseDate('1900-02-29')));
  assert.ok(Number.isNaN(parseDate('2023-13-01')));
  assert.ok(Number.isNaN(parseDate('2023-01-01T24:00:00')));
});

test('random CSV text split into random chunks gives the rows (or the error) of the whole text', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pieces = ['a', 'bc', ',', '"', '""', '\n', '\r\n', '\r', 'x y', '"q,\n"'];
  const run = (chunks: string[]) => {
    const rows: Array<[string[], number]> = [];
    const t = new CsvTokenizer('t', (f, l) => { rows.push([f, l]); });
    try {
      for (const c of chunks) t.feed(c);
      t.end();
      return { rows };
    } catch (e) {
      return { rows, error: (e as Error).message };
    }
  };
  for (let trial = 0; trial < 400; trial++) {
    let text = '';
    const n = 1 + Math.floor(rand() * 40);
    for (let i = 0; i < n; i++) text += pieces[Math.floor(rand() * pieces.length)];
    const whole = run([text]);
    const chunks: string[] = [];
    for (let i = 0; i < text.length;) { const k = 1 + Math.floor(rand() * 6); chunks.push(text.slice(i, i + k)); i += k; }
    const split = run(chunks);
    assert.deepEqual(split, whole, `text ${JSON.stringify(text)} in chunks ${JSON.stringify(chunks)}`);
  }
});

test('the column limit holds in one chunk and across many, and a row longer than a chunk is read once, whole', () => {
  const wide = Array.from({ length: 100_001 }, (_, i) => `c${i}`).join(',') + '\n';
  for (const size of [wide.length, 4096]) {
    const t = new CsvTokenizer('w.csv', () => {});
    assert.throws(() => { for (let i = 0; i < wide.length; i += size) t.feed(wide.slice(i, i + size)); t.end(); },
      (e: unknown) => e instanceof InputError && /^w\.csv: line 1: more than 100,000 columns/.test(e.message));
  }
  const ok = Array.from({ length: 100_000 }, () => '1').join(',') + '\n';
  let got = 0;
  const t = new CsvTokenizer('ok.csv', (f) => { got = f.length; });
  for (let i = 0; i < ok.length; i += 1000) t.feed(ok.slice(i, i + 1000));
  t.end();
  assert.equal(got, 100_000);
  const cell = 'z'.repeat(3_000_000);
  const rows: string[][] = [];
  const long = new CsvTokenizer('l.csv', (f) => { rows.push(f); });
  const text = `h\n"${cell}"\n${cell}\nend\n`;
  for (let i = 0; i < text.length; i += 65536) long.feed(text.slice(i, i + 65536));
  long.end();
  assert.deepEqual(rows.map((r) => r.map((c) => c.length)), [[1], [3_000_000], [3_000_000], [3]]);
});
