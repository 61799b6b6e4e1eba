import type { Program } from '../program.js';
import { diff, type DiffResult } from '../../src/api/diff.js';
import { cwd, out, printJson } from '../io.js';
import { color, EXACT_DELTA, formatBytes, formatDelta, formatValue } from '../format.js';

export function register(program: Program): void {
  program
    .command('diff')
    .description('artifacts added/modified/deleted, params changed and metric deltas between two versions')
    .argument('[a]', 'old revision (default HEAD)')
    .argument('[b]', 'new revision (default: the workspace)')
    .option('--json', 'print the result as JSON (every key)')
    .option('--all', `list every changed metric; by default more than ${GROUP_LIMIT} sibling keys (e.g. per-feature importances) are one summary line`)
    .action(async (a: string | undefined, b: string | undefined, o: { json?: boolean; all?: boolean }) => {
      const r = await diff({ cwd: cwd(), a, b });
      if (o.json) return printJson(r);
      out(renderDiff(r, { all: o.all }));
    });
}

/** Sibling metric keys (same prefix before the last '.') listed one by one, up to this many. */
const GROUP_LIMIT = 8;

export function renderDiff(r: DiffResult, opts: { all?: boolean } = {}): string {
  const lines: string[] = [];
  const sz = (n?: number) => (n === undefined ? '' : formatBytes(n));
  if (r.artifacts.length === 0) lines.push(`No data changes between ${r.a} and ${r.b}.`);
  else lines.push(color.bold(`Data (${r.a} → ${r.b})`));
  for (const x of r.artifacts) {
    const mark = x.change === 'added' ? color.green('added   ') : x.change === 'deleted' ? color.red('deleted ') : color.yellow('modified');
    const size = x.change === 'modified' ? `${sz(x.oldSize)} → ${sz(x.newSize)}` : sz(x.oldSize ?? x.newSize);
    lines.push(`  ${mark} ${x.path}${x.kind === 'dir' ? '/' : ''}  ${size}${x.desc ? color.dim(`  "${x.desc}"`) : ''}`);
    for (const f of (x.files ?? []).slice(0, 30)) {
      const fs = f.change === 'modified' ? `${sz(f.oldSize)} → ${sz(f.newSize)}` : sz(f.oldSize ?? f.newSize);
      lines.push(`      ${f.change.padEnd(8)} ${f.path}  ${fs}`);
    }
    if ((x.files?.length ?? 0) > 30) lines.push(`      … ${x.files!.length - 30} more files`);
  }
  for (const [key, value] of Object.entries(r)) {
    if (['a', 'b', 'artifacts'].includes(key) || !Array.isArray(value) || value.length === 0) continue;
    lines.push(color.bold(key[0].toUpperCase() + key.slice(1)));
    const rows = value as Array<Record<string, unknown>>;
    const name = (row: Record<string, unknown>) => String(row.key ?? row.name);
    // Metrics only (params are few and each matters): `file.json:group.leaf` → `file.json:group`.
    const prefix = (k: string) => {
      const dot = k.lastIndexOf('.');
      return key === 'metrics' && dot > k.lastIndexOf(':') + 1 ? k.slice(0, dot) : '';
    };
    const groups = new Map<string, number>();
    for (const row of rows) groups.set(prefix(name(row)), (groups.get(prefix(name(row))) ?? 0) + 1);
    const summarised = new Set<string>();
    for (const row of rows) {
      const k = name(row);
      const g = prefix(k);
      if (!opts.all && g !== '' && groups.get(g)! > GROUP_LIMIT) {
        if (summarised.has(g)) continue;
        summarised.add(g);
        lines.push(`  ${groupSummary(g, rows.filter((x) => prefix(name(x)) === g), name)}`);
        continue;
      }
      lines.push(`  ${k}: ${formatValue(row.a ?? row.old)} → ${formatValue(row.b ?? row.new)}${deltaText(row.delta)}`);
    }
  }
  return lines.join('\n');
}

const deltaText = (d: unknown) => (typeof d === 'number' ? `  (${formatDelta(d, EXACT_DELTA)})` : '');

/** `feature_importances.*: 64 changed, largest x3: 0.1 → 0.2 (+0.1)  (--all lists them)` */
function groupSummary(group: string, rows: Array<Record<string, unknown>>, name: (r: Record<string, unknown>) => string): string {
  let top = rows[0];
  for (const r of rows) if (Math.abs(Number(r.delta ?? 0)) > Math.abs(Number(top.delta ?? 0))) top = r;
  const largest = typeof top.delta === 'number'
    ? `, largest ${name(top).slice(group.length + 1)}: ${formatValue(top.a ?? top.old)} → ${formatValue(top.b ?? top.new)}${deltaText(top.delta)}`
    : '';
  return `${group}.*: ${rows.length} changed${largest}  ${color.dim('(--all lists them)')}`;
}
