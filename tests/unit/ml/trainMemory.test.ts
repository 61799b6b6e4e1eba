import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/repo.js';
import { readCsv, readCsvWithLines } from '../../../src/ml/csv.js';
import { prepareData } from '../../../src/ml/models/forest.js';
import { loadModel, saveModel, argmax } from '../../../src/ml/models/index.js';
import { classificationMetrics, regressionMetrics } from '../../../src/ml/metrics.js';
import { train } from '../../../src/ml/train.js';
import { mulberry32 } from '../../../src/ml/rng.js';
import type { Frame, NumericColumn } from '../../../src/ml/frame.js';

const dir = tempDir('mlv-train-memory-');
let k = 0;
function file(text: string): string {
  const p = join(dir, `t${k++}.csv`);
  writeFileSync(p, text);
  return p;
}
const num = (f: Frame, name: string) => (f.columns.find((c) => c.name === name) as NumericColumn).values;

test('shared columns: the same values in SharedArrayBuffers, text columns untouched', async () => {
  const p = file('x,label,when\n1.5,a,2024-01-02\n,b,2024-01-03\n-0,c,\n');
  const plain = await readCsv(p);
  const shared = await readCsv(p, { shared: true });
  for (const name of ['x', 'when']) {
    assert.ok(num(shared, name).buffer instanceof SharedArrayBuffer, name);
    assert.ok(!(num(plain, name).buffer instanceof SharedArrayBuffer), name);
    assert.deepEqual(Array.from(num(shared, name)), Array.from(num(plain, name)));
  }
  assert.ok(Object.is(num(shared, 'x')[2], -0));
  assert.deepEqual(shared.columns[1].values, ['a', 'b', 'c']);
});

test('columns are sized from the file: one size for alike rows, right values when rows change', async () => {
  // Alike rows: the estimate from the first MiB holds, and leaves little spare.
  let text = 'x,y\n';
  for (let i = 0; i < 150_000; i++) text += `${100000 + i}.5,${i % 3}\n`;
  const alike = await readCsv(file(text), { shared: true });
  const ax = num(alike, 'x');
  assert.equal(ax.length, 150_000);
  assert.equal(ax[149_999], 249_999.5);
  assert.ok(ax.buffer.byteLength <= ax.byteLength * (1 + 1 / 16), `${ax.buffer.byteLength} bytes for ${ax.byteLength}`);

  // Rows far longer, then far shorter, than in the first MiB (and the other way round).
  const long = (i: number) => `${i}.${'0'.repeat(60)},${i % 3}\n`;
  const short = (i: number) => `${i},${i % 3}\n`;
  for (const [first, rest] of [[long, short], [short, long]]) {
    text = 'x,y\n';
    let i = 0;
    while (text.length < 1.5 * 2 ** 20) text += first(i++);
    const switchAt = i;
    for (let j = 0; j < 200_000; j++) text += rest(i++);
    const { frame, lines } = await readCsvWithLines(file(text), { shared: true });
    assert.equal(frame.nRows, i);
    const x = num(frame, 'x');
    const y = num(frame, 'y');
    assert.equal(x.length, i);
    assert.equal(lines.length, i);
    for (let r = 0; r < i; r++) {
      if (x[r] !== r || y[r] !== r % 3 || lines[r] !== r + 2) assert.fail(`row ${r} (rows change at ${switchAt}): ${x[r]}, ${y[r]}, line ${lines[r]}`);
    }
    // Never more spare capacity behind a column than the column itself.
    for (const a of [x, y, lines]) assert.ok(a.buffer.byteLength <= 2 * a.byteLength, `${a.buffer.byteLength} bytes for ${a.byteLength}`);
  }
});

