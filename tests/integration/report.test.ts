/**
 * `mlv report` read as a person reads it: the HTML rendered by real headless Chromium,
 * the screenshot decoded and checked for ink where each plot is laid out, the text
 * compared with what mlv.lock records. Real git repository, real CLI binary.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, ROOT } from '../helpers/repo.js';
import { hasChromium, inkIn, renderPage } from '../helpers/chromium.js';
import { parse as parseYaml } from 'yaml';
import { num } from '../../src/report/document.js';
import { label } from '../../src/report/svg/core.js';

// Characters that must survive HTML and Markdown as text, not markup.
const DESC = 'Wisconsin diagnostic breast cancer <FNA> images & "cell nuclei"; collected 1995 by UCI, to test if nuclei shape predicts malignancy';
let dir: string;

const PIPELINE = `stages:
  train:
    cmd: mlv train data/cancer.csv --target diagnosis --task classification --params-section train --validation kfold:3 --seed 0 -o build/model.json --metrics train_metrics.json
    deps: [data/cancer.csv]
    params: [train.n_estimators, train.max_depth]
    outs: [build/model.json]
    metrics: [train_metrics.json]
  evaluate:
    cmd: mlv predict build/model.json data/cancer.csv -o build/preds.csv && mlv evaluate build/preds.csv --task classification --json > eval.json
    deps: [build/model.json, data/cancer.csv]
    outs: [build/preds.csv]
    metrics: [eval.json]
`;

const commit = (msg: string) => { git(dir, ['add', '-A']); git(dir, ['commit', '-qm', msg]); return git(dir, ['rev-parse', 'HEAD']).trim(); };
const revs: Record<string, string> = {};

before(() => {
  dir = makeRepo();
  mlvOk(dir, ['init']);
  mkdirSync(join(dir, 'data'));
  copyFileSync(join(ROOT, 'fixtures/ml/breast_cancer.csv'), join(dir, 'data/cancer.csv'));
  mlvOk(dir, ['add', 'data/cancer.csv', '--desc', DESC]);
  revs.data = commit('data only');
  writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  n_estimators: 5\n  max_depth: 3\n');
  mlvOk(dir, ['repro', '-q']);
  revs.v1 = commit('v1: 5 trees');
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  n_estimators: 8\n  max_depth: 3\n');
  mlvOk(dir, ['repro', '-q']);
  revs.v2 = commit('v2: 8 trees');
});
after(() => removeDir(dir));
/** The HTML card of HEAD (written by the first test; tests run alone write it themselves). */
const card = () => { if (!existsSync(join(dir, 'card.html'))) mlvOk(dir, ['report', '-o', 'card.html']); return join(dir, 'card.html'); };

const lockMetrics = (file: string): Record<string, number> => {
  const lock = parseYaml(readFileSync(join(dir, 'mlv.lock'), 'utf8')) as { stages: Record<string, { metrics?: Array<{ path: string; values: Record<string, number> }> }> };
  return Object.values(lock.stages).flatMap((s) => s.metrics ?? []).find((m) => m.path === file)!.values;
};

const MEASURE = `({
  plots: [...document.querySelectorAll('svg[data-plot]')].map((s) => {
    const b = s.getBoundingClientRect();
    return { id: s.closest('figure').id, w: Number(s.getAttribute('width')), h: Number(s.getAttribute('height')), x: b.x, y: b.y + scrollY, width: b.width, height: b.height };
  }),
  cells: Object.fromEntries([...document.querySelectorAll('[data-key]')].map((e) => [e.dataset.key, { value: e.dataset.value, text: e.textContent }])),
  scripts: document.scripts.length,
  external: [...document.querySelectorAll('[src],[href]')].map((e) => e.getAttribute('src') ?? e.getAttribute('href')).filter((u) => !u.startsWith('#')),
  scrollWidth: document.documentElement.scrollWidth,
  rocText: document.querySelector('#plot-roc svg')?.textContent ?? '',
})`;

interface Measured {
  plots: Array<{ id: string; w: number; h: number; x: number; y: number; width: number; height: number }>;
  cells: Record<string, { value?: string; text: string }>;
  scripts: number; external: string[]; scrollWidth: number; rocText: string;
}

