/**
 * How one CSV cell is read: missing tokens, numbers, booleans, ISO dates. Shared by the
 * frame reader and the streaming explorer so both infer the same types.
 */
import type { ColumnType } from '../frame.js';

/** pandas' default na_values, minus the exotic ones. */
const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '<NA>']);

export function isMissing(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  const c = s.charCodeAt(0);
  const e = s.charCodeAt(n - 1);
  if (c <= 32 || e <= 32) return MISSING.has(s.trim());
  // Every missing token starts with N, n, # or <: skip the set lookup for the rest.
  if (c === 78 || c === 110 || c === 35 || c === 60) return MISSING.has(s);
  return false;
}

/** A decimal number (no hex/octal/binary, no thousands separators); NaN if not one. */
export function parseNumber(s: string): number {
  const x = +s;
  if (x !== x) {
    const t = s.trim();
    return t === 'inf' || t === '+inf' ? Infinity : t === '-inf' ? -Infinity : NaN;
  }
  if (x === 0 && s.trim() === '') return NaN;
  // `+` also accepts 0x1f, 0b1, 0o7.
  if (s.length > 2) {
    const c1 = s.charCodeAt(1) | 32, c2 = s.charCodeAt(2) | 32;
    if (c1 === 120 || c1 === 98 || c1 === 111 || c2 === 120 || c2 === 98 || c2 === 111) {
      if (/^\s*[+-]?0[xXbBoO]/.test(s)) return NaN;
    }
  }
  return x;
}

/** 1 / 0 for true / false spellings, NaN otherwise. */
export function parseBoolean(s: string): number {
  switch (s.trim()) {
    case 'true': case 'True': case 'TRUE': return 1;
    case 'false': case 'False': case 'FALSE': return 0;
    default: return NaN;
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO 8601 date or date-time to epoch milliseconds (UTC; a time without an offset is
 * taken as UTC so results do not depend on the machine's time zone). NaN if not a date.
 */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** Digits of s[at..at+len) as a number, or -1. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** YYYY-MM-DD and YYYY-MM-DD[T ]HH:MM:SS without a regex: the shapes big files use. */
function parseDateFast(s: string): number | undefined {
  const n = s.length;
  if ((n !== 10 && n !== 19) || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0)) return NaN;
  let ms = daysFromCivil(y, mo, d) * 86400000;
  if (n === 19) {
    const sep = s.charCodeAt(10);
    if ((sep !== 84 && sep !== 32) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
    const h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
    if (h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 59) return undefined;
    ms += ((h * 60 + mi) * 60 + sec) * 1000;
  }
  return ms;
}

export function parseDate(s: string): number {
  const fast = parseDateFast(s);
  if (fast !== undefined) return fast;
  const t = s.trim();
  if (t.length < 10 || t.length > 35) return NaN;
  const c = t.charCodeAt(4);
  if (c !== 45) return NaN;
  const m = DATE_RE.exec(t);
  if (!m) return NaN;
  const y = +m[1], mo = +m[2], d = +m[3];
  const h = m[4] ? +m[4] : 0, mi = m[5] ? +m[5] : 0, sec = m[6] ? +m[6] : 0;
  const ms = m[7] ? Math.floor(+('0.' + m[7]) * 1000) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return NaN;
  let v = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const back = new Date(v);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return NaN; // 2023-02-30
  if (m[8] && m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    v -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60000;
  }
  return v;
}

/** The type a single non-missing value suggests. */
export function sniff(s: string): ColumnType {
  if (!Number.isNaN(parseNumber(s))) return 'number';
  if (!Number.isNaN(parseBoolean(s))) return 'boolean';
  if (!Number.isNaN(parseDate(s))) return 'date';
  return 'categorical';
}

/** Parse a value as `type`; NaN when it does not fit (callers decide: demote or error). */
export function parseAs(type: 'number' | 'boolean' | 'date', s: string): number {
  if (type === 'number') return parseNumber(s);
  if (type === 'boolean') return parseBoolean(s);
  return parseDate(s);
}

/** Dates print as YYYY-MM-DD when the column has no time of day, else YYYY-MM-DD HH:MM:SS[.sss]. */
export function formatDate(ms: number, withTime: boolean): string {
  const iso = new Date(ms).toISOString(); // 2023-01-02T03:04:05.678Z
  if (!withTime) return iso.slice(0, 10);
  const frac = iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac}`;
}

export function hasTimeOfDay(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v) && v % 86400000 !== 0) return true;
  }
  return false;
}

/** Shortest round-trip text of a number; NaN is written as an empty cell. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return '';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}
