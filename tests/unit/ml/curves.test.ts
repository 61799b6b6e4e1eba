// ROC and precision-recall points against scikit-learn 1.2 itself (the oracle: Debian's
// python3-sklearn at /usr/bin/python3), on seeded data with many tied scores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { binaryAuc, precisionRecallCurve, rocCurve, trapezoidArea } from '../../../src/ml/metrics.js';
import { mulberry32 } from '../../../src/ml/rng.js';

const ORACLE = `
import json, sys
from sklearn.metrics import roc_curve, precision_recall_curve, roc_auc_score
cases = json.load(sys.stdin)
out = []
for c in cases:
    fpr, tpr, th = roc_curve(c["y"], c["s"])
    p, r, pth = precision_recall_curve(c["y"], c["s"])
    out.append({"fpr": fpr.tolist(), "tpr": tpr.tolist(), "th": th.tolist(), "p": p.tolist(), "r": r.tolist(), "pth": pth.tolist(), "auc": roc_auc_score(c["y"], c["s"])})
print(json.dumps(out))
`;

function cases(): Array<{ y: number[]; s: number[] }> {
  const rand = mulberry32(7);
  const out: Array<{ y: number[]; s: number[] }> = [
    { y: [0, 0, 1, 1, 1, 0, 1], s: [0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9] },
    { y: [0, 1], s: [0.3, 0.7] },
    { y: [1, 1, 0, 0], s: [0.5, 0.5, 0.5, 0.5] },
  ];
  for (const [n, levels] of [[50, 5], [300, 20], [1000, 1000]]) {
    const y: number[] = [], s: number[] = [];
    for (let i = 0; i < n; i++) {
      const pos = rand() < 0.4;
      y.push(pos ? 1 : 0);
      s.push(Math.round((rand() * 0.7 + (pos ? 0.3 : 0)) * levels) / levels);
    }
    out.push({ y, s });
  }
  return out;
}

const close = (got: number[], want: number[], what: string) => {
  assert.equal(got.length, want.length, `${what}: ${got.length} points, sklearn ${want.length}`);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-12, `${what}[${i}]: got ${g}, sklearn ${want[i]}`));
};

test('roc_curve and precision_recall_curve points equal scikit-learn 1.2, and the ROC area equals roc_auc', () => {
  const cs = cases();
  const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', ORACLE], { input: JSON.stringify(cs) }).toString()) as Array<Record<string, number[] & number>>;
  cs.forEach((c, k) => {
    const pos = c.y.map((v) => v === 1);
    const roc = rocCurve(pos, c.s)!;
    close(roc.fpr, ref[k].fpr, `case ${k} fpr`);
    close(roc.tpr, ref[k].tpr, `case ${k} tpr`);
    close(roc.thresholds, ref[k].th, `case ${k} roc thresholds`);
    const pr = precisionRecallCurve(pos, c.s)!;
    close(pr.precision, ref[k].p, `case ${k} precision`);
    close(pr.recall, ref[k].r, `case ${k} recall`);
    close(pr.thresholds, ref[k].pth, `case ${k} pr thresholds`);
    const area = trapezoidArea(roc.fpr, roc.tpr);
    assert.ok(Math.abs(area - ref[k].auc) <= 1e-12, `case ${k}: area ${area}, roc_auc ${ref[k].auc}`);
    assert.ok(Math.abs(area - binaryAuc(pos, c.s)!) <= 1e-12, `case ${k}: area ${area} and binaryAuc agree`);
  });
});

test('a curve needs both classes; scores must be finite', () => {
  assert.equal(rocCurve([true, true], [0.2, 0.4]), undefined);
  assert.equal(rocCurve([], []), undefined);
  assert.throws(() => rocCurve([true, false], [NaN, 0.4]), /score 0 is NaN/);
});
