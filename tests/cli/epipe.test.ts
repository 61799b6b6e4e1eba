/**
 * A reader that goes away (`mlv train … | head -1`): the command ends quietly with the
 * status a shell gives a writer SIGPIPE ended (141, as git's `git log | head -1`), with
 * no stack trace. The child's stdout is a pipe the test closes before it writes.
 */
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeExpRepo } from '../helpers/exp.js';
import { env, MLV_BIN, mlvOk, removeDir, ROOT } from '../helpers/repo.js';

function closedReader(cwd: string, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [MLV_BIN, ...args], { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

describe('output to a closed pipe', () => {
  let dir: string;
  before(() => {
    dir = makeExpRepo();
    copyFileSync(join(ROOT, 'fixtures', 'ml', 'iris.csv'), join(dir, 'iris.csv'));
    mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.trees=20', '--name', 'twenty']);
  });
  after(() => removeDir(dir));

  for (const args of [
    ['train', 'iris.csv', '--target', 'species', '--task', 'classification', '-o', 'm.json'],
    ['explore', 'iris.csv'],
    ['exp', 'show'],
    ['metrics', 'show'],
    ['exp', 'show', '--json'],
  ]) {
    test(`mlv ${args.slice(0, 2).join(' ')}${args.includes('--json') ? ' --json' : ''}: exit 141, no stack trace`, async () => {
      const r = await closedReader(dir, args);
      assert.equal(r.code, 141, r.stderr);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /);
    });
  }
});
