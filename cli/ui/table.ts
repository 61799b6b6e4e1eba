/**
 * The main view's lines, built from the table model: a header and the visible
 * window of rows. Pure, so it is cheap to test and only ever touches the
 * `height` rows on screen, however many versions there are.
 */
import type { MetricDirection, VersionRow } from '../../src/compare/types.js';
import {
  cellValue, columnsThatFit, metricDelta, type Column, type SortSpec, type TableKeys,
} from '../../src/compare/rows.js';
import {
  fit, fitEnd, formatDelta, formatNumber, formatValue, seg, shortDate, verdictColor, type Line, type Seg,
} from './format.js';

export const GAP = 2;
const GUTTER = 2; // mark + baseline flag
const LABEL_MAX = 16;
const VALUE_MAX = 16;

export const colId = (c: Column): string => `${c.kind}:${c.key}`;

export interface ValueWidths {
  name: number;
  message: number;
  /** Widest formatted value per `colId`. */
  values: Map<string, number>;
}

/** Widest cell per column, over all rows (so scrolling never makes columns jump). */
export function measureRows(rows: readonly VersionRow[], keys: TableKeys): ValueWidths {
  const values = new Map<string, number>();
  let name = 4;
  let message = 7;
  for (const row of rows) {
    if (row.name.length > name) name = row.name.length;
    if (row.message.length > message) message = row.message.length;
    for (const k in row.params) {
      const id = 'param:' + k;
      const w = formatValue(row.params[k]).length;
      if (w > (values.get(id) ?? 0)) values.set(id, w);
    }
    for (const k in row.metrics) {
      const id = 'metric:' + k;
      const w = formatNumber(row.metrics[k]).length;
      if (w > (values.get(id) ?? 0)) values.set(id, w);
    }
  }
  void keys;
  return { name, message, values };
}

/** Cell width of each column; metric columns grow by the delta when a baseline is set. */
export function columnWidths(columns: readonly Column[], vw: ValueWidths, deltaWidth: number): number[] {
  return columns.map((c) => {
    const label = Math.min(c.key.length + 2, LABEL_MAX);
    switch (c.kind) {
      case 'name': return Math.min(vw.name + 2, 22);
      case 'date': return 11;
      case 'message': return Math.min(vw.message, 24);
      case 'param': return Math.max(label, Math.min(vw.values.get(colId(c)) ?? 1, VALUE_MAX));
      case 'metric': {
        const v = Math.min(vw.values.get(colId(c)) ?? 1, VALUE_MAX);
        return Math.max(label, deltaWidth > 0 ? v + 1 + deltaWidth : v);
      }
    }
  });
}

export interface TableProps {
  rows: readonly VersionRow[];
  order: readonly number[];
  columns: readonly Column[];
  widths: readonly number[];
  /** Index into `order`. */
  cursor: number;
  offset: number;
  /** Rows of data to show (header not included). */
  height: number;
  width: number;
  /** Index into `columns` of the column under the cursor. */
  col: number;
  /** Index into `columns` of the first scrollable column shown (≥ 1; column 0 is frozen). */
  colOffset: number;
  marked: readonly string[];
  baseline?: VersionRow;
  sort?: SortSpec;
  direction: (metric: string) => MetricDirection;
  deltaWidth: number;
}

/** Width left for the scrollable columns, after the gutter, the name column and the ◀▶ marks. */
export function scrollWidthOf(width: number, widths: readonly number[]): number {
  return Math.max(1, width - GUTTER - (widths[0] ?? 0) - GAP - 3);
}

/** Which columns are on screen: the frozen name column, then as many as fit from colOffset. */
export function visibleColumns(p: Pick<TableProps, 'columns' | 'widths' | 'width' | 'colOffset'>): number[] {
  const n = columnsThatFit(p.widths.slice(1), p.colOffset - 1, scrollWidthOf(p.width, p.widths), GAP);
  const out = [0];
  for (let i = 0; i < n; i++) out.push(p.colOffset + i);
  return out;
}

function headerLabel(c: Column): string {
  return c.kind === 'param' || c.kind === 'metric' ? c.key : c.kind;
}

export function tableLines(p: TableProps): Line[] {
  const shown = visibleColumns(p);
  const lines: Line[] = [];
  const header: Line = [seg(' '.repeat(GUTTER))];
  for (const [j, ci] of shown.entries()) {
    const c = p.columns[ci];
    const w = p.widths[ci];
    if (j > 0) header.push(seg(' '.repeat(GAP)));
    const sorted = p.sort && colId(p.sort.column) === colId(c);
    const arrow = sorted ? (p.sort!.descending ? '▼' : '▲') : '';
    const right = c.kind === 'metric' || (c.kind === 'param' && isNumericParam(p, c));
    const text = right
      ? (fitEnd(headerLabel(c), w - arrow.length).trimEnd() + arrow).padStart(w)
      : fitEnd(headerLabel(c), w - arrow.length).trimEnd().concat(arrow).padEnd(w);
    header.push(seg(text, {
      bold: true,
      inverse: ci === p.col,
      color: c.kind === 'metric' ? 'cyan' : c.kind === 'param' ? 'yellow' : undefined,
    }));
  }
  const more = shown[shown.length - 1] < p.columns.length - 1;
  if (p.colOffset > 1 || more) header.push(seg(` ${p.colOffset > 1 ? '◀' : ' '}${more ? '▶' : ' '}`, { dim: true }));
  lines.push(header);

  const end = Math.min(p.order.length, p.offset + p.height);
  const tree = !p.sort;
  for (let i = p.offset; i < end; i++) {
    const row = p.rows[p.order[i]];
    const next = i + 1 < p.order.length ? p.rows[p.order[i + 1]] : undefined;
    lines.push(rowLine(p, row, next, shown, i === p.cursor, tree));
  }
  return lines;
}

