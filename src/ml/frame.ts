/**
 * The in-memory table every ML built-in works on. Columns are stored column-major so
 * numeric work runs over typed arrays.
 *
 * - number / boolean / date columns: Float64Array; NaN marks a missing value;
 *   booleans are 0/1; dates are epoch milliseconds (UTC).
 * - categorical columns: string values, null marks a missing value.
 */
export type ColumnType = 'number' | 'boolean' | 'date' | 'categorical';

export interface NumericColumn {
  name: string;
  type: 'number' | 'boolean' | 'date';
  values: Float64Array;
}

export interface CategoricalColumn {
  name: string;
  type: 'categorical';
  values: Array<string | null>;
}

export type Column = NumericColumn | CategoricalColumn;

export interface Frame {
  columns: Column[];
  nRows: number;
  /** Where the rows came from, for error messages ("data/train.csv"). */
  source?: string;
}

export function column(frame: Frame, name: string): Column | undefined {
  return frame.columns.find((c) => c.name === name);
}
