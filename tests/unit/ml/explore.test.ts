import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../../helpers/repo.js';
import { explore, type ExploreReport } from '../../../src/ml/explore.js';

const FIX = join(ROOT, 'fixtures', 'ml');
const reference = JSON.parse(readFileSync(join(FIX, 'reference', 'explore.json'), 'utf8')) as Record<string, {
  rows: number;
  columns: Record<string, Record<string, unknown>>;
  corr: Record<string, number>;
}>;

const close = (got: unknown, want: number, what: string) => {
  assert.equal(typeof got, 'number', what);
  assert.ok(Math.abs((got as number) - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: got ${got}, numpy ${want}`);
};

for (const [name, path] of [['bike.csv', join(FIX, 'bike.csv')], ['explore_small.csv', join(FIX, 'reference', 'explore_small.csv')]]) {
  test(`explore statistics match numpy (pandas describe conventions): ${name}`, async () => {
    const ref = reference[name];
    const r = await explore(path);
    assert.equal(r.rows, ref.rows);
    for (const [col, want] of Object.entries(ref.columns)) {
      const got = r.columns.find((c) => c.name === col)!;
      assert.ok(got, col);
      assert.equal(got.count, want.count, `${col}.count`);
      assert.equal(got.missing, want.missing, `${col}.missing`);
      assert.equal(got.distinct, want.distinct, `${col}.distinct`);
      if ('mean' in want) {
        for (const k of ['mean', 'std', 'min', 'q25', 'q50', 'q75', 'max']) close(got[k as keyof typeof got], want[k] as number, `${col}.${k}`);
      } else {
        assert.deepEqual(got.top?.map((t) => [t.value, t.count]), want.top, `${col}.top`);
      }
    }
    for (const [pair, want] of Object.entries(ref.corr)) {
      const [a, b] = pair.split('|');
      const i = r.correlation.columns.indexOf(a);
      const j = r.correlation.columns.indexOf(b);
      close(r.correlation.matrix[i][j], want, `corr ${pair}`);
      close(r.correlation.matrix[j][i], want, `corr ${pair} (symmetric)`);
    }
  });
}

function kinds(r: ExploreReport): string[] {
  return r.warnings.map((w) => `${w.kind}:${w.columns.join('+')}`).sort();
}

test('warnings: constant, id-like, correlated, missing, imbalanced target, personal data', async () => {
  const dir = tempDir('mlv-explore-');
  const lines = ['customer_id,const,x,y,sparse,label,email,phone,full_name,birth_date,city'];
  const names = ['Anna Berg', 'Olav Dahl', 'Kari Nilsen', 'Per Hansen', 'Ingrid Lie', 'Jonas Moe', 'Sara Holm', 'Lars Vik', 'Eva Strand', 'Nils Bakke'];
  for (let i = 0; i < 40; i++) {
    lines.push([
      1000 + i, 'same', i, 2 * i + (i % 3), i % 2 ? '' : i, i < 36 ? 'no' : 'yes',
      `user${i}@example.com`, `+47 912 34 ${String(100 + i).slice(1)}`, names[i % 10] + (i >= 10 ? ` ${i}` : ''),
      `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 9}`, i % 2 ? 'Oslo' : 'Bergen',
    ].join(','));
  }
  const p = join(dir, 'w.csv');
  writeFileSync(p, lines.join('\n') + '\n');
  const r = await explore(p, { target: 'label' });
  const k = kinds(r);
  for (const want of ['constant:const', 'id_like:customer_id', 'high_correlation:x+y', 'high_missing:sparse', 'imbalanced_target:label',
    'personal_data:email', 'personal_data:phone', 'personal_data:birth_date']) {
    assert.ok(k.includes(want), `missing warning ${want} in ${k.join(', ')}`);
  }
  assert.equal(r.columns.find((c) => c.name === 'city')!.personal, undefined);
  assert.ok(!k.some((w) => w.includes('city')), 'city raises no warning');
  assert.equal(r.columns.find((c) => c.name === 'birth_date')!.type, 'date');
});

test('names are flagged by column name and by value shape', async () => {
  const dir = tempDir('mlv-explore-');
  const first = ['Anna', 'Olav', 'Kari', 'Per', 'Ingrid', 'Jonas', 'Sara', 'Lars', 'Eva', 'Nils'];
  const last = ['Berg', 'Dahl', 'Nilsen', 'Hansen', 'Lie'];
  const rows = ['who,last_name,score'];
  for (let i = 0; i < 50; i++) rows.push(`${first[i % 10]} ${last[Math.floor(i / 10)]},${last[i % 5]},${i}`);
  const p = join(dir, 'n.csv');
  writeFileSync(p, rows.join('\n'));
  const r = await explore(p);
  assert.equal(r.columns[0].personal, 'name');
  assert.equal(r.columns[1].personal, 'name');
  assert.equal(r.columns[2].personal, undefined);
});

test('a constant column has no correlation (null), histograms cover every value', async () => {
  const dir = tempDir('mlv-explore-');
  const p = join(dir, 'c.csv');
  writeFileSync(p, 'a,b\n1,5\n2,5\n3,5\n10,5\n');
  const r = await explore(p);
  assert.deepEqual(r.correlation.matrix, [[1, null], [null, null]]);
  const h = r.columns[0].histogram!;
  assert.equal(h.counts.reduce((s, c) => s + c, 0), 4);
  assert.equal(h.edges[0], 1);
  assert.equal(h.edges[10], 10);
  assert.deepEqual(h.counts, [1, 1, 1, 0, 0, 0, 0, 0, 0, 1]);
});

test('integer storage widens to float without losing missing values', async () => {
  const dir = tempDir('mlv-explore-');
  const p = join(dir, 'w.csv');
  // 70,000 rows: more than one storage chunk before the first fraction appears.
  const rows = ['a,b'];
  for (let i = 0; i < 70000; i++) rows.push(`${i % 7 === 0 ? 'NA' : i},${i % 2}`);
  rows.push('2.5,1', '-2147483648,0');
  writeFileSync(p, rows.join('\n'));
  const r = await explore(p);
  const a = r.columns[0];
  const present = [];
  for (let i = 0; i < 70000; i++) if (i % 7 !== 0) present.push(i);
  present.push(2.5, -2147483648);
  assert.equal(a.count, present.length);
  assert.equal(a.missing, 10000);
  assert.equal(a.min, -2147483648);
  assert.equal(a.max, 69999);
  const mean = present.reduce((s, x) => s + x, 0) / present.length;
  assert.ok(Math.abs((a.mean as number) - mean) < 1e-6);
});
