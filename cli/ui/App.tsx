/**
 * `mlv ui`: one live table of commits and experiments, with detail, diff, trend
 * and help views. Data comes only through the VersionSource it is given; key
 * handling is the pure `handleInput` in keys.ts.
 */
import React, { useMemo, useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import type { VersionRow, VersionSource } from '../../src/compare/types.js';
import { scrollOffset } from '../../src/compare/rows.js';
import { useAsync } from './hooks/useAsync.js';
import { useRows } from './hooks/useRows.js';
import { useTableModel } from './hooks/useTableModel.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { columnIndex, cursorIndex, fixColOffset, handleInput, initialState, type KeyContext, type UiState } from './keys.js';
import { scrollWidthOf, tableLines } from './table.js';
import { detailLines, diffLines, helpLines, rowLabel, trendLines } from './views.js';
import { Lines, ScrollView } from './components/Lines.js';
import { StatusBar, TitleBar } from './components/Bars.js';
import { seg, type Line } from './format.js';

export interface AppProps {
  source: VersionSource;
  /** Called once the user quits (after ink has been told to exit). */
  onQuit?: () => void;
}

const TABLE_HINTS = '? help  q quit  ↑↓ ←→ move  s sort  / filter  b baseline  d changed only  space mark  ⏎ detail  c diff  t trend';
const SCROLL_HINTS = 'Esc back  ? help  q quit  ↑↓ PgUp PgDn Home End scroll';

export function App({ source, onQuit }: AppProps): React.JSX.Element {
  const loaded = useRows(source);
  const size = useTerminalSize();
  if (loaded.status === 'loading') return <Text>Loading versions…</Text>;
  if (loaded.status === 'error') return <ErrorScreen message={loaded.error.message} onQuit={onQuit} />;
  return <Browser source={source} rows={loaded.value} notice={loaded.notice} width={size.columns} height={size.rows} onQuit={onQuit} />;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function ErrorScreen({ message, onQuit }: { message: string; onQuit?: () => void }): React.JSX.Element {
  const { exit } = useApp();
  useInput((input, key) => {
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) { exit(); onQuit?.(); }
  });
  return <Text color="red">mlv ui: could not load versions: {message}  (q to quit)</Text>;
}

function Browser({ source, rows, notice, width, height: termHeight, onQuit }: {
  source: VersionSource; rows: VersionRow[]; notice?: string; width: number; height: number; onQuit?: () => void;
}): React.JSX.Element {
  const { exit } = useApp();
  // One line short of the terminal: ink redraws a frame as tall as the screen by
  // clearing it, which flickers.
  const height = Math.max(6, termHeight - 1);
  const [state, setState] = useState<UiState>(initialState);
  const stateRef = useRef(state);
  const direction = source.direction;

  const model = useTableModel({
    rows,
    filter: state.draft ?? state.filter,
    sort: state.sort,
    hideUnchanged: state.hideUnchanged,
    baselineId: state.baselineId,
    direction,
  });
  const indexOfId = useMemo(() => new Map(rows.map((r, i) => [r.id, i])), [rows]);
  const byId = (id: string | undefined) => (id === undefined ? undefined : rows[indexOfId.get(id) ?? -1]);

  const pageHeight = Math.max(1, height - 3);
  const scrollWidth = scrollWidthOf(width, model.widths);
  const cursor = Math.min(cursorIndex(state, { order: model.order, indexOfId }), Math.max(0, model.order.length - 1));
  const offset = scrollOffset(cursor, state.offset, pageHeight, model.order.length);
  const col = Math.min(columnIndex(state, model.columns), model.columns.length - 1);
  const colOffset = fixColOffset(col, state.colOffset, model.widths, scrollWidth);

  const detailRow = state.view === 'detail' ? byId(state.detailId) : undefined;
  const detail = useAsync(detailRow ? () => source.detail(detailRow) : undefined, [detailRow, source]);
  const diffRows = state.view === 'diff' && state.diffIds ? [byId(state.diffIds[0]), byId(state.diffIds[1])] : undefined;
  const diffA = diffRows?.[0];
  const diffB = diffRows?.[1];
  const diff = useAsync(diffA && diffB ? () => source.diff(diffA, diffB) : undefined, [diffA, diffB, source]);

  const commits = useMemo(() => rows.filter((r) => r.kind === 'commit').reverse(), [rows]);

  // The scrollable views' lines, computed once per data/width change.
  const scrollLines: Line[] | undefined = useMemo(() => {
    if (state.view === 'help') return helpLines();
    if (state.view === 'detail') {
      if (detail.status === 'ready') return detailLines(detail.value, width, direction, model.baseline);
      return [[seg(detail.status === 'error' ? `error: ${detail.error.message}` : 'Loading…', { color: detail.status === 'error' ? 'red' : undefined })]];
    }
    if (state.view === 'diff') {
      if (diff.status === 'ready' && diffA && diffB) return diffLines(diff.value, diffA, diffB, direction);
      return [[seg(diff.status === 'error' ? `error: ${diff.error.message}` : 'Loading…', { color: diff.status === 'error' ? 'red' : undefined })]];
    }
    return undefined;
  }, [state.view, detail, diff, diffA, diffB, width, direction, model.baseline]);
  const scrollPage = Math.max(1, height - 2);

  const ctx: KeyContext = {
    rows, order: model.order, indexOfId, columns: model.columns, widths: model.widths, scrollWidth,
    pageHeight, scrollLines: scrollLines?.length ?? 0, scrollPage, metrics: model.keys.metrics, direction,
    filterError: model.filterError,
  };

  // The handler reads what was last rendered through refs: ink re-subscribes it in
  // an effect, so a key that arrives right after a paint may reach the previous one.
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const shown = useRef<{ state: UiState; normal: Partial<UiState> }>({ state, normal: {} });
  useInput((input, key) => {
    const current = stateRef.current;
    // Start from what is on screen (cursor, windows and scroll clamped), then apply the key.
    const base: UiState = current === shown.current.state ? { ...current, ...shown.current.normal } : current;
    const next = handleInput(base, input, key, ctxRef.current);
    if (next === 'quit') {
      exit();
      onQuit?.();
      return;
    }
    stateRef.current = next;
    setState(next);
  });

  let title: Array<string | undefined>;
  let body: React.JSX.Element;
  let hints = SCROLL_HINTS;
  let position: string | undefined;

  if (state.view === 'table') {
    const commitsShown = model.order.reduce((n, i) => n + (rows[i].kind === 'commit' ? 1 : 0), 0);
    const jobsShown = model.order.reduce((n, i) => n + (rows[i].kind === 'job' ? 1 : 0), 0);
    title = [
      `${model.order.length === rows.length ? '' : `${model.order.length} of `}${rows.length} versions (${plural(commitsShown, 'commit')}, ${plural(model.order.length - commitsShown - jobsShown, 'exp')}${jobsShown ? `, ${plural(jobsShown, 'job')}` : ''})`,
      state.filter && state.draft === undefined ? `filter: ${state.filter}` : undefined,
      state.sort ? `sort: ${state.sort.column.key} ${state.sort.descending ? '▼' : '▲'}` : undefined,
      model.baseline ? `baseline: ${model.baseline.name}` : undefined,
      state.hideUnchanged ? `changed only (${model.hidden} hidden)` : undefined,
      notice,
    ];
    const lines = model.order.length === 0
      ? [[seg(rows.length === 0 ? 'No versions yet: commit with mlv, or run mlv exp run.' : 'No row matches the filter (Esc clears it).', { dim: true })]]
      : tableLines({
        rows, order: model.order, columns: model.columns, widths: model.widths, cursor, offset,
        height: pageHeight, width, col, colOffset, marked: state.marked, baseline: model.baseline,
        sort: state.sort, direction, deltaWidth: model.deltaWidth,
      });
    body = <Lines lines={lines} width={width} />;
    hints = TABLE_HINTS;
    position = model.order.length > 0 ? `${cursor + 1}/${model.order.length}` : undefined;
    shown.current = { state, normal: { offset, colOffset } };
  } else if (state.view === 'trend') {
    const metric = state.trendMetric ?? model.keys.metrics[0] ?? '';
    const lines = trendLines({
      metric,
      points: commits.map((row) => ({ row, value: row.metrics[metric] })),
      direction: direction(metric),
      width,
      height: Math.max(3, Math.min(14, height - 9)),
    });
    title = ['trend', `${model.keys.metrics.indexOf(metric) + 1}/${model.keys.metrics.length} metrics`];
    body = <Lines lines={lines.slice(0, height - 2)} width={width} />;
    shown.current = { state, normal: {} };
    hints = 'Esc back  ? help  q quit  ←→ other metric';
  } else {
    const lines = scrollLines ?? [];
    const y = Math.max(0, Math.min(state.scroll, lines.length - scrollPage));
    shown.current = { state, normal: { scroll: y } };
    title = state.view === 'help' ? ['help']
      : state.view === 'detail' ? ['detail', detailRow ? rowLabel(detailRow) : undefined]
        : ['diff', diffA && diffB ? `${diffA.name} → ${diffB.name}` : undefined];
    body = <ScrollView lines={lines} width={width} height={scrollPage} offset={y} />;
    if (lines.length > scrollPage) position = `${y + 1}-${Math.min(lines.length, y + scrollPage)}/${lines.length}`;
  }

  return (
    <Box flexDirection="column" width={width} height={height}>
      <TitleBar parts={title} width={width} />
      <Box flexDirection="column" flexGrow={1}>{body}</Box>
      <StatusBar
        prompt={state.draft}
        error={state.draft !== undefined ? model.filterError : undefined}
        message={state.message ?? (state.draft === undefined && model.filterError ? model.filterError : undefined)}
        hints={hints}
        position={position}
        width={width}
      />
    </Box>
  );
}
