/**
 * The main table's derived data. Each step is memoised on exactly what it depends
 * on, so a cursor move recomputes nothing and 5,000 rows are filtered or sorted
 * only when the filter or sort changes.
 */
import { useMemo, useRef } from 'react';
import type { MetricDirection, VersionRow } from '../../../src/compare/types.js';
import {
  collectKeys, compileFilter, filterIndices, sortIndices, varyingKeys,
  type Column, type RowPredicate, type SortSpec, type TableKeys,
} from '../../../src/compare/rows.js';
import { columnWidths, measureDeltas, measureRows } from '../table.js';

export interface TableModelInput {
  rows: readonly VersionRow[];
  filter: string;
  sort?: SortSpec;
  hideUnchanged: boolean;
  baselineId?: string;
  direction: (metric: string) => MetricDirection;
}

export interface TableModel {
  keys: TableKeys;
  /** Row indices in display order (filtered, then sorted). */
  order: number[];
  columns: Column[];
  widths: number[];
  deltaWidth: number;
  baseline?: VersionRow;
  filterError?: string;
  /** How many params/metrics `d` hides right now. */
  hidden: number;
}

const FIXED: Column[] = [
  { kind: 'name', key: 'name' },
  { kind: 'date', key: 'date' },
  { kind: 'message', key: 'message' },
];

export function useTableModel(input: TableModelInput): TableModel {
  const { rows, filter, sort, hideUnchanged, baselineId, direction } = input;
  const keys = useMemo(() => collectKeys(rows), [rows]);
  const valueWidths = useMemo(() => measureRows(rows, keys), [rows, keys]);

  // While the user is typing, an unfinished expression keeps the last good filter.
  const lastGood = useRef<RowPredicate>(() => true);
  const compiled = useMemo((): { keep: RowPredicate; error?: string } => {
    try {
      const keep = compileFilter(filter, keys);
      lastGood.current = keep;
      return { keep };
    } catch (e) {
      return { keep: lastGood.current, error: (e as Error).message };
    }
  }, [filter, keys]);

  const filtered = useMemo(() => filterIndices(rows, compiled.keep), [rows, compiled.keep]);
  const order = useMemo(() => (sort ? sortIndices(rows, filtered, sort) : filtered), [rows, filtered, sort]);

  const columns = useMemo(() => {
    const params = hideUnchanged ? varyingKeys(rows, filtered, keys.params, 'param') : keys.params;
    const metrics = hideUnchanged ? varyingKeys(rows, filtered, keys.metrics, 'metric') : keys.metrics;
    return [
      ...FIXED,
      ...params.map((key): Column => ({ kind: 'param', key })),
      ...metrics.map((key): Column => ({ kind: 'metric', key })),
    ];
  }, [rows, filtered, keys, hideUnchanged]);

  const baseline = useMemo(() => (baselineId ? rows.find((r) => r.id === baselineId) : undefined), [rows, baselineId]);
  const deltaWidth = useMemo(() => measureDeltas(rows, filtered, baseline, keys.metrics), [rows, filtered, baseline, keys]);
  const widths = useMemo(() => columnWidths(columns, valueWidths, deltaWidth), [columns, valueWidths, deltaWidth]);

  return {
    keys, order, columns, widths, deltaWidth, baseline,
    filterError: compiled.error,
    hidden: keys.params.length + keys.metrics.length - (columns.length - FIXED.length),
  };
}
