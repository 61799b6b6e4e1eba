import type { Program } from '../program.js';
import { remoteAdd, remoteDefault, remoteList, remoteRemove } from '../../src/api/remote.js';
import { cwd, out, printJson } from '../io.js';

export function register(program: Program): void {
  const remote = program.command('remote').description('configure where objects are shared (local path or s3://bucket/prefix)');
  remote
    .command('add')
    .description('add a remote: a directory path or s3://bucket/prefix')
    .argument('<name>')
    .argument('<url>', 'a directory path, or s3://bucket/prefix')
    .option('-d, --default', 'make it the default remote')
    .option('--endpoint-url <url>', 'S3-compatible endpoint (MinIO, Ceph, R2, ...)')
    .option('--region <region>', 'S3 region')
    .option('--profile <profile>', 'AWS profile (stored in .mlv/config.local)')
    .option('--local', 'write to .mlv/config.local instead of the committed config')
    .option('-f, --force', 'replace a remote of the same name')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, url: string, o: { default?: boolean; endpointUrl?: string; region?: string; profile?: string; local?: boolean; force?: boolean; json?: boolean }) => {
      const r = await remoteAdd({ cwd: cwd(), name, url, default: o.default, endpointUrl: o.endpointUrl, region: o.region, profile: o.profile, local: o.local, force: o.force });
      if (o.json) return printJson(r);
      out(`remote '${r.name}' → ${r.url}${r.default ? ' (default)' : ''}`);
    });
  remote
    .command('list')
    .description('list the configured remotes')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await remoteList({ cwd: cwd() });
      if (o.json) return printJson(r);
      for (const x of r) out(`${x.name}\t${x.url}${x.default ? '\t(default)' : ''}`);
    });
  remote
    .command('remove')
    .description('forget a remote (its objects stay where they are)')
    .argument('<name>')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      await remoteRemove({ cwd: cwd(), name });
      if (o.json) printJson({ removed: name });
      else out(`removed remote '${name}'`);
    });
  remote
    .command('default')
    .description('make a remote the default for push, pull and fetch')
    .argument('<name>')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      await remoteDefault({ cwd: cwd(), name });
      if (o.json) printJson({ default: name });
      else out(`default remote: '${name}'`);
    });
}
