/** Horizontal bars with their value written beside each: feature importances. */
import { emptyPlot, esc, label, px, scale, svg, type SvgFrame } from './core.js';

export interface BarPlot extends SvgFrame {
  bars: Array<{ name: string; value: number }>;
  /** At most this many bars, largest first (default 15). */
  max?: number;
}

/** @example barPlot({ width: 480, height: 0, title: 'Feature importances', bars: [{ name: 'temp', value: 0.4 }] }) */
export function barPlot(p: BarPlot): string {
  const bars = p.bars.filter((b) => Number.isFinite(b.value)).sort((a, b) => b.value - a.value).slice(0, p.max ?? 15);
  const rowH = 20, top = 28;
  const height = p.height > 0 ? p.height : top + bars.length * rowH + 12;
  const frame = { ...p, height };
  if (bars.length === 0) return emptyPlot({ ...frame, height: Math.max(height, 60) }, 'no values to draw');
  const longest = Math.max(...bars.map((b) => b.name.length));
  const left = Math.min(Math.round(p.width * 0.4), 12 + longest * 6.5);
  const hi = Math.max(0, ...bars.map((b) => b.value)), lo = Math.min(0, ...bars.map((b) => b.value));
  const x = scale(lo, hi || 1, left, p.width - 56);
  const parts = bars.map((b, i) => {
    const y = top + i * rowH;
    const x0 = x(Math.min(0, b.value)), w = Math.abs(x(b.value) - x(0));
    return `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(b.name)}</text>` +
      `<rect x="${px(x0)}" y="${y + 3}" width="${px(Math.max(w, 0.5))}" height="${rowH - 6}" fill="#1f77b4" data-value="${esc(String(b.value))}"/>` +
      `<text x="${px(Math.max(x(b.value), x(0)) + 4)}" y="${y + 14}">${esc(label(b.value))}</text>`;
  });
  return svg(frame, parts.join(''), 'bar');
}
