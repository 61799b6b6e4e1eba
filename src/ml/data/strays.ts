/**
 * A column of numbers with a few text cells ("thirty" among ages) is read as text, and the
 * commands that need numbers would otherwise only say "categorical". These helpers find
 * the stray cells so the message can name the line and the value.
 */
import { parseNumber } from './values.js';

/** At least this share of a column's non-missing values must be numbers for it to count as "mostly numeric". */
export const MOSTLY_NUMERIC = 0.9;

export interface StrayText {
  /** Row (0-based) of the first value that is not a number. */
  row: number;
  value: string;
  /** Values that are not numbers, and values that are. */
  count: number;
  numbers: number;
}

/** The text values of a mostly-numeric text column, or null when it is not one. */
export function strayText(values: ArrayLike<string | null>): StrayText | null {
  let numbers = 0, count = 0, row = -1;
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    if (s === null) continue;
    if (Number.isNaN(parseNumber(s))) {
      if (row < 0) row = i;
      count++;
    } else numbers++;
  }
  if (count === 0 || numbers < MOSTLY_NUMERIC * (numbers + count)) return null;
  return { row, value: values[row]!, count, numbers };
}

/** "…: line 31, column "age": "thirty" is not a number (1 text value among 120 numbers)". */
export function strayMessage(file: string, line: number, column: string, s: StrayText): string {
  const what = s.count === 1 ? '1 text value' : `${s.count} text values, the first`;
  return `${file}: line ${line}, column "${column}": ${JSON.stringify(s.value)} is not a number (${what} among ${s.numbers} numbers)`;
}
