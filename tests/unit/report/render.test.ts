import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFeatures } from '../../../src/report/features.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { Report } from '../../../src/report/model.js';
import type { FeaturizeState } from '../../../src/ml/featurize/index.js';

const EVIL = 'a | b <script>alert(1)</script> *x* `y` [l](http://e)';

function report(over: Partial<Report> = {}): Report {
  return {
    title: EVIL, rev: 'HEAD', commit: 'c'.repeat(40), subject: EVIL, date: '2026-01-01T00:00:00Z', author: 'T',
    generated: { mlv: '0.1.0', date: '2026-01-01T00:00:00Z' },
    data: [{ path: 'data/x.csv', kind: 'file', size: 2048, files: 1, hash: 'a'.repeat(64), desc: EVIL, source: 'pointer', cached: false }],
    explore: [], hasPipeline: true, stages: [], models: [],
    results: { lockMetrics: [{ file: 'm.json', stage: 's', values: { acc: 0.123456789 } }], heldOut: [{ file: 'm.json', values: { acc: 0.123456789 } }], gaps: [] },
    plots: [], trend: undefined, reproduction: { command: 'mlv repro --rev cccccc' }, notes: ['data/x.csv: not in the local cache (not pulled; run mlv pull)'],
    ...over,
  };
}

test('text from data is never markup: HTML escapes it, Markdown keeps table cells whole', () => {
  const html = renderHtml(report());
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('a | b &lt;script&gt;alert(1)&lt;/script&gt;'));
  const md = renderMarkdown(report(), 'r_files').text;
  const row = md.split('\n').find((l) => l.startsWith('| data/x.csv'))!;
  const cells = row.split(/(?<!\\)\|/).length - 2;
  const header = md.split('\n')[md.split('\n').indexOf(row) - 2];
  assert.equal(cells, header.split('|').length - 2, `the desc's | does not add a column: ${row}`);
  assert.ok(!/<script>/.test(md) && md.includes('\\<script\\>'));
  assert.ok(md.includes('| acc | 0.123457 |'), 'numbers to 6 significant digits');
  assert.match(html, /data-key="m.json:acc" data-value="0.123456789"/);
});

test('the sections follow what the version has', () => {
  const dataOnly = renderMarkdown(report({ hasPipeline: false, results: { lockMetrics: [], heldOut: [], gaps: [] } }), 'f').text;
  assert.match(dataOnly, /## Data/);
  assert.match(dataOnly, /this report holds the data only/);
  assert.ok(!dataOnly.includes('## Results'));
  const failed = renderMarkdown(report({ experiment: { name: 'e', status: 'failed', error: 'stage train failed', overrides: { 'train.k': 1 } } }), 'f').text;
  assert.match(failed, /This experiment failed: stage train failed/);
  assert.ok(!failed.includes('## Results'));
  const full = renderMarkdown(report(), 'f').text;
  for (const h of ['Version', 'Data', 'Features', 'Model', 'Results', 'Plots', 'Cost and provenance', 'Reproduction', 'What this report could not read']) assert.match(full, new RegExp(`^## ${h}$`, 'm'));
  assert.match(full, /Not verified yet/);
});

test('the leak guard names a step that reads the target', () => {
  const state: FeaturizeState = {
    format: 'mlv-featurize', version: 1, target: 'price', inputs: { price: 'number', area: 'number', city: 'categorical' }, outputs: ['area', 'ppa', 'price'],
    steps: [{ derive: [{ name: 'ppa', expr: 'price / area' }] }, { drop: ['city'] }],
  };
  const f = describeFeatures(state, 'f.json');
  assert.match(f.leakGuard[0], /^Warning: derive step\(s\) read the target "price"/);
  assert.deepEqual(f.derived, ['ppa']);
  assert.deepEqual(f.dropped, ['city']);
  const clean = describeFeatures({ ...state, steps: [{ derive: [{ name: 'ppa', expr: 'prices_old / area' }] }] }, 'f.json');
  assert.match(clean.leakGuard[0], /^No step reads the target "price"/);
});
