/**
 * Text building blocks for the UI: a screen line is a list of styled segments,
 * built by pure functions (testable without ink) and clipped to the terminal
 * width here rather than left to wrap.
 */
import type { Verdict } from '../../src/compare/rows.js';
import { formatDelta as delta, formatNumber as number, formatValue as value, NARROW, shortDate as dateText } from '../format.js';
export { fit, fitEnd, formatBytes } from '../format.js';

export interface Seg {
  text: string;
  color?: 'green' | 'red' | 'yellow' | 'cyan' | 'magenta' | 'blue' | 'gray';
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  underline?: boolean;
}
export type Line = Seg[];

export const seg = (text: string, style: Omit<Seg, 'text'> = {}): Seg => ({ text, ...style });

export function lineWidth(line: Line): number {
  let n = 0;
  for (const s of line) n += s.text.length;
  return n;
}

const sameStyle = (a: Seg, b: Seg): boolean =>
  a.color === b.color && !a.bold === !b.bold && !a.dim === !b.dim && !a.inverse === !b.inverse && !a.underline === !b.underline;

/** Join neighbouring segments of the same style: every segment costs ink a text node. */
export function merge(line: Line): Line {
  const out: Line = [];
  for (const s of line) {
    if (s.text.length === 0) continue;
    const last = out[out.length - 1];
    if (last && sameStyle(last, s)) out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}

/** Cut a line to `width` characters, marking the cut with an ellipsis. */
export function clip(line: Line, width: number): Line {
  if (lineWidth(line) <= width) return merge(line);
  const out: Line = [];
  let left = Math.max(0, width - 1);
  for (const s of line) {
    if (left <= 0) break;
    if (s.text.length <= left) { out.push(s); left -= s.text.length; continue; }
    out.push({ ...s, text: s.text.slice(0, left) });
    left = 0;
  }
  if (width > 0) out.push(seg('…', { dim: true }));
  return merge(out);
}

const FG: Record<NonNullable<Seg['color']>, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 };

/** The line as text with SGR escape codes (plain text when `color` is off). */
export function toAnsi(line: Line, color: boolean): string {
  let out = '';
  for (const s of line) {
    if (!color) { out += s.text; continue; }
    const codes: number[] = [];
    if (s.bold) codes.push(1);
    if (s.dim) codes.push(2);
    if (s.underline) codes.push(4);
    if (s.inverse) codes.push(7);
    if (s.color) codes.push(FG[s.color]);
    out += codes.length ? `\u001B[${codes.join(';')}m${s.text}\u001B[0m` : s.text;
  }
  return out;
}

/** The UI's columns are narrow: numbers in the NARROW style, dates without the year. */
export const formatNumber = (n: number | undefined): string => number(n, NARROW);
export const formatDelta = (d: number | undefined): string => delta(d, NARROW, '±0');
export const formatValue = (v: unknown): string => value(v, NARROW);
export const shortDate = (iso: string): string => dateText(iso, { year: false });

export function verdictColor(v: Verdict | undefined): Seg['color'] {
  return v === 'better' ? 'green' : v === 'worse' ? 'red' : undefined;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** One character per value; a missing value is a space. */
export function sparkline(values: ReadonlyArray<number | undefined>): string {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (present.length === 0) return ' '.repeat(values.length);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  return values.map((v) => {
    if (v === undefined || !Number.isFinite(v)) return ' ';
    const i = hi === lo ? SPARKS.length - 1 : Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1));
    return SPARKS[i];
  }).join('');
}

/** A horizontal bar of `frac` × `width` cells, in eighths. */
export function bar(frac: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, frac)) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  return '█'.repeat(full) + (part ? '▏▎▍▌▋▊▉'[part - 1] : '');
}
