/**
 * `mlv ui` as a command: it refuses to run without a terminal (exit 2, pointing to
 * `mlv exp show`), and neither it nor any other command loads ink or react unless
 * the UI actually starts. Runs the built CLI (npx tsc -p tsconfig.json first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, makeRepo, MLV_BIN, mlv, removeDir, ROOT, tempDir } from '../helpers/repo.js';

const HOOK = join(ROOT, 'tests', 'ui', 'trace-imports.mjs');

function traced(args: string[], cwd: string): { code: number; stderr: string; loaded: string[] } {
  const trace = join(tempDir('mlv-trace-'), 'imports.txt');
  const r = spawnSync(process.execPath, ['--import', HOOK, ...args], {
    cwd, env: env({ MLV_TRACE_IMPORTS: trace }), encoding: 'utf8',
  });
  const loaded = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
  return { code: r.status ?? -1, stderr: r.stderr, loaded };
}

test('without a terminal, mlv ui exits 2 and points to mlv exp show', () => {
  const repo = makeRepo();
  try {
    const r = mlv(repo, ['ui']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /mlv ui needs an interactive terminal/);
    assert.match(r.stderr, /mlv exp show/);
    assert.equal(r.stdout, '');
  } finally {
    removeDir(repo);
  }
});

test('ink and react load only when the UI starts', () => {
  const repo = makeRepo();
  try {
    const version = traced([MLV_BIN, '--version'], repo);
    assert.equal(version.code, 0, version.stderr);
    assert.deepEqual(version.loaded, [], 'mlv --version loaded ' + version.loaded.join(', '));
    const ui = traced([MLV_BIN, 'ui'], repo);
    assert.equal(ui.code, 2, ui.stderr);
    assert.deepEqual(ui.loaded, [], 'mlv ui without a TTY stops before loading ink');
    // The tracer itself works: importing the UI module records ink and react.
    const control = traced(['--input-type=module', '-e', `await import(${JSON.stringify(join(ROOT, 'dist', 'cli', 'ui', 'run.js'))})`], repo);
    assert.equal(control.code, 0, control.stderr);
    assert.ok(control.loaded.includes('ink') && control.loaded.includes('react'), control.loaded.join(', '));
  } finally {
    removeDir(repo);
  }
});
