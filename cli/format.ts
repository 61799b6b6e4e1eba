/**
 * How the CLI and the UI write values, deltas and tables, in one place. A verb picks a
 * style (how many significant digits, when an exponent) instead of writing its own
 * number formatter, so `exp show`, `metrics`, `diff`, `explore` and `mlv ui` print a
 * number the same way wherever they ask for the same precision.
 */

/** ANSI colour on stdout, off when it is not a terminal or NO_COLOR is set. */
export const color = {
  enabled: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  wrap(code: number, s: string): string {
    return this.enabled ? `\x1b[${code}m${s}\x1b[0m` : s;
  },
  red(s: string) { return color.wrap(31, s); },
  green(s: string) { return color.wrap(32, s); },
  yellow(s: string) { return color.wrap(33, s); },
  dim(s: string) { return color.wrap(2, s); },
  bold(s: string) { return color.wrap(1, s); },
};

/** How a number is written. */
export interface NumberStyle {
  /** Significant digits of a number that is not written whole; absent: as JavaScript writes it. */
  digits?: number;
  /** Whole numbers below this magnitude are written in full (default: every whole number). */
  wholeBelow?: number;
  /** |n| from this on: an exponent with two decimals. */
  expFrom?: number;
  /** |n| from this on: no decimals (narrow columns). */
  roundFrom?: number;
  /** 0 < |n| below this: an exponent with two decimals. */
  expBelow?: number;
  /** A missing value (undefined or null). */
  missing?: string;
  /** NaN (default "NaN"). */
  nan?: string;
}

/** Table cells of exp show, exp best, exp search: 4 significant digits, '-' when missing. */
export const CELL: NumberStyle = { digits: 4, missing: '-', nan: '-' };
/** mlv ui's narrow columns: 4 digits, no decimals from 1000, an exponent below 1e-4. */
export const NARROW: NumberStyle = { digits: 4, roundFrom: 1000, expBelow: 1e-4, missing: '-' };
/** Values of metrics show/diff and diff: 10 significant digits, '—' when missing. */
export const EXACT: NumberStyle = { digits: 10, wholeBelow: 1e10, missing: '—' };
/**
 * Statistics of explore: 4 digits, but never fewer than the integer part's (a quartile of
 * 19800212.5 is 19800213, not 19800000); exponents outside [1e-3, 1e9).
 */
export const STAT: NumberStyle = { digits: 4, wholeBelow: 1e9, expFrom: 1e9, roundFrom: 1e4, expBelow: 1e-3, missing: '' };
/** Params as given: every digit, '—' when missing. */
export const PARAM: NumberStyle = { missing: '—' };
/** Deltas of exp show and exp diff: 3 significant digits. */
export const DELTA: NumberStyle = { digits: 3, wholeBelow: 0 };
/** Deltas of metrics diff and diff: 6 significant digits. */
export const EXACT_DELTA: NumberStyle = { digits: 6, wholeBelow: 0 };

export function formatNumber(n: number | null | undefined, style: NumberStyle = CELL): string {
  if (n === undefined || n === null) return style.missing ?? '-';
  if (Number.isNaN(n)) return style.nan ?? 'NaN';
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (Number.isInteger(n) && abs < (style.wholeBelow ?? Infinity)) return String(n);
  if (style.expFrom !== undefined && abs >= style.expFrom) return n.toExponential(2);
  if (style.roundFrom !== undefined && abs >= style.roundFrom) return n.toFixed(0);
  if (style.expBelow !== undefined && n !== 0 && abs < style.expBelow) return n.toExponential(2);
  return style.digits === undefined ? String(n) : String(Number(n.toPrecision(style.digits)));
}

/** Any value: a number in `style`, a string as it is, anything else as JSON. */
export function formatValue(v: unknown, style: NumberStyle = EXACT): string {
  if (v === undefined) return style.missing ?? '-';
  if (typeof v === 'number') return formatNumber(v, style);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A signed change: "+0.012", "-3"; '' when there is none; `zero` (e.g. "±0") for no change. */
export function formatDelta(d: number | undefined, style: NumberStyle = DELTA, zero?: string): string {
  if (d === undefined) return '';
  if (d === 0 && zero !== undefined) return zero;
  return (d < 0 ? '-' : '+') + formatNumber(Math.abs(d), style);
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  const s = i === 0 ? String(v) : v.toFixed(v >= 100 ? 0 : 1);
  return `${n < 0 ? '-' : ''}${s} ${units[i]}`;
}

/** "2024-05-03T10:00:00Z" → "2024-05-03 10:00" (`year: false`: "05-03 10:00"), as recorded. */
export function shortDate(iso: string, o: { year?: boolean } = {}): string {
  if (o.year === false) {
    const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)/.exec(iso);
    return m ? `${m[2]}-${m[3]} ${m[4]}:${m[5]}` : iso.slice(0, 11);
  }
  return iso ? iso.replace('T', ' ').slice(0, 16) : '';
}

/** The width of a cell as the terminal shows it (colour codes take no room). */
export const visibleWidth = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Pad with spaces, or cut with an ellipsis, to exactly `w` characters. */
export function fit(s: string, w: number, align: 'left' | 'right' = 'left'): string {
  if (w <= 0) return '';
  if (s.length > w) return w === 1 ? '…' : s.slice(0, w - 1) + '…';
  return align === 'left' ? s.padEnd(w) : s.padStart(w);
}

/** Like fit, but a long text keeps its end ("…n_estimators"): keys differ at the end. */
export function fitEnd(s: string, w: number): string {
  if (s.length <= w) return s.padEnd(w);
  return w <= 1 ? '…' : '…' + s.slice(s.length - w + 1);
}

/** A plain text table, columns padded to their widest cell, the head in bold. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((c, i) => c + ' '.repeat(Math.max(0, widths[i] - visibleWidth(c)))).join('  ').trimEnd();
  return [line(head.map((h) => color.bold(h))), ...rows.map(line)].join('\n');
}
