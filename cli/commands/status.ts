import type { Command } from 'commander';
import { status } from '../../src/api/status.js';
import { setExitCode } from '../main.js';
import { color, cwd, out, printJson } from '../io.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('tracked data that is modified, missing or not cached; stale pipeline stages')
    .option('--check', 'exit 1 when anything is dirty')
    .option('--json', 'print the result as JSON')
    .action(async (o: { check?: boolean; json?: boolean }) => {
      const r = await status({ cwd: cwd() });
      if (o.check && !r.clean) setExitCode(1);
      if (o.json) return printJson(r);
      if (r.clean) return out('Data and pipelines are up to date.');
      const paint = (s: string) => (s === 'modified' ? color.yellow(s) : color.red(s));
      for (const d of r.data) {
        out(`  ${paint(d.state.padEnd(10))} ${d.path}${d.stage ? color.dim(` (stage ${d.stage})`) : ''}`);
        for (const c of d.changes.slice(0, 20)) out(`      ${c.change.padEnd(8)} ${d.path}/${c.path}`);
        if (d.changes.length > 20) out(`      … ${d.changes.length - 20} more`);
      }
      for (const s of r.stages) out(`  ${color.yellow('stale'.padEnd(10))} stage ${s.stage}: ${s.reasons.join('; ')}`);
    });
}
