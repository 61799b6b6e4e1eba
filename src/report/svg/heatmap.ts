/** A labelled matrix shaded by its counts: the confusion matrix (rows true, columns predicted). */
import { emptyPlot, esc, px, svg, type SvgFrame } from './core.js';

export interface Heatmap extends Omit<SvgFrame, 'height'> {
  rowLabels: string[];
  colLabels: string[];
  matrix: number[][];
  rowTitle: string;
  colTitle: string;
}

/** @example heatmap({ width: 360, title: 'Confusion matrix', rowLabels: ['0', '1'], colLabels: ['0', '1'], matrix: [[5, 1], [2, 7]], rowTitle: 'true', colTitle: 'predicted' }) */
export function heatmap(p: Heatmap): string {
  const k = p.matrix.length;
  if (k === 0) return emptyPlot({ ...p, height: 60 }, 'no values to draw');
  const longest = Math.max(...p.rowLabels.map((l) => l.length));
  const left = 34 + Math.min(120, longest * 6.5), top = 46;
  const cell = Math.max(14, Math.min(56, Math.floor((p.width - left - 10) / k)));
  const height = top + k * cell + 10;
  const max = Math.max(1, ...p.matrix.flat().filter(Number.isFinite));
  const parts: string[] = [
    `<text x="${px(left + (k * cell) / 2)}" y="${top - 22}" text-anchor="middle" font-weight="600">${esc(p.colTitle)}</text>`,
    `<text transform="translate(12 ${px(top + (k * cell) / 2)}) rotate(-90)" text-anchor="middle" font-weight="600">${esc(p.rowTitle)}</text>`,
  ];
  p.colLabels.forEach((l, j) => parts.push(`<text x="${px(left + j * cell + cell / 2)}" y="${top - 6}" text-anchor="middle">${esc(l)}</text>`));
  p.matrix.forEach((row, i) => {
    parts.push(`<text x="${left - 6}" y="${px(top + i * cell + cell / 2 + 4)}" text-anchor="end">${esc(p.rowLabels[i] ?? '')}</text>`);
    row.forEach((v, j) => {
      const t = Number.isFinite(v) ? v / max : 0;
      // White to dark blue; text flips to white on dark cells.
      const fill = `rgb(${Math.round(255 - t * 224)},${Math.round(255 - t * 136)},${Math.round(255 - t * 75)})`;
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"/>`);
      if (cell >= 18) parts.push(`<text x="${px(left + j * cell + cell / 2)}" y="${px(top + i * cell + cell / 2 + 4)}" text-anchor="middle" fill="${t > 0.55 ? '#fff' : '#000'}">${esc(String(v))}</text>`);
    });
  });
  return svg({ width: p.width, height, title: p.title }, parts.join(''), 'heatmap');
}
