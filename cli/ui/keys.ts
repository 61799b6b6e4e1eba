/**
 * What each key does, as a pure function from (state, key, what is on screen) to
 * the next state. The App keeps the state; this file is the whole key map.
 */
import type { Key } from 'ink';
import type { VersionRow } from '../../src/compare/types.js';
import {
  clamp, columnOffset, defaultDescending, scrollOffset, type Column, type MetricDelta, type SortSpec,
} from '../../src/compare/rows.js';
import type { MetricDirection } from '../../src/compare/types.js';
import { colId, GAP } from './table.js';

export type View = 'table' | 'detail' | 'diff' | 'trend' | 'help';

export interface UiState {
  view: View;
  /** Where Esc returns from help. */
  back: View;
  cursorId?: string;
  offset: number;
  colKey: string;
  colOffset: number;
  sort?: SortSpec;
  filter: string;
  /** The filter being typed; undefined when the prompt is closed. */
  draft?: string;
  baselineId?: string;
  hideUnchanged: boolean;
  marked: string[];
  message?: string;
  detailId?: string;
  diffIds?: [string, string];
  trendMetric?: string;
  scroll: number;
}

export const initialState: UiState = {
  view: 'table', back: 'table', offset: 0, colKey: 'name:name', colOffset: 1,
  filter: '', hideUnchanged: false, marked: [], scroll: 0,
};

/** What the key handler needs to know about the screen. */
export interface KeyContext {
  rows: readonly VersionRow[];
  order: readonly number[];
  indexOfId: ReadonlyMap<string, number>;
  columns: readonly Column[];
  widths: readonly number[];
  /** Width left for the scrollable columns. */
  scrollWidth: number;
  pageHeight: number;
  /** Lines in the current scroll view (detail, diff, help) and its page height. */
  scrollLines: number;
  scrollPage: number;
  metrics: readonly string[];
  direction: (metric: string) => MetricDirection;
  filterError?: string;
}

export type KeyResult = UiState | 'quit';
export type { MetricDelta };

export function cursorIndex(s: UiState, ctx: Pick<KeyContext, 'order' | 'indexOfId'>): number {
  if (s.cursorId === undefined) return 0;
  const rowIndex = ctx.indexOfId.get(s.cursorId);
  if (rowIndex === undefined) return 0;
  const i = ctx.order.indexOf(rowIndex);
  return i < 0 ? 0 : i;
}

export function columnIndex(s: UiState, columns: readonly Column[]): number {
  const i = columns.findIndex((c) => colId(c) === s.colKey);
  return i < 0 ? 0 : i;
}

/** First scrollable column to show so the column cursor stays on screen. */
export function fixColOffset(col: number, colOffset: number, widths: readonly number[], scrollWidth: number): number {
  if (col === 0) return Math.max(1, Math.min(colOffset, widths.length - 1));
  return columnOffset(col - 1, Math.max(0, colOffset - 1), widths.slice(1), scrollWidth, GAP) + 1;
}

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
  home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false,
  backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};

/**
 * Handle one input event. Outside the filter prompt, a burst of plain characters
 * (a fast typist, tmux send-keys, a paste) is handled one key at a time.
 */
export function handleInput(s: UiState, input: string, key: Key, ctx: KeyContext): KeyResult {
  if (s.draft === undefined && input.length > 1 && !input.includes('\u001B') && !key.ctrl && !key.meta) {
    let state: KeyResult = s;
    for (const ch of input) {
      if (state === 'quit') break;
      state = handleKey(state, ch, { ...NO_KEY, return: ch === '\r', shift: ch !== ch.toLowerCase() }, ctx);
    }
    return state;
  }
  return handleKey(s, input, key, ctx);
}

export function handleKey(s0: UiState, input: string, key: Key, ctx: KeyContext): KeyResult {
  const s: UiState = { ...s0, message: undefined };
  if (key.ctrl && input === 'c') return 'quit';
  if (s.draft !== undefined) return filterKey(s, input, key, ctx);
  if (input === 'q') return 'quit';
  if (input === '?') {
    return s.view === 'help' ? { ...s, view: s.back, scroll: 0 } : { ...s, view: 'help', back: s.view, scroll: 0 };
  }
  switch (s.view) {
    case 'table': return tableKey(s, input, key, ctx);
    case 'trend': return trendKey(s, input, key, ctx);
    case 'help': if (key.escape) return { ...s, view: s.back, scroll: 0 }; return scrollKey(s, key, ctx);
    default: if (key.escape) return { ...s, view: 'table', scroll: 0 }; return scrollKey(s, key, ctx);
  }
}

function filterKey(s: UiState, input: string, key: Key, ctx: KeyContext): KeyResult {
  const draft = s.draft ?? '';
  if (key.escape) return { ...s, draft: undefined };
  if (key.return) {
    if (ctx.filterError) return { ...s, message: undefined };
    return { ...s, filter: draft.trim(), draft: undefined, offset: 0 };
  }
  if (key.backspace || key.delete) return { ...s, draft: draft.slice(0, -1) };
  if (key.ctrl && input === 'u') return { ...s, draft: '' };
  if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab || key.ctrl || key.meta) return s;
  return { ...s, draft: draft + input.replace(/[\r\n]/g, '') };
}

