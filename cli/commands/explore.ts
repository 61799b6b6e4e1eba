import type { Program } from '../program.js';
import { explore, type ColumnReport, type ExploreReport } from '../../src/api/explore.js';
import { cwd, err, out, printJson, progressBar } from '../io.js';
import { color, formatNumber, STAT, table } from '../format.js';

export function register(program: Program): void {
  program
    .command('explore <csv>')
    .description('profile a CSV: types, missing values, statistics, histograms, correlations, warnings')
    .option('--json', 'print the report as JSON')
    .option('-o, --output <file>', 'also write the report as JSON to <file>')
    .option('--target <column>', 'the column a model will predict (checks class balance)')
    .action(async (csv: string, opts: { json?: boolean; output?: string; target?: string }) => {
      const progress = progressBar(`exploring ${csv}`);
      let report: ExploreReport;
      try {
        report = await explore({ cwd: cwd(), csv, target: opts.target, output: opts.output, onProgress: progress.onProgress });
      } finally {
        progress.done();
      }
      if (opts.json) printJson(report);
      else {
        out(renderReport(report));
        if (opts.output) err(`wrote ${opts.output}`);
      }
    });
}

const fmt = (x: number | string | null | undefined): string => (typeof x === 'string' ? x : formatNumber(x, STAT));

const SPARK = '▁▂▃▄▅▆▇█';

function sparkline(counts: number[]): string {
  const max = Math.max(...counts, 1);
  return counts.map((c) => (c === 0 ? ' ' : SPARK[Math.min(7, Math.floor((c / max) * 7.999))])).join('');
}

function bar(share: number, width = 20): string {
  const n = Math.round(share * width);
  return '█'.repeat(n) + color.dim('░'.repeat(width - n));
}

function heatCell(r: number | null): string {
  if (r === null) return '     · ';
  const text = (r >= 0 ? '+' : '') + r.toFixed(2);
  const a = Math.abs(r);
  if (color.enabled) {
    // 256-colour ramps: blue for positive, red for negative, deeper with |r|.
    const ramp = r >= 0 ? [255, 153, 111, 69, 27, 21] : [255, 224, 217, 210, 203, 196];
    const bg = ramp[Math.min(5, Math.floor(a * 5.999))];
    const fg = a > 0.6 ? 15 : 0;
    return ` \x1b[48;5;${bg}m\x1b[38;5;${fg}m${text.padStart(6)}\x1b[0m`;
  }
  const shade = a >= 0.9 ? '█' : a >= 0.7 ? '▓' : a >= 0.4 ? '▒' : a >= 0.2 ? '░' : ' ';
  return ' ' + text.padStart(5) + shade;
}

/** From this many number columns on, explore lists the strongest pairs instead of the matrix. */
const PAIRS_FROM = 50;
const PAIRS_SHOWN = 20;

/** [i, j, r] of the strongest correlations, |r| descending, and how many pairs have one. */
function strongestPairs(r: ExploreReport): { pairs: Array<[number, number, number]>; of: number } {
  const m = r.correlation.matrix;
  const pairs: Array<[number, number, number]> = [];
  for (let i = 0; i < m.length; i++) {
    for (let j = i + 1; j < m.length; j++) {
      const v = m[i][j];
      if (v !== null) pairs.push([i, j, v]);
    }
  }
  pairs.sort((x, y) => Math.abs(y[2]) - Math.abs(x[2]) || x[0] - y[0] || x[1] - y[1]);
  return { pairs: pairs.slice(0, PAIRS_SHOWN), of: pairs.length };
}

function describeRow(c: ColumnReport): string[] {
  const top = c.top?.[0] ? `${c.top[0].value} (${c.top[0].count})` : '';
  return [
    c.name, c.type, String(c.count), c.missing ? `${c.missing} (${(100 * c.missing_share).toFixed(1)}%)` : '0',
    (c.distinct_exact ? '' : '≥') + String(c.distinct),
    fmt(c.mean), fmt(c.std), fmt(c.min), fmt(c.q25), fmt(c.q50), fmt(c.q75), fmt(c.max), top,
  ];
}

export function renderReport(r: ExploreReport): string {
  const lines: string[] = [];
  lines.push(color.bold(`${r.file}: ${r.rows} rows, ${r.columns.length} columns`));
  lines.push('');
  lines.push(table(['column', 'type', 'count', 'missing', 'distinct', 'mean', 'std', 'min', '25%', '50%', '75%', 'max', 'top'], r.columns.map(describeRow)));

  lines.push('', color.bold('distributions'));
  const width = Math.max(...r.columns.map((c) => c.name.length));
  for (const c of r.columns) {
    if (c.histogram && c.histogram.counts.length) {
      lines.push(`  ${c.name.padEnd(width)}  ${fmt(c.min).padStart(10)} ${sparkline(c.histogram.counts)} ${fmt(c.max)}`);
    } else if (c.top && c.top.length) {
      const parts = c.top.slice(0, 3).map((t) => `${t.value} ${bar(c.count ? t.count / c.count : 0, 8)} ${(100 * t.count / Math.max(1, c.count)).toFixed(0)}%`);
      lines.push(`  ${c.name.padEnd(width)}  ${parts.join('  ')}`);
    }
  }

  const cc = r.correlation.columns;
  if (cc.length >= PAIRS_FROM) {
    // A matrix this wide does not fit a terminal: the pairs that matter (--json has the matrix).
    const { pairs, of } = strongestPairs(r);
    lines.push('', color.bold(`most correlated pairs (Pearson, ${pairs.length} of ${of}; --json has the ${cc.length}×${cc.length} matrix)`));
    const w = Math.max(...pairs.map(([a]) => cc[a].length));
    for (const [a, b, v] of pairs) lines.push(`  ${cc[a].padEnd(w)}  ${cc[b].padEnd(w)} ${heatCell(v)}`);
  } else if (cc.length >= 2) {
    lines.push('', color.bold('correlation (Pearson)'));
    const w = Math.max(...cc.map((c) => c.length));
    lines.push(' '.repeat(w + 4) + cc.map((_, j) => String(j + 1).padStart(7)).join(''));
    cc.forEach((name, i) => {
      lines.push(`${String(i + 1).padStart(2)} ${name.padEnd(w)} ` + r.correlation.matrix[i].map(heatCell).join(''));
    });
  }

  if (r.warnings.length) {
    lines.push('', color.bold('warnings'));
    for (const w of r.warnings) lines.push(color.yellow(`  ! ${w.message}`));
  }
  return lines.join('\n');
}
