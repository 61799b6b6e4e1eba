import type { Command } from 'commander';
import { diff, type DiffResult } from '../../src/api/diff.js';
import { color, cwd, formatBytes, out, printJson } from '../io.js';

export function register(program: Command): void {
  program
    .command('diff')
    .description('artifacts added/modified/deleted, params changed and metric deltas between two versions')
    .argument('[a]', 'old revision (default HEAD)')
    .argument('[b]', 'new revision (default: the workspace)')
    .option('--json', 'print the result as JSON')
    .action(async (a: string | undefined, b: string | undefined, o: { json?: boolean }) => {
      const r = await diff({ cwd: cwd(), a, b });
      if (o.json) return printJson(r);
      out(renderDiff(r));
    });
}

export function renderDiff(r: DiffResult): string {
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
    for (const row of value as Array<Record<string, unknown>>) {
      const delta = typeof row.delta === 'number' ? `  (${row.delta >= 0 ? '+' : ''}${Number(row.delta.toPrecision(6))})` : '';
      lines.push(`  ${String(row.key ?? row.name)}: ${fmt(row.a ?? row.old)} → ${fmt(row.b ?? row.new)}${delta}`);
    }
  }
  return lines.join('\n');
}

// Numbers to 10 significant digits, as `mlv metrics diff` prints them.
const fmt = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : typeof v === 'number' ? String(Number(v.toPrecision(10))) : JSON.stringify(v));
