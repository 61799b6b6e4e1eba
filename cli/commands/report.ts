import type { Program } from '../program.js';
import { UsageError } from '../../src/errors/index.js';
import { cwd, err, out, printJson } from '../io.js';
import { color } from '../format.js';

interface Opts { output?: string; format?: string; compare?: string; verify?: boolean; json?: boolean; quiet?: boolean }

export function register(program: Program): void {
  program
    .command('report')
    .description('write the documentation of a version (commit or experiment): data, features, model, metrics, plots, cost, reproduction')
    .argument('[rev]', 'commit or experiment (default HEAD)')
    .option('-o, --output <file>', 'write here (default mlv-report-<commit>.<html|md>; - for stdout, HTML only)')
    .option('--format <format>', 'html (one self-contained file) | md (Markdown, plots as SVG files beside it)')
    .option('--compare <rev>', 'mark what changed against this commit or experiment')
    .option('--verify', 'run mlv repro --rev on the version now and record the outcome first')
    .option('-q, --quiet', "with --verify, don't show the stages' own output")
    .option('--json', 'print where the report went as JSON')
    .action(async (rev: string | undefined, o: Opts) => {
      if (o.format !== undefined && o.format !== 'html' && o.format !== 'md') throw new UsageError(`--format ${o.format}: expected html or md`);
      if (o.json && o.output === '-') throw new UsageError('--json prints a JSON document on stdout; write the report to a file with -o');
      const { report } = await import('../../src/api/report.js');
      const r = await report({
        cwd: cwd(), rev, compare: o.compare, format: o.format as 'html' | 'md' | undefined, output: o.output, verify: o.verify,
        onStage: (e) => { if (e.status === 'start') err(`Running stage '${e.stage}' (verify)`); },
        onOutput: o.quiet || o.json ? undefined : (_s, chunk) => { process.stderr.write(chunk); },
      });
      if (r.verify?.noteError) err(`mlv: note: the outcome was not recorded in refs/notes/mlv-repro: ${r.verify.noteError}`);
      const code = r.verify && !r.verify.match ? 1 : 0;
      if (code) err(`mlv: ${r.verify!.rev} does not reproduce: ${r.verify!.rows.filter((x) => !x.match).map((x) => x.name).slice(0, 5).join(', ')}`);
      if (r.text !== undefined) { process.stdout.write(r.text); return code; }
      if (o.json) {
        printJson({ output: r.output, format: r.format, files: r.files, commit: r.report.commit, plots: r.report.plots.map((p) => p.id), notes: r.report.notes, ...(r.verify ? { verify: { match: r.verify.match, rows: r.verify.rows.length } } : {}) });
        return code;
      }
      for (const n of r.report.notes) err(color.yellow(`note: ${n}`));
      out(`report of ${r.report.commit.slice(0, 12)} written to ${r.output}${r.files.length ? ` (+ ${r.files.length} plot file(s))` : ''}${r.verify ? `; ${r.verify.match ? 'reproduced' : 'did NOT reproduce'}` : ''}`);
      return code;
    });
}