test('the forest uses shared columns in place and copies others into shared memory', () => {
  const a = new Float64Array(new SharedArrayBuffer(8 * 4));
  a.set([3, 1, 2, 0]);
  const b = Float64Array.from([0.5, 0.25, 0.75, 1]);
  const data = prepareData([a, b], 4, { K: 2, yClass: Int32Array.from([0, 1, 0, 1]) });
  assert.equal(data.cols[0].buffer, a.buffer);
  assert.notEqual(data.cols[1].buffer, b.buffer);
  assert.ok(data.cols[1].buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(data.cols[1]), [0.5, 0.25, 0.75, 1]);
  assert.deepEqual(Array.from(data.order.subarray(0, 4)), [3, 1, 2, 0]);
  assert.deepEqual(Array.from(data.order.subarray(4, 8)), [1, 0, 2, 3]);
});

test('-0 and 0 give the same classifier, tiny neighbours of zero included', async () => {
  const r = mulberry32(21);
  const n = 600;
  const pick = [0, 5e-324, -5e-324, 1e-320, -1e-320, 1, -1, 0.5];
  const zeros = Float64Array.from({ length: n }, () => pick[Math.floor(r() * pick.length)]);
  const signed = zeros.map((v, i) => (v === 0 && i % 2 === 0 ? -0 : v));
  assert.ok(signed.some((v) => Object.is(v, -0)));
  const noise = Float64Array.from({ length: n }, () => Math.round(r() * 40) / 8);
  const y = Array.from(zeros, (v, i) => ((v > 0) !== (i % 9 === 0) ? 'pos' : 'neg'));
  const fit = async (x: Float64Array) => {
    const frame: Frame = {
      columns: [{ name: 'x', type: 'number', values: x }, { name: 'z', type: 'number', values: noise }, { name: 'y', type: 'categorical', values: y }],
      nRows: n,
    };
    return saveModel((await train(frame, { target: 'y', validation: 'none', params: { n_estimators: 8 }, jobs: 1 })).model);
  };
  const a = await fit(zeros);
  assert.equal(await fit(signed), a);
  // The splits between 0 and its neighbours are there to compare.
  assert.match(a, /5e-324|1e-320|5e-321/);
});

test('scoring in batches gives the metrics of scoring every row at once', async () => {
  const r = mulberry32(5);
  const n = 4096 + 905; // one full batch and a part
  const x0 = Float64Array.from({ length: n }, () => r());
  const x1 = Float64Array.from({ length: n }, () => r());
  const cls = Array.from(x0, (v, i) => (v + 0.3 * x1[i] + 0.2 * r() > 0.75 ? 'hi' : 'lo'));
  const reg = Float64Array.from(x0, (v, i) => 3 * v - x1[i] + 0.1 * r());
  const rows = Array.from({ length: n }, (_, i) => Float64Array.from([x0[i], x1[i]]));
  const frame = (target: Frame['columns'][number]): Frame => ({
    columns: [{ name: 'x0', type: 'number', values: x0 }, { name: 'x1', type: 'number', values: x1 }, target],
    nRows: n,
  });

  // validation none scores the model fitted on all rows, which is also the final model.
  const c = await train(frame({ name: 'y', type: 'categorical', values: cls }), { target: 'y', validation: 'none', params: { n_estimators: 5 }, jobs: 1 });
  const model = loadModel(c.model);
  const proba = model.predictProba!(rows);
  const labels = c.model.labels!;
  const want = classificationMetrics(cls, proba.map((p) => labels[argmax(p)]), { labels, rows: proba });
  for (const name of ['accuracy', 'log_loss', 'roc_auc', 'f1_macro']) {
    assert.equal(c.metrics[name].mean, (want as unknown as Record<string, number>)[name], name);
  }

  const g = await train(frame({ name: 'y', type: 'number', values: reg }), { target: 'y', validation: 'none', params: { n_estimators: 5 }, jobs: 1 });
  const wantReg = regressionMetrics(reg, loadModel(g.model).predict(rows) as Float64Array);
  for (const name of ['mae', 'mse', 'r2']) {
    assert.equal(g.metrics[name].mean, (wantReg as unknown as Record<string, number>)[name], name);
  }
});
