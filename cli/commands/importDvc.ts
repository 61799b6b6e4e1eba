import type { Program } from '../program.js';
import { importDvc } from '../../src/api/importDvc.js';
import { cwd, err, lockWaitLine, out, printJson } from '../io.js';
import { mlvCommand } from '../mlvCommand.js';

export function register(program: Program): void {
  program
    .command('import-dvc')
    .description('bring a DVC 2.x/3.x project over: .dvc files, dvc.yaml, dvc.lock, remotes and the cached data')
    .option('--dry-run', 'print the plan and write nothing')
    .option('--cache <dir>', 'the DVC cache to read (default: [cache] dir of .dvc/config, else .dvc/cache)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { dryRun?: boolean; cache?: string; json?: boolean }) => {
      const r = await importDvc({ cwd: cwd(), onLockWait: lockWaitLine, dryRun: o.dryRun, cache: o.cache, mlvCommand: mlvCommand() });
      if (o.json) return printJson(r);
      const lines: string[] = [r.dryRun ? 'Plan (dry run: nothing written):' : 'Imported from DVC:'];
      for (const p of r.pointers) lines.push(`  pointer  ${p.path}.mlv  (${p.kind}${p.files !== undefined ? `, ${p.files} files` : ''}, from ${p.from})`);
      if (r.stages.length) lines.push(`  mlv.yaml stages: ${r.stages.join(', ')}`);
      if (r.recorded && r.stages.length) lines.push(`  mlv.lock recorded: ${r.recorded.join(', ') || '(none)'}`);
      for (const s of r.stale ?? []) lines.push(`  not recorded: ${s.stage} (${s.reason}); mlv repro runs it`);
      for (const x of r.remotes) lines.push(`  remote   ${x.name} → ${x.url}${x.default ? ' (default)' : ''}`);
      lines.push(`  objects  ${r.objects} ${r.dryRun ? 'to verify and store' : 'verified by md5 and stored'}`);
      out(lines.join('\n'));
      for (const s of r.skipped) err(`mlv: skipped: ${s}`);
      for (const n of r.notes) err(`mlv: note: ${n}`);
      if (r.missing.length) {
        err(`mlv: ${r.missing.length} object(s) are missing from the DVC cache:`);
        for (const m of r.missing) err(`  ${m.path} (${m.md5}): ${m.pull}`);
      }
      if (!r.dryRun) {
        out(`\nThe DVC files are left in place. Check with mlv status, then commit mlv's files:\n  ${r.gitAdd}`);
        out(`Once you no longer need DVC, remove its files with:\n  ${r.removeDvc}`);
      }
    });
}
