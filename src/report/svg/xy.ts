/**
 * Line and point plots on numeric axes: ROC and precision-recall curves, a metric's trend
 * over commits, residuals against predictions.
 */
import { emptyPlot, esc, label, px, scale, svg, ticks, type SvgFrame } from './core.js';

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** line (default), step (a staircase, as precision-recall curves are drawn) or points. */
  style?: 'line' | 'step' | 'points';
  color?: string;
}

export interface XyPlot extends SvgFrame {
  series: Series[];
  xLabel: string;
  yLabel: string;
  /** Fixed domains (ROC: [0, 1]); otherwise from the data with a margin. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Dashed reference lines from (x0, y0) to (x1, y1): the diagonal of a ROC plot, y = 0. */
  guides?: Array<[number, number, number, number]>;
  /** Text for the x ticks at 0, 1, 2…, in place of numbers (commit names on a trend). */
  xCategories?: string[];
  /** Where series names are listed (default top-right when there are several, else none). */
  legend?: 'top-right' | 'bottom-right' | 'bottom-left' | 'none';
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const M = { left: 56, right: 16, top: 28, bottom: 44 };

function extent(values: Array<ArrayLike<number>>): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const vs of values) for (let i = 0; i < vs.length; i++) if (Number.isFinite(vs[i])) { lo = Math.min(lo, vs[i]); hi = Math.max(hi, vs[i]); }
  if (lo > hi) return undefined;
  if (lo === hi) return [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** @example xyPlot({ width: 420, height: 320, title: 'ROC', xLabel: 'FPR', yLabel: 'TPR', series: [{ name: 'model', x: [0, 1], y: [0, 1] }] }) */
export function xyPlot(p: XyPlot): string {
  const xd = p.xDomain ?? extent(p.series.map((s) => s.x));
  const yd = p.yDomain ?? extent(p.series.map((s) => s.y));
  if (!xd || !yd) return emptyPlot(p, 'no points to draw');
  const x = scale(xd[0], xd[1], M.left, p.width - M.right);
  const y = scale(yd[0], yd[1], p.height - M.bottom, M.top);
  const parts: string[] = [];
  const xt = p.xCategories ? p.xCategories.map((_, i) => i) : ticks(xd[0], xd[1]);
  const every = p.xCategories ? Math.ceil(p.xCategories.length / Math.max(1, Math.floor((p.width - M.left - M.right) / 60))) : 1;
  for (const t of ticks(yd[0], yd[1])) {
    parts.push(`<line x1="${M.left}" x2="${p.width - M.right}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 4}" y="${px(y(t) + 4)}" text-anchor="end">${esc(label(t))}</text>`);
  }
  xt.forEach((t, i) => {
    if (i % every !== 0) return;
    const text = p.xCategories ? p.xCategories[t] : label(t);
    parts.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${p.height - M.bottom}" y2="${p.height - M.bottom + 4}" stroke="#333"/>`,
      `<text x="${px(x(t))}" y="${p.height - M.bottom + 15}" text-anchor="middle">${esc(text)}</text>`);
  });
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${px(p.width - M.left - M.right)}" height="${px(p.height - M.top - M.bottom)}" fill="none" stroke="#333"/>`,
    `<text x="${px((M.left + p.width - M.right) / 2)}" y="${p.height - 6}" text-anchor="middle">${esc(p.xLabel)}</text>`,
    `<text transform="translate(12 ${px((M.top + p.height - M.bottom) / 2)}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  for (const [x0, y0, x1, y1] of p.guides ?? []) {
    parts.push(`<line x1="${px(x(x0))}" y1="${px(y(y0))}" x2="${px(x(x1))}" y2="${px(y(y1))}" stroke="#999" stroke-dasharray="4 3"/>`);
  }
  p.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const n = Math.min(s.x.length, s.y.length);
    if (s.style === 'points') {
      const dots: string[] = [];
      for (let i = 0; i < n; i++) if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) dots.push(`M${px(x(s.x[i]))} ${px(y(s.y[i]))}h0`);
      parts.push(`<path d="${dots.join('')}" stroke="${color}" stroke-opacity="0.6" stroke-width="4" stroke-linecap="round" fill="none" data-series="${esc(s.name)}"/>`);
      return;
    }
    const d: string[] = [];
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(s.x[i]) || !Number.isFinite(s.y[i])) continue;
      if (d.length && s.style === 'step') d.push(`H${px(x(s.x[i]))}`);
      d.push(`${d.length ? 'L' : 'M'}${px(x(s.x[i]))} ${px(y(s.y[i]))}`);
    }
    parts.push(`<path d="${d.join('')}" stroke="${color}" stroke-width="2" fill="none" data-series="${esc(s.name)}"/>`);
    if (n <= 40) for (let i = 0; i < n; i++) parts.push(`<circle cx="${px(x(s.x[i]))}" cy="${px(y(s.y[i]))}" r="2.5" fill="${color}"/>`);
  });
  const legend = p.legend ?? (p.series.length > 1 ? 'top-right' : 'none');
  if (legend !== 'none' && p.series.length) {
    const w = 22 + Math.max(...p.series.map((s) => s.name.length)) * 6.2;
    const x0 = legend === 'bottom-left' ? M.left + 8 : p.width - M.right - 8 - w;
    const y0 = legend === 'top-right' ? M.top + 8 : p.height - M.bottom - 8 - p.series.length * 14;
    parts.push(`<rect x="${px(x0)}" y="${px(y0)}" width="${px(w)}" height="${p.series.length * 14 + 4}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`);
    p.series.forEach((s, k) => {
      const ly = y0 + 13 + k * 14;
      parts.push(`<rect x="${px(x0 + 5)}" y="${px(ly - 9)}" width="10" height="10" fill="${s.color ?? PALETTE[k % PALETTE.length]}"/>`,
        `<text x="${px(x0 + 19)}" y="${px(ly)}">${esc(s.name)}</text>`);
    });
  }
  return svg(p, parts.join(''), 'xy');
}
