import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomial, folds, foldCount, parseValidation, LEAVE_P_OUT_LIMIT } from '../../../src/ml/validation.js';
import { InputError } from '../../../src/errors/index.js';

const all = (it: Iterable<{ train: Int32Array; test: Int32Array }>) => [...it];

function assertPartition(f: { train: Int32Array; test: Int32Array }, n: number): void {
  const seen = new Set([...f.train, ...f.test]);
  assert.equal(seen.size, n, 'train and test are disjoint and cover every row');
  assert.equal(f.train.length + f.test.length, n);
}

test('parseValidation reads the three schemes and rejects nonsense', () => {
  assert.deepEqual(parseValidation('holdout:0.25'), { kind: 'holdout', fraction: 0.25 });
  assert.deepEqual(parseValidation('kfold:10'), { kind: 'kfold', k: 10 });
  assert.deepEqual(parseValidation('leave-p-out:2'), { kind: 'leave-p-out', p: 2 });
  assert.deepEqual(parseValidation('none'), { kind: 'none' });
  for (const bad of ['holdout:1.5', 'kfold:1', 'kfold:2.5', 'leave-p-out:0', 'bootstrap:3', '']) {
    assert.throws(() => parseValidation(bad), InputError, bad);
  }
});

test('holdout: ceil(f·n) test rows; stratified keeps class shares', () => {
  const n = 103;
  const [plain] = all(folds({ kind: 'holdout', fraction: 0.2 }, n, 0));
  assert.equal(plain.test.length, Math.ceil(0.2 * n));
  assertPartition(plain, n);
  // 60 / 30 / 13 rows per class.
  const strata = Int32Array.from({ length: n }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const [s] = all(folds({ kind: 'holdout', fraction: 0.2 }, n, 7, strata));
  assert.equal(s.test.length, 21);
  const per = [0, 0, 0];
  for (const i of s.test) per[strata[i]]++;
  for (const [c, size] of [[0, 60], [1, 30], [2, 13]]) {
    const exact = (size * 21) / n;
    assert.ok(Math.abs(per[c] - exact) < 1, `class ${c}: ${per[c]} vs ${exact}`);
  }
  const [again] = all(folds({ kind: 'holdout', fraction: 0.2 }, n, 7, strata));
  assert.deepEqual(again.test, s.test, 'seeded');
  const [other] = all(folds({ kind: 'holdout', fraction: 0.2 }, n, 8, strata));
  assert.notDeepEqual(other.test, s.test);
});

test('kfold: every row tested once, sizes differ by at most 1, each class spread evenly', () => {
  const n = 47;
  const k = 5;
  const strata = Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : i % 7 === 0 ? 2 : 0));
  for (const st of [undefined, strata]) {
    const fs = all(folds({ kind: 'kfold', k }, n, 3, st));
    assert.equal(fs.length, k);
    const tested = new Int32Array(n);
    for (const f of fs) {
      assertPartition(f, n);
      assert.ok(f.test.length === Math.floor(n / k) || f.test.length === Math.ceil(n / k), `fold size ${f.test.length}`);
      for (const i of f.test) tested[i]++;
    }
    assert.ok(tested.every((t) => t === 1));
    if (st) {
      for (const c of [0, 1, 2]) {
        const size = st.filter((x) => x === c).length;
        for (const f of fs) {
          const m = Array.from(f.test).filter((i) => st[i] === c).length;
          assert.ok(m === Math.floor(size / k) || m === Math.ceil(size / k), `class ${c} in a fold: ${m} of ${size}`);
        }
      }
    }
  }
  assert.throws(() => all(folds({ kind: 'kfold', k: 10 }, 4, 0)), /k is larger than the number of rows \(4\)/);
});

test('leave-p-out enumerates every p-subset once and refuses more than 100,000 fits', () => {
  const n = 7;
  const fs = all(folds({ kind: 'leave-p-out', p: 2 }, n, 0));
  assert.equal(fs.length, 21);
  assert.equal(foldCount({ kind: 'leave-p-out', p: 2 }, n), 21n);
  const keys = new Set(fs.map((f) => Array.from(f.test).join(',')));
  assert.equal(keys.size, 21);
  for (const f of fs) {
    assert.equal(f.test.length, 2);
    assertPartition(f, n);
  }
  assert.equal(binomial(450, 2), 101025n);
  assert.ok(binomial(450, 2) > BigInt(LEAVE_P_OUT_LIMIT));
  assert.equal(all(folds({ kind: 'leave-p-out', p: 2 }, 447, 0)).length, 99681);
  assert.throws(() => all(folds({ kind: 'leave-p-out', p: 2 }, 450, 0)), /101,025 fits, more than the limit of 100,000/);
  assert.throws(() => all(folds({ kind: 'leave-p-out', p: 3 }, 3, 0)), /p must be smaller than the number of rows/);
});