function scrollKey(s: UiState, key: Key, ctx: KeyContext): KeyResult {
  // End goes past any length: the view clamps, so it also works before the content loads.
  const max = Math.max(0, ctx.scrollLines - ctx.scrollPage);
  if (key.end) return { ...s, scroll: Number.MAX_SAFE_INTEGER };
  let y = s.scroll;
  if (key.upArrow) y--;
  else if (key.downArrow) y++;
  else if (key.pageUp) y -= ctx.scrollPage;
  else if (key.pageDown) y += ctx.scrollPage;
  else if (key.home) y = 0;
  return { ...s, scroll: clamp(y, 0, Math.max(max, s.scroll)) };
}

function trendKey(s: UiState, input: string, key: Key, ctx: KeyContext): KeyResult {
  if (key.escape) return { ...s, view: 'table' };
  const n = ctx.metrics.length;
  if (n === 0) return s;
  const i = Math.max(0, ctx.metrics.indexOf(s.trendMetric ?? ''));
  if (key.leftArrow || input === 'h') return { ...s, trendMetric: ctx.metrics[(i - 1 + n) % n] };
  if (key.rightArrow || input === 'l') return { ...s, trendMetric: ctx.metrics[(i + 1) % n] };
  return s;
}

function moveTo(s: UiState, index: number, ctx: KeyContext): UiState {
  const total = ctx.order.length;
  if (total === 0) return s;
  const i = clamp(index, 0, total - 1);
  return {
    ...s,
    cursorId: ctx.rows[ctx.order[i]].id,
    offset: scrollOffset(i, s.offset, ctx.pageHeight, total),
  };
}

function tableKey(s: UiState, input: string, key: Key, ctx: KeyContext): KeyResult {
  const cur = cursorIndex(s, ctx);
  const row = ctx.order.length > 0 ? ctx.rows[ctx.order[cur]] : undefined;
  const col = columnIndex(s, ctx.columns);

  if (key.upArrow || input === 'k') return moveTo(s, cur - 1, ctx);
  if (key.downArrow || input === 'j') return moveTo(s, cur + 1, ctx);
  if (key.pageUp) return moveTo(s, cur - ctx.pageHeight, ctx);
  if (key.pageDown) return moveTo(s, cur + ctx.pageHeight, ctx);
  if (key.home || input === 'g') return moveTo(s, 0, ctx);
  if (key.end || input === 'G') return moveTo(s, ctx.order.length - 1, ctx);
  if (key.leftArrow || key.rightArrow || input === 'h' || input === 'l') {
    const next = clamp(col + (key.leftArrow || input === 'h' ? -1 : 1), 0, ctx.columns.length - 1);
    return {
      ...s,
      colKey: colId(ctx.columns[next]),
      colOffset: fixColOffset(next, s.colOffset, ctx.widths, ctx.scrollWidth),
    };
  }
  if (key.escape) {
    if (s.marked.length > 0) return { ...s, marked: [] };
    if (s.filter) return { ...s, filter: '', message: 'filter cleared' };
    return s;
  }
  if (input === '/') return { ...s, draft: s.filter };
  if (input === 's') {
    const c = ctx.columns[col];
    const same = s.sort && colId(s.sort.column) === colId(c);
    const sort: SortSpec = same
      ? { column: c, descending: !s.sort!.descending }
      : { column: c, descending: defaultDescending(c, ctx.direction) };
    return { ...s, sort, offset: 0 };
  }
  if (input === 'S') return { ...s, sort: undefined, message: 'history order' };
  if (input === 'd') {
    const hide = !s.hideUnchanged;
    return { ...s, hideUnchanged: hide, message: hide ? 'showing only params and metrics that differ' : 'showing all params and metrics' };
  }
  if (!row) return s;
  if (input === 'b') {
    if (s.baselineId === row.id) return { ...s, baselineId: undefined, message: 'baseline cleared' };
    return { ...s, baselineId: row.id, message: `baseline: ${row.name}` };
  }
  if (input === ' ') {
    if (s.marked.includes(row.id)) return { ...s, marked: s.marked.filter((id) => id !== row.id) };
    const marked = [...s.marked, row.id].slice(-2);
    return {
      ...s, marked,
      message: marked.length === 2 ? 'two rows marked: Enter or c shows their diff' : `marked ${row.name}`,
    };
  }
  if (key.return) {
    if (s.marked.length === 2) return { ...s, view: 'diff', diffIds: [s.marked[0], s.marked[1]], scroll: 0 };
    return { ...s, view: 'detail', detailId: row.id, scroll: 0 };
  }
  if (input === 'c') {
    let pair: [string, string] | undefined;
    if (s.marked.length === 2) pair = [s.marked[0], s.marked[1]];
    else if (s.marked.length === 1 && s.marked[0] !== row.id) pair = [s.marked[0], row.id];
    else if (s.baselineId && s.baselineId !== row.id) pair = [s.baselineId, row.id];
    if (!pair) return { ...s, message: 'to diff: mark two rows with space (or one, then move), or set a baseline with b' };
    return { ...s, view: 'diff', diffIds: pair, scroll: 0 };
  }
  if (input === 't') {
    const c = ctx.columns[col];
    const metric = c.kind === 'metric' ? c.key
      : s.sort?.column.kind === 'metric' ? s.sort.column.key
        : ctx.metrics.includes(s.trendMetric ?? '') ? s.trendMetric : ctx.metrics[0];
    if (!metric) return { ...s, message: 'no metrics recorded: nothing to chart' };
    return { ...s, view: 'trend', trendMetric: metric };
  }
  return s;
}