test('the HTML report renders in Chromium: not blank, plots drawn at their size, numbers equal to mlv.lock, desc present', { skip: !hasChromium() && 'no chromium' }, async () => {
  const r = mlvOk(dir, ['report', '-o', 'card.html']);
  assert.match(r.stdout, /written to .*card\.html/);
  const html = readFileSync(join(dir, 'card.html'), 'utf8');
  assert.ok(!/<script|<link|<img|@import|url\(/i.test(html), 'no script and no external asset');
  const page = await renderPage(card(), { width: 1000, height: 800, measure: MEASURE, timeoutMs: 180_000 });
  const m = page.measured as Measured;
  assert.equal(m.scripts, 0);
  assert.deepEqual(m.external, [], 'links stay inside the page');
  assert.ok(inkIn(page.image, { x: 0, y: 0, width: page.image.width, height: page.image.height }).ink > 0.02, 'the page is not blank');

  const ids = m.plots.map((p) => p.id).sort();
  assert.deepEqual(ids, ['plot-confusion-matrix', 'plot-importances', 'plot-pr', 'plot-roc', 'plot-trend']);
  for (const p of m.plots) {
    assert.ok(Math.abs(p.width - p.w) < 1 && Math.abs(p.height - p.h) < 1, `${p.id} laid out at ${p.width}×${p.height}, drawn for ${p.w}×${p.h}`);
    const ink = inkIn(page.image, p);
    assert.ok(ink.ink > 0.02 && ink.colors >= 3, `${p.id} has something drawn in it (ink ${ink.ink}, ${ink.colors} colours)`);
  }

  // Every evaluation metric as recorded in mlv.lock, to the last bit, and as shown.
  const recorded = lockMetrics('eval.json');
  const shown = Object.entries(recorded).filter(([k]) => !k.startsWith('confusion_matrix'));
  assert.ok(shown.length >= 6, 'accuracy, f1, precision, recall, log_loss, roc_auc…');
  for (const [k, v] of shown) {
    const cell = m.cells[`eval.json:${k}`];
    assert.ok(cell, `eval.json:${k} is in the report`);
    assert.equal(Number(cell.value), v, `eval.json:${k} carries the recorded value`);
    assert.equal(cell.text, num(v), `eval.json:${k} shows ${num(v)}`);
    assert.ok(page.text.includes(num(v)));
  }
  const train = lockMetrics('train_metrics.json');
  assert.equal(Number(m.cells['train_metrics.json:accuracy'].value), train.accuracy);
  // The ROC curve is drawn from the predictions through src/ml/metrics.ts: its area is the recorded roc_auc.
  assert.ok(m.rocText.includes(`AUC ${label(recorded.roc_auc)}`), `ROC legend ${m.rocText} shows AUC ${label(recorded.roc_auc)}`);
  assert.ok(page.text.includes(DESC), 'the data desc is shown as written');
  assert.match(page.text, /569 rows|\b569\b/);
  assert.match(page.text, /random_forest/);
  assert.match(page.text, /mlv repro --rev/);
});

test('at phone width nothing scrolls sideways and plots shrink to fit', { skip: !hasChromium() && 'no chromium' }, async () => {
  const page = await renderPage(card(), { width: 390, height: 844, measure: MEASURE, timeoutMs: 180_000 });
  const m = page.measured as Measured;
  assert.ok(m.scrollWidth <= 390, `page is ${m.scrollWidth}px wide at a 390px screen`);
  for (const p of m.plots) {
    assert.ok(p.width <= 390 - 16 && p.width > 200, `${p.id} is ${p.width}px wide`);
    assert.ok(Math.abs(p.width / p.height - p.w / p.h) < 0.02, `${p.id} keeps its aspect ratio`);
    assert.ok(inkIn(page.image, p).ink > 0.02, `${p.id} drawn at phone width`);
  }
});

test('printed, the navigation goes and plots and tables are kept whole on a page', { skip: !hasChromium() && 'no chromium' }, async () => {
  const page = await renderPage(card(), {
    width: 794, height: 1123, media: 'print', timeoutMs: 180_000,
    measure: `({ nav: getComputedStyle(document.querySelector('nav')).display, figure: getComputedStyle(document.querySelector('figure')).breakInside, table: getComputedStyle(document.querySelector('table')).breakInside, scrollWidth: document.documentElement.scrollWidth })`,
  });
  const m = page.measured as { nav: string; figure: string; table: string; scrollWidth: number };
  assert.deepEqual({ nav: m.nav, figure: m.figure, table: m.table }, { nav: 'none', figure: 'avoid', table: 'avoid' });
  assert.ok(m.scrollWidth <= 794, `printed page is ${m.scrollWidth}px wide`);
});

test('Markdown: same content, plots as SVG files beside it, changed hyperparameters marked against --compare', () => {
  mkdirSync(join(dir, 'docs'));
  const r = mlvOk(dir, ['report', '--format', 'md', '-o', 'docs/card.md', '--compare', 'HEAD~1', '--json']);
  const out = JSON.parse(r.stdout) as { files: string[]; plots: string[] };
  assert.deepEqual(out.plots.sort(), ['confusion-matrix', 'importances', 'pr', 'roc', 'trend']);
  const md = readFileSync(join(dir, 'docs/card.md'), 'utf8');
  for (const f of readdirSync(join(dir, 'docs/card_files'))) assert.ok(md.includes(`](card_files/${f})`), `${f} is linked`);
  assert.equal(readdirSync(join(dir, 'docs/card_files')).length, 5);
  assert.ok(readFileSync(join(dir, 'docs/card_files/roc.svg'), 'utf8').startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(md.includes('Wisconsin diagnostic breast cancer \\<FNA\\> images & "cell nuclei"'), 'desc kept, markup escaped');
  assert.match(md, /\| \*\*n\\_estimators\*\* \| \*\*8\*\* \| 5 \|/, 'the changed hyperparameter is marked with its old value');
  assert.match(md, /\| max\\_depth \| 3 \| 3 \|/);
  assert.match(md, /\| 569 \| 31 \| 0\.0% \|/, 'the profile of the data');
  const recorded = lockMetrics('eval.json');
  assert.ok(md.includes(`| accuracy | ${num(recorded.accuracy)} |`));
});

test('a rev without a pipeline gives a data-only report', () => {
  mlvOk(dir, ['report', revs.data.slice(0, 8), '--format', 'md', '-o', 'data.md']);
  const md = readFileSync(join(dir, 'data.md'), 'utf8');
  assert.match(md, /No pipeline \(mlv\.yaml\) at .*: this report holds the data only/);
  assert.match(md, /Profile of data/);
  assert.ok(!md.includes('## Results'));
  assert.ok(!existsSync(join(dir, 'data_files')), 'no plots, no plot directory');
});

test('a failed experiment gives a report of its error', () => {
  const r = mlv(dir, ['exp', 'run', '-S', 'train.max_depth=-2', '--name', 'too-shallow', '--quiet']);
  assert.notEqual(r.code, 0, 'the experiment fails');
  mlvOk(dir, ['report', 'too-shallow', '-o', 'failed.md']);
  const md = readFileSync(join(dir, 'failed.md'), 'utf8');
  assert.match(md, /This experiment failed: .*max\\_depth: expected an integer/);
  assert.match(md, /Experiment too-shallow/);
  assert.ok(!md.includes('## Results'), 'the baseline results are not passed off as its own');
});

test('bad usage exits 2 and writes nothing', () => {
  const before = readdirSync(dir).sort();
  for (const args of [['--format', 'pdf'], ['-o', 'nowhere/card.html'], ['no-such-rev'], ['-o', '-', '--format', 'md']]) {
    const r = mlv(dir, ['report', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  assert.deepEqual(readdirSync(dir).sort(), before);
});

test('--verify rebuilds the version now and records the outcome in refs/notes/mlv-repro', () => {
  const r = mlvOk(dir, ['report', '--verify', '-q', '-o', 'verified.md']);
  assert.match(r.stdout, /reproduced/);
  const note = JSON.parse(git(dir, ['notes', '--ref=mlv-repro', 'show', 'HEAD'])) as { format: string; match: boolean; outputs: number };
  assert.equal(note.format, 'mlv-repro');
  assert.equal(note.match, true);
  assert.ok(note.outputs > 5);
  assert.match(readFileSync(join(dir, 'verified.md'), 'utf8'), new RegExp(`Reproduced on .*all ${note.outputs} outputs and metrics matched`));
  // repro --rev records too; the report of HEAD~1 shows it.
  mlvOk(dir, ['repro', '--rev', 'HEAD~1', '-q']);
  mlvOk(dir, ['report', 'HEAD~1', '-o', 'v1.md']);
  assert.match(readFileSync(join(dir, 'v1.md'), 'utf8'), /Reproduced on/);
  mlvOk(dir, ['report', revs.data, '-o', 'unverified.md']);
  assert.match(readFileSync(join(dir, 'unverified.md'), 'utf8'), /Not verified yet/);
});

test('an object that is not in the cache is named in the report, never a crash', () => {
  const lock = parseYaml(readFileSync(join(dir, 'mlv.lock'), 'utf8')) as { stages: Record<string, { outs: Array<{ path: string; hash: string }> }> };
  const preds = lock.stages.evaluate.outs.find((o) => o.path === 'build/preds.csv')!;
  const hex = preds.hash.replace(/^sha256:/, '');
  const obj = join(dir, '.mlv/cache/objects/sha256', hex.slice(0, 2), hex.slice(2));
  chmodSync(obj, 0o644);
  rmSync(obj);
  const r = mlvOk(dir, ['report', '-o', 'partial.html']);
  assert.match(r.stderr, /build\/preds\.csv: not in the local cache \(not pulled; run mlv pull\)/);
  const html = readFileSync(join(dir, 'partial.html'), 'utf8');
  assert.match(html, /build\/preds\.csv: not in the local cache/);
  assert.match(html, /no \(not pulled\)/);
  assert.ok(!html.includes('id="plot-roc"'), 'no curves without the predictions');
  assert.ok(html.includes('id="plot-importances"'), 'the rest is still there');
});
