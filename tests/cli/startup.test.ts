/**
 * Start-up (issue 19): `mlv --version` loads nothing but its version, and `mlv status`
 * loads none of the heavy modules a no-op status does not need (remotes, the queue,
 * the UI, the ML built-ins). Runs the built CLI (npx tsc -p tsconfig.json first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, makeRepo, MLV_BIN, mlvOk, removeDir, ROOT, tempDir } from '../helpers/repo.js';

/** A loader hook that appends every module URL loaded to the file named by MLV_TRACE_LOADS. */
const HOOK = 'data:text/javascript,' + encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.MLV_TRACE_LOADS) appendFileSync(process.env.MLV_TRACE_LOADS, url + '\\\\n');
  return next(url, context);
}\`));`);

function loads(args: string[], cwd: string): { code: number; stdout: string; stderr: string; loaded: string[] } {
  const dir = tempDir('mlv-loads-');
  try {
    const trace = join(dir, 'loads.txt');
    const r = spawnSync(process.execPath, ['--import', HOOK, MLV_BIN, ...args], { cwd, env: env({ MLV_TRACE_LOADS: trace }), encoding: 'utf8' });
    const loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((u) => u.replace(`file://${ROOT}/`, ''));
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, loaded };
  } finally { removeDir(dir); }
}

test('mlv --version prints the package version and loads only the version module', () => {
  const repo = makeRepo();
  try {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    for (const flag of ['--version', '-V']) {
      const r = loads([flag], repo);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
      assert.deepEqual(r.loaded, ['bin/mlv.js', 'dist/src/version.js']);
    }
    // With anything else on the line, the full CLI answers, alike.
    const r = loads(['--version', '--json'], repo);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
    assert.ok(r.loaded.some((u) => u.includes('commander')));
  } finally { removeDir(repo); }
});

test('mlv status loads no remote, queue, UI or ML module', () => {
  const repo = makeRepo();
  try {
    mlvOk(repo, ['init']);
    const r = loads(['status'], repo);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /up to date/);
    assert.ok(r.loaded.includes('dist/src/api/status.js'), 'the tracer sees the status module');
    const heavy = r.loaded.filter((u) => /@aws-sdk|bullmq|ioredis|\/ink\/|\/react\/|dist\/src\/ml\/|dist\/src\/queue\/|dist\/src\/remote\/s3|dist\/cli\/ui\/|remoteStatus/.test(u));
    assert.deepEqual(heavy, []);
  } finally { removeDir(repo); }
});
