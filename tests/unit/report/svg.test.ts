import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barPlot, esc, heatmap, ticks, xyPlot } from '../../../src/report/svg/index.js';

/** Every opened element is closed in order, and no text holds a raw < or &. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes what was opened`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], 'all elements closed');
  const text = svg.replace(/<[^>]*>/g, '');
  assert.ok(!/[<>]|&(?!(amp|lt|gt|quot|#39);)/.test(text), 'text is escaped');
  assert.ok(!svg.includes('NaN') && !svg.includes('undefined'), 'no NaN or undefined in the output');
}

const evil = `<script>alert("x")</script> & 'q'`;

test('text from data is escaped everywhere it appears', () => {
  assert.equal(esc(evil), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
  const plots = [
    xyPlot({ width: 400, height: 300, title: evil, xLabel: evil, yLabel: evil, series: [{ name: evil, x: [0, 1], y: [1, 2] }, { name: 'b', x: [0, 1], y: [2, 1] }], xCategories: [evil, evil] }),
    barPlot({ width: 400, height: 0, title: evil, bars: [{ name: evil, value: 1 }] }),
    heatmap({ width: 300, title: evil, rowLabels: [evil], colLabels: [evil], matrix: [[3]], rowTitle: evil, colTitle: evil }),
  ];
  for (const p of plots) {
    assertWellFormed(p);
    assert.ok(!p.includes('<script'), 'no element from data');
  }
});

test('plots carry their size and draw every point', () => {
  const x = [0, 0.25, 0.5, 1], y = [0, 0.5, 0.9, 1];
  const s = xyPlot({ width: 420, height: 320, title: 'ROC', xLabel: 'FPR', yLabel: 'TPR', series: [{ name: 'm', x, y }], xDomain: [0, 1], yDomain: [0, 1], guides: [[0, 0, 1, 1]] });
  assertWellFormed(s);
  assert.match(s, /^<svg [^>]*width="420" height="320" viewBox="0 0 420 320"/);
  const d = /data-series="m"/.test(s) ? s.match(/<path d="([^"]+)"[^>]*data-series="m"/)![1] : '';
  assert.equal(d.match(/[ML]/g)!.length, 4, 'one path vertex per point');
  // (0,0) at the bottom-left corner of the plot area, (1,1) at the top-right.
  assert.match(d, /^M56 276/);
  assert.match(d, /L404 28$/);
  const step = xyPlot({ width: 420, height: 320, title: 'PR', xLabel: 'r', yLabel: 'p', series: [{ name: 'm', x, y, style: 'step' }] });
  assert.equal(step.match(/<path d="([^"]+)"[^>]*data-series="m"/)![1].match(/H/g)!.length, 3);
  const pts = xyPlot({ width: 420, height: 320, title: 'res', xLabel: 'a', yLabel: 'b', series: [{ name: 'r', x, y: [NaN, 1, 2, 3], style: 'points' }] });
  assert.equal(pts.match(/h0/g)!.length, 3, 'non-finite points are skipped');
  assertWellFormed(pts);
});

test('bars are sorted, capped and as long as their value; the matrix has one cell per count', () => {
  const bars = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, value: i / 100 }));
  const b = barPlot({ width: 480, height: 0, title: 'imp', bars, max: 5 });
  assertWellFormed(b);
  const widths = [...b.matchAll(/<rect x="[^"]+" y="[^"]+" width="([^"]+)"[^>]*data-value="([^"]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(widths.map((w) => w[1]), [0.19, 0.18, 0.17, 0.16, 0.15]);
  for (const [w, v] of widths) assert.ok(Math.abs(w / widths[0][0] - v / 0.19) < 0.01, 'width proportional to value');
  const h = heatmap({ width: 300, title: 'cm', rowLabels: ['a', 'b', 'c'], colLabels: ['a', 'b', 'c'], matrix: [[5, 1, 0], [2, 7, 1], [0, 0, 9]], rowTitle: 't', colTitle: 'p' });
  assertWellFormed(h);
  assert.equal(h.match(/<rect x="[\d.]+" y="[\d.]+" width="\d+" height="\d+" fill="rgb/g)!.length, 9);
  assert.match(xyPlot({ width: 100, height: 100, title: 't', xLabel: '', yLabel: '', series: [] }), /no points to draw/);
});

test('ticks are round numbers covering the range', () => {
  assert.deepEqual(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(ticks(-3, 17), [0, 5, 10, 15]);
  assert.deepEqual(ticks(12, 58, 4), [20, 30, 40, 50]);
  assert.deepEqual(ticks(5, 5), [5]);
});
