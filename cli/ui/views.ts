/**
 * The lines of the detail, diff, trend and help views. Pure functions of the data
 * the source returned and the screen width; the components only scroll them.
 */
import type {
  ArtifactChange, MetricDirection, VersionDetail, VersionDiff, VersionRow,
} from '../../src/compare/types.js';
import { metricDelta } from '../../src/compare/rows.js';
import {
  bar, fit, formatBytes, formatDelta, formatNumber, formatValue, seg, sparkline, verdictColor, type Line,
} from './format.js';

const title = (text: string): Line => [seg(text, { bold: true, underline: true })];
const blank: Line = [];

function keyWidth(keys: readonly string[], max = 28): number {
  return Math.min(max, Math.max(4, ...keys.map((k) => k.length)));
}

export function rowLabel(row: VersionRow): string {
  if (row.kind === 'job') return `${row.name} (queued job ${row.job?.id ?? '?'} on ${row.baseline?.slice(0, 7) ?? '?'})`;
  return row.kind === 'exp' ? `${row.name} (exp of ${row.baseline?.slice(0, 7) ?? '?'})` : `${row.name} (commit)`;
}

export function detailLines(
  d: VersionDetail, width: number, direction: (m: string) => MetricDirection, baseline?: VersionRow,
): Line[] {
  const row = d.row;
  const lines: Line[] = [];
  lines.push([seg(rowLabel(row), { bold: true, color: 'yellow' }), seg(`  ${row.rev.slice(0, 12)}  ${row.date}`, { dim: true })]);
  if (row.message) lines.push([seg(row.message)]);
  if (row.status && row.status !== 'ok') lines.push([seg(`status: ${row.status}`, { color: row.status === 'failed' ? 'red' : 'yellow' })]);
  for (const l of (row.error ?? '').split('\n').filter((x) => x.trim() && !x.startsWith('---')).slice(0, 6)) lines.push([seg('  ' + l.slice(0, Math.max(10, width - 2)), { color: 'red' })]);
  if (row.kind === 'job') {
    const j = row.job;
    if (j) lines.push([seg(`queued by ${j.submitter} at ${j.submitted}; sweep ${j.sweep}; runs ${j.attempts}/${j.maxAttempts}${j.worker ? `; worker ${j.worker}` : ''}`, { dim: true })]);
    lines.push([seg(j?.fetch ? 'fetch: ' : 'log: ', { dim: true }), seg(d.reproCommand, { bold: true, color: 'green' })]);
  } else if (row.status !== 'failed') {
    // A failed run produced nothing to rebuild.
    lines.push([seg('rebuild: ', { dim: true }), seg(d.reproCommand, { bold: true, color: 'green' })]);
  }

  const pk = Object.keys(row.params).sort();
  lines.push(blank, title(`Params (${pk.length})`));
  const pw = keyWidth(pk);
  for (const k of pk) lines.push([seg('  ' + fit(k, pw) + '  ', { color: 'yellow' }), seg(formatValue(row.params[k]))]);

  const mk = Object.keys(row.metrics).sort();
  const base = baseline && baseline.id !== row.id ? baseline : undefined;
  lines.push(blank, title(`Metrics (${mk.length})${base ? ` — Δ vs ${base.name}` : ''}`));
  const mw = keyWidth(mk);
  for (const k of mk) {
    const line: Line = [seg('  ' + fit(k, mw) + '  ', { color: 'cyan' }), seg(fit(formatNumber(row.metrics[k]), 10, 'right'))];
    line.push(seg(`  ${direction(k) === 'max' ? '↑' : '↓'}`, { dim: true }));
    if (base) {
      const dl = metricDelta(row.metrics[k], base.metrics[k], direction(k));
      if (dl) line.push(seg('  ' + formatDelta(dl.delta), { color: verdictColor(dl.verdict) }));
    }
    lines.push(line);
  }

  lines.push(blank, title(`Artifacts (${d.artifacts.length})`));
  if (d.artifacts.length === 0) lines.push([seg('  none', { dim: true })]);
  const aw = keyWidth(d.artifacts.map((a) => a.path + (a.kind === 'dir' ? '/' : '')), 36);
  for (const a of d.artifacts) {
    const line: Line = [
      seg('  ' + fit(a.path + (a.kind === 'dir' ? '/' : ''), aw) + '  '),
      seg(fit(formatBytes(a.size), 10, 'right')),
      seg(a.kind === 'dir' ? `  ${a.files ?? '?'} files` : '', { dim: true }),
      seg(`  ${a.hash.slice(0, 10)}`, { dim: true }),
    ];
    if (a.desc) line.push(seg(`  ${a.desc}`));
    lines.push(line);
  }

  if (d.confusionMatrix) {
    const { labels, matrix } = d.confusionMatrix;
    lines.push(blank, title('Confusion matrix'), [seg('  rows: true label, columns: predicted', { dim: true })]);
    const cells = matrix.flat();
    const max = Math.max(1, ...cells);
    const cw = Math.max(5, ...labels.map((l) => String(l).length), ...cells.map((c) => String(c).length)) + 1;
    const lw = Math.max(...labels.map((l) => String(l).length), 4);
    lines.push([seg('  ' + ' '.repeat(lw) + ' │'), ...labels.map((l) => seg(fit(String(l), cw, 'right'), { bold: true }))]);
    lines.push([seg('  ' + '─'.repeat(lw) + '─┼' + '─'.repeat(cw * labels.length))]);
    matrix.forEach((r, i) => {
      lines.push([
        seg('  ' + fit(String(labels[i]), lw) + ' │', { bold: true }),
        ...r.map((v, j) => seg(fit(String(v), cw, 'right'), {
          color: i === j ? 'green' : v > 0 ? 'red' : undefined,
          bold: v / max > 0.5,
          dim: v === 0,
        })),
      ]);
    });
  }

  if (d.featureImportances) {
    const fi = Object.entries(d.featureImportances).sort((a, b) => b[1] - a[1]);
    lines.push(blank, title(`Feature importances (${fi.length}${d.importanceMethod ? `, ${d.importanceMethod}` : ''})`));
    const fw = keyWidth(fi.map(([k]) => k), 24);
    const top = Math.max(1e-12, ...fi.map(([, v]) => Math.abs(v)));
    const bw = Math.max(5, Math.min(40, width - fw - 14));
    for (const [k, v] of fi) {
      lines.push([seg('  ' + fit(k, fw) + '  '), seg(fit(formatNumber(v), 7, 'right') + ' '), seg(bar(Math.abs(v) / top, bw), { color: 'blue' })]);
    }
  }

  if (d.cost) {
    const c = d.cost;
    lines.push(blank, title('Training cost'));
    if (c.seconds !== undefined) lines.push([seg('  time      '), seg(`${formatNumber(c.seconds)} s`)]);
    if (c.modelBytes !== undefined) lines.push([seg('  model     '), seg(formatBytes(c.modelBytes))]);
    if (c.featureCount !== undefined) lines.push([seg('  features  '), seg(String(c.featureCount))]);
  }
  return lines;
}