function isNumericParam(p: Pick<TableProps, 'rows' | 'order' | 'offset'>, c: Column): boolean {
  const row = p.rows[p.order[p.offset]];
  return row !== undefined && typeof row.params[c.key] === 'number';
}

function rowLine(p: TableProps, row: VersionRow, next: VersionRow | undefined, shown: number[], isCursor: boolean, tree: boolean): Line {
  const markIdx = p.marked.indexOf(row.id);
  const isBase = p.baseline?.id === row.id;
  const line: Line = [
    seg(markIdx >= 0 ? String(markIdx + 1) : ' ', { color: 'magenta', bold: true }),
    seg(isBase ? '◆' : ' ', { color: 'cyan', bold: true }),
  ];
  for (const [j, ci] of shown.entries()) {
    const c = p.columns[ci];
    const w = p.widths[ci];
    if (j > 0) line.push(seg(' '.repeat(GAP)));
    line.push(...cell(p, row, next, c, w, tree));
  }
  if (isCursor) for (const s of line) s.inverse = true;
  return line;
}

const JOB_MARK: Record<string, string> = { queued: '…', running: '▶', failed: '✗', ok: '↓' };

function cell(p: TableProps, row: VersionRow, next: VersionRow | undefined, c: Column, w: number, tree: boolean): Seg[] {
  switch (c.kind) {
    case 'name': {
      let glyph = '';
      if (row.kind !== 'commit') {
        const last = !tree || !(next && next.kind !== 'commit' && next.baseline === row.baseline);
        glyph = tree ? (last ? '└ ' : '├ ') : '◦ ';
      }
      const color = row.status === 'failed' ? 'red' : row.status === 'running' ? 'yellow'
        : row.status === 'queued' ? 'cyan' : row.kind === 'commit' ? 'yellow' : undefined;
      // A job: … queued, ▶ running, ✗ failed, ↓ done on a worker and not fetched.
      const mark = row.kind === 'job' ? ` ${JOB_MARK[row.status ?? ''] ?? ''}` : row.status === 'failed' ? ' ✗' : '';
      return [seg(glyph, { dim: true }), seg(fit(row.name + mark, w - glyph.length), { color, bold: row.kind === 'commit' })];
    }
    case 'date': return [seg(fit(shortDate(row.date), w), { dim: true })];
    case 'message': return [seg(fit(row.message, w))];
    case 'param': {
      const v = cellValue(row, c);
      const text = formatValue(v);
      const base = p.baseline?.params[c.key];
      const changed = p.baseline !== undefined && v !== base;
      return [seg(fit(text, w, typeof v === 'number' ? 'right' : 'left'), { bold: changed, dim: v === undefined })];
    }
    case 'metric': {
      const v = row.metrics[c.key];
      if (p.deltaWidth === 0 || !p.baseline) return [seg(fit(formatNumber(v), w, 'right'), { dim: v === undefined })];
      const d = p.baseline.id === row.id ? undefined : metricDelta(v, p.baseline.metrics[c.key], p.direction(c.key));
      const dText = fit(formatDelta(d?.delta), p.deltaWidth);
      return [
        seg(fit(formatNumber(v), w - 1 - p.deltaWidth, 'right') + ' ', { dim: v === undefined }),
        seg(dText, { color: verdictColor(d?.verdict), dim: d?.verdict === 'same' }),
      ];
    }
  }
}

/**
 * Width for the delta text against `base` over the given rows (0 without a
 * baseline). Formatting 15,000 deltas on every filter keystroke is too slow, so
 * this bounds the width from the smallest and largest magnitudes: with four
 * significant digits, the longest text belongs to one of the two.
 */
export function measureDeltas(rows: readonly VersionRow[], order: readonly number[], base: VersionRow | undefined, metrics: readonly string[]): number {
  if (!base) return 0;
  let lo = Infinity;
  let hi = 0;
  for (const k of metrics) {
    const b = base.metrics[k];
    if (b === undefined) continue;
    for (const i of order) {
      const v = rows[i].metrics[k];
      if (v === undefined) continue;
      const d = Math.abs(v - b);
      if (d === 0 || !Number.isFinite(d)) continue;
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
  }
  if (hi === 0) return 2;
  const widest = (x: number) => Math.max(formatNumber(x).length, Number.isInteger(x) || x >= 1000 || x < 1e-4 ? 0 : x.toPrecision(4).length);
  return Math.min(1 + Math.max(widest(lo), widest(hi)), 10);
}
