/**
 * Two `mlv exp run`s with the same values at once (issue 11, item 2): both keep every
 * experiment, under distinct names, each ref naming its own commit.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, git, makeRepo, MLV_BIN, mlvOk, removeDir, type RunResult } from '../helpers/repo.js';

function mlvAsync(cwd: string, args: string[], extra: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MLV_BIN, ...args], { cwd, env: env(extra) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

// exp run: a one-stage pipeline whose metric depends on the param.
const TRAIN = `node -e "const f=require('fs');const t=+/trees: *([0-9.]+)/.exec(f.readFileSync('params.yaml','utf8'))[1];f.writeFileSync('metrics.json',JSON.stringify({score:t}))"`;

describe('concurrent exp run', () => {
  let dir: string;
  before(() => {
    dir = makeRepo();
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  trees: 1\n');
    writeFileSync(join(dir, 'mlv.yaml'), `stages:\n  train:\n    cmd: ${JSON.stringify(TRAIN)}\n    params: [train.trees]\n    metrics:\n      - metrics.json:\n          cache: false\n`);
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'baseline']);
  });
  after(() => removeDir(dir));

  test('two exp run with the same values at once keep all their experiments, under distinct names (3 trials)', async () => {
    const refs = () => git(dir, ['for-each-ref', '--format=%(refname)', 'refs/mlv/exps/']).split('\n').filter(Boolean);
    for (let trial = 0; trial < 3; trial++) {
      const before = refs().length;
      const values = `train.trees=${trial * 10 + 2},${trial * 10 + 3}`;
      const rs = await Promise.all([0, 1].map(() => mlvAsync(dir, ['exp', 'run', '-S', values, '--json'])));
      const names: string[] = [];
      for (const r of rs) {
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.ok, 2);
        for (const res of out.results) {
          assert.equal(git(dir, ['rev-parse', res.ref]).trim(), res.commit, `${res.name} names its own commit`);
          assert.match(git(dir, ['log', '-1', '--format=%B', res.ref]), new RegExp(`Mlv-Exp-Name: ${res.name}\\n`));
          names.push(res.name);
        }
      }
      assert.equal(new Set(names).size, 4, `distinct names: ${names.join(', ')}`);
      assert.equal(refs().length, before + 4, `trial ${trial}: every run kept its ref`);
    }
    git(dir, ['fsck', '--no-progress']);
  });
});