const CHANGE: Record<ArtifactChange['change'], { mark: string; color: 'green' | 'yellow' | 'red' }> = {
  added: { mark: 'A', color: 'green' },
  modified: { mark: 'M', color: 'yellow' },
  deleted: { mark: 'D', color: 'red' },
};

function sizes(c: { change: ArtifactChange['change']; oldSize?: number; newSize?: number }): string {
  const s = (n?: number) => (n === undefined ? '?' : formatBytes(n));
  if (c.change === 'added') return s(c.newSize);
  if (c.change === 'deleted') return s(c.oldSize);
  const delta = c.oldSize !== undefined && c.newSize !== undefined ? c.newSize - c.oldSize : undefined;
  return `${s(c.oldSize)} → ${s(c.newSize)}${delta ? ` (${delta > 0 ? '+' : '-'}${formatBytes(Math.abs(delta))})` : ''}`;
}

export function diffLines(diff: VersionDiff, a: VersionRow, b: VersionRow, direction: (m: string) => MetricDirection): Line[] {
  const lines: Line[] = [];
  lines.push([seg('a: ', { dim: true }), seg(rowLabel(a), { bold: true, color: 'yellow' }), seg(`  ${a.message}`, { dim: true })]);
  lines.push([seg('b: ', { dim: true }), seg(rowLabel(b), { bold: true, color: 'yellow' }), seg(`  ${b.message}`, { dim: true })]);

  lines.push(blank, title(`Params changed (${diff.params.length})`));
  if (diff.params.length === 0) lines.push([seg('  none', { dim: true })]);
  const pw = keyWidth(diff.params.map((p) => p.key));
  const vw = Math.min(20, Math.max(1, ...diff.params.map((p) => formatValue(p.a).length)));
  for (const p of diff.params) {
    lines.push([
      seg('  ' + fit(p.key, pw) + '  ', { color: 'yellow' }),
      seg(fit(formatValue(p.a), vw, typeof p.a === 'number' ? 'right' : 'left'), { dim: p.a === undefined }),
      seg(' → ', { dim: true }),
      seg(formatValue(p.b), { bold: true, dim: p.b === undefined }),
    ]);
  }

  lines.push(blank, title(`Metrics (${diff.metrics.length})`));
  const mw = keyWidth(diff.metrics.map((m) => m.key));
  lines.push([seg('  ' + ' '.repeat(mw) + '  '), seg(fit('a', 10, 'right') + fit('b', 10, 'right') + fit('delta', 11, 'right'), { dim: true })]);
  for (const m of diff.metrics) {
    const dl = metricDelta(m.b, m.a, direction(m.key));
    lines.push([
      seg('  ' + fit(m.key, mw) + '  ', { color: 'cyan' }),
      seg(fit(formatNumber(m.a), 10, 'right') + fit(formatNumber(m.b), 10, 'right')),
      seg(fit(formatDelta(m.delta ?? dl?.delta), 11, 'right'), { color: verdictColor(dl?.verdict), bold: dl?.verdict !== 'same' }),
      seg(dl && dl.verdict !== 'same' ? `  ${dl.verdict}` : '', { dim: true }),
    ]);
  }

  lines.push(blank, title(`Artifacts changed (${diff.artifacts.length})`));
  if (diff.artifacts.length === 0) lines.push([seg('  none', { dim: true })]);
  for (const c of diff.artifacts) {
    const k = CHANGE[c.change];
    lines.push([seg(`  ${k.mark} `, { color: k.color, bold: true }), seg(c.path + (c.files ? '/' : '') + '  '), seg(sizes(c), { dim: true })]);
    for (const f of c.files ?? []) {
      const fk = CHANGE[f.change];
      lines.push([seg(`      ${fk.mark} `, { color: fk.color }), seg(f.path + '  '), seg(sizes(f), { dim: true })]);
    }
  }
  return lines;
}

