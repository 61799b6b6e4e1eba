/**
 * A bad count option is checked once, by the library verb, and reads the same from
 * every verb: exit 2, code EUSAGE, the option and the value named, nothing run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

const PIPELINE = `stages:
  make:
    cmd: node -e "require('fs').writeFileSync('out.txt', 'x')"
    deps: [params.yaml]
    outs: [out.txt]
`;

function usageError(dir: string, args: string[], option: string, value: string | number, expected: RegExp): void {
  const r = mlv(dir, [...args, '--json']);
  assert.equal(r.code, 2, `mlv ${args.join(' ')}: ${r.stderr}`);
  const e = JSON.parse(r.stdout).error;
  assert.equal(e.code, 'EUSAGE', `mlv ${args.join(' ')}`);
  assert.equal(e.option, option);
  assert.equal(e.value, value);
  assert.match(e.message, expected);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
}

test('a bad count is one EUSAGE line naming option and value, from every verb', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
    writeFileSync(join(dir, 'params.yaml'), 'k: 1\n');
    writeFileSync(join(dir, 'data.csv'), 'x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'pipeline']);

    const positive = /^--jobs 0: expected a whole number, 1 or more$/;
    usageError(dir, ['repro', '-j', '0'], '--jobs', 0, positive);
    usageError(dir, ['repro', '--rev', 'HEAD', '-j', '0'], '--jobs', 0, positive);
    usageError(dir, ['exp', 'run', '-S', 'k=2', '--jobs', '0'], '--jobs', 0, positive);
    usageError(dir, ['push', '-j', '0'], '--jobs', 0, positive);
    usageError(dir, ['pull', '-j', '0'], '--jobs', 0, positive);
    usageError(dir, ['train', 'data.csv', '--target', 'y', '--jobs', '0'], '--jobs', 0, positive);
    usageError(dir, ['train', 'data.csv', '--target', 'y', '--seed', '-1'], '--seed', -1, /^--seed -1: expected a whole number, 0 or more$/);
    usageError(dir, ['exp', 'show', '-n', '1.5'], '-n', 1.5, /^-n 1\.5: expected a whole number, 1 or more$/);
    usageError(dir, ['exp', 'run', '-S', 'k=2,3', '--random', '0'], '--random', 0, /^--random 0: expected a whole number, 1 or more$/);
    usageError(dir, ['worker', '--concurrency', '0'], '--concurrency', 0, /^--concurrency 0: expected a whole number, 1 or more$/);
    usageError(dir, ['gc', '--keep-runs', '-1'], '--keep-runs', -1, /^--keep-runs -1: expected a whole number, 0 or more$/);
    usageError(dir, ['train', 'data.csv', '--target', 'y', '--importance', 'permutation', '--importance-repeats', '0'], '--importance-repeats', 0, /^--importance-repeats 0: expected a whole number, 1 or more$/);
    usageError(dir, ['repro', '--rev', 'HEAD', '--tolerance', 'tiny'], '--tolerance', 'tiny', /^--tolerance tiny: expected a number$/);
    // Text that is no number at all: the CLI says so, with the same code.
    usageError(dir, ['repro', '-j', 'two'], '--jobs', 'two', /^--jobs two: expected a whole number$/);
    usageError(dir, ['exp', 'run', '-S', 'k=2', '-j', 'two'], '--jobs', 'two', /^--jobs two: expected a whole number$/);
    // Nothing ran: no output, no experiment.
    assert.equal(existsSync(join(dir, 'out.txt')), false);
    assert.equal(git(dir, ['for-each-ref', 'refs/mlv/exps']).trim(), '');
  } finally {
    removeDir(dir);
  }
});
