/**
 * The few pieces every plot shares: escaping, number labels, tick placement and the
 * outer <svg> element. Plots are plain SVG 1.1 text (no script, no external reference),
 * so they render inline in HTML, as files beside Markdown, and in any viewer.
 */

/** Text and attribute values from data (column names, labels, descriptions) go through this. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A coordinate: short, and never "NaN" in the output. */
export const px = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 100) / 100) : '0');

/** A tick or value label: up to 4 significant digits, integers as they are. */
export function label(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  // The round step nearest to the raw one (d3's rule): about `count` ticks, never far fewer.
  const ratio = raw / pow;
  const step = pow * (ratio >= Math.sqrt(50) ? 10 : ratio >= Math.sqrt(10) ? 5 : ratio >= Math.sqrt(2) ? 2 : 1);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A linear map from a domain onto a pixel range. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export interface SvgFrame {
  width: number;
  height: number;
  /** Read by screen readers and shown as a tooltip; also the plot's name in tests. */
  title: string;
}

export const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';

/** The outer element: fixed size attributes (the page scales it down on narrow screens). */
export function svg(f: SvgFrame, body: string, kind: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${esc(f.title)}" data-plot="${esc(kind)}" ${FONT} font-size="11">` +
    `<title>${esc(f.title)}</title><rect width="${f.width}" height="${f.height}" fill="#fff"/>` +
    `<text x="${px(f.width / 2)}" y="16" text-anchor="middle" font-size="13" font-weight="600">${esc(f.title)}</text>${body}</svg>`;
}

/** A short message in place of a plot that has nothing to draw. */
export function emptyPlot(f: SvgFrame, message: string): string {
  return svg(f, `<text x="${px(f.width / 2)}" y="${px(f.height / 2)}" text-anchor="middle" fill="#666">${esc(message)}</text>`, 'empty');
}