export interface TrendInput {
  metric: string;
  /** Commits oldest first. */
  points: Array<{ row: VersionRow; value: number | undefined }>;
  direction: MetricDirection;
  width: number;
  height: number;
}

/** A line chart of one metric over the branch's commits, with a sparkline and a summary. */
export function trendLines(t: TrendInput): Line[] {
  const lines: Line[] = [];
  const labelW = 9;
  const plotW = Math.max(10, t.width - labelW - 3);
  const shown = t.points.slice(-plotW);
  const values = shown.map((p) => p.value);
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  lines.push([
    seg(t.metric, { bold: true, color: 'cyan' }),
    seg(`  (${t.direction === 'max' ? 'higher' : 'lower'} is better)  ${present.length} of ${t.points.length} commits have it`, { dim: true }),
  ]);
  if (shown.length < t.points.length) lines.push([seg(`showing the last ${shown.length} commits`, { dim: true })]);
  if (present.length === 0) {
    lines.push(blank, [seg('  no commit on this branch records this metric', { dim: true })]);
    return lines;
  }
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  const h = Math.max(3, t.height);
  const step = shown.length > 1 ? Math.max(1, Math.min(6, Math.floor((plotW - 1) / (shown.length - 1)))) : 1;
  const cols = (shown.length - 1) * step + 1;
  const grid: string[][] = Array.from({ length: h }, () => Array(cols).fill(' '));
  const yOf = (v: number) => (hi === lo ? Math.floor(h / 2) : Math.round(((v - lo) / (hi - lo)) * (h - 1)));
  // Interpolate between neighbouring points so the chart reads as a line.
  for (let i = 0; i + 1 < shown.length; i++) {
    const a = shown[i].value;
    const b = shown[i + 1].value;
    if (a === undefined || b === undefined) continue;
    for (let x = 1; x < step; x++) {
      const y = yOf(a + ((b - a) * x) / step);
      grid[h - 1 - y][i * step + x] = '·';
    }
  }
  shown.forEach((p, i) => {
    if (p.value !== undefined && Number.isFinite(p.value)) grid[h - 1 - yOf(p.value)][i * step] = '●';
  });
  grid.forEach((r, i) => {
    const label = i === 0 ? formatNumber(hi) : i === h - 1 ? formatNumber(lo) : '';
    lines.push([seg(fit(label, labelW, 'right') + ' ┤', { dim: true }), seg(r.join(''), { color: 'cyan' })]);
  });
  lines.push([seg(' '.repeat(labelW) + ' └' + '─'.repeat(cols), { dim: true })]);
  const first = shown[0].row.name;
  const last = shown[shown.length - 1].row.name;
  lines.push([seg(' '.repeat(labelW + 2) + first + (shown.length > 1 ? ' '.repeat(Math.max(1, cols - first.length - last.length)) + last : ''), { dim: true })]);
  lines.push(blank, [seg(fit('sparkline', labelW) + '  ', { dim: true }), seg(sparkline(values), { color: 'cyan' })]);
  const latest = [...shown].reverse().find((p) => p.value !== undefined);
  const best = shown.reduce<(typeof shown)[number] | undefined>((acc, p) => {
    if (p.value === undefined) return acc;
    if (!acc || acc.value === undefined) return p;
    return (t.direction === 'max' ? p.value > acc.value : p.value < acc.value) ? p : acc;
  }, undefined);
  const firstP = shown.find((p) => p.value !== undefined);
  const summary: Line = [seg(fit('latest', labelW) + '  ', { dim: true }), seg(`${formatNumber(latest?.value)} (${latest?.row.name})`)];
  if (firstP && latest && firstP !== latest) {
    const dl = metricDelta(latest.value, firstP.value, t.direction);
    if (dl) summary.push(seg(`  ${formatDelta(dl.delta)} since ${firstP.row.name}`, { color: verdictColor(dl.verdict) }));
  }
  lines.push(summary);
  lines.push([seg(fit('best', labelW) + '  ', { dim: true }), seg(`${formatNumber(best?.value)} (${best?.row.name})`, { color: 'green' })]);
  return lines;
}

export const HELP: Array<[string, string]> = [
  ['↑ ↓  j k', 'move the cursor'],
  ['PgUp PgDn Home End', 'a page up/down, the first/last row'],
  ['← →  h l', 'move the column cursor (columns scroll)'],
  ['s', 'sort by the column under the cursor; again: reverse'],
  ['S', 'history order (experiments beneath their commit)'],
  ['/', 'filter: free text or key<op>value, op = != > >= < <= ~'],
  ['', 'e.g. accuracy>0.9 train.n_estimators=100 (terms ANDed)'],
  ['b', 'baseline = this row (again: clear); metrics show deltas'],
  ['', 'green better, red worse (loss/error/mae/mse: lower)'],
  ['d', 'hide params and metrics equal in every shown row'],
  ['space', 'mark the row (two at most; a third replaces the first)'],
  ['Enter', 'detail of the row; with two marked rows, their diff'],
  ['c', 'diff the two marked rows (or marked/baseline vs cursor)'],
  ['t', 'trend of the metric under the column cursor (← → other)'],
  ['?', 'this help'],
  ['Esc', 'back; in the table: clear the marks, then the filter'],
  ['q  Ctrl-C', 'quit'],
];

export function helpLines(): Line[] {
  const w = Math.max(...HELP.map(([k]) => k.length));
  return [
    title('Keys'),
    blank,
    ...HELP.map(([k, v]): Line => [seg('  ' + k.padEnd(w) + '  ', { bold: true, color: 'yellow' }), seg(v)]),
    blank,
    [seg('Detail, diff, help: ↑ ↓ PgUp PgDn Home End scroll; Esc back.', { dim: true })],
  ];
}
