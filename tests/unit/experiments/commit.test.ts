import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, removeDir } from '../../helpers/repo.js';
import { updateTree, writeExpCommit } from '../../../src/experiments/commit.js';
import { createRef } from '../../../src/git/refs.js';
import { listExps, resolveExp, deleteExpRefs } from '../../../src/experiments/refs.js';
import { expMessage } from '../../../src/experiments/refs.js';
import { readFilesAt } from '../../../src/git/porcelain.js';

test('an experiment commit replaces only the changed files, nested or not, and passes git fsck --strict', async () => {
  const dir = makeRepo();
  try {
    mkdirSync(join(dir, 'conf', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'params.yaml'), 'a: 1\n');
    writeFileSync(join(dir, 'conf', 'deep', 'x.json'), '{}\n');
    writeFileSync(join(dir, 'conf', 'keep.txt'), 'keep\n');
    writeFileSync(join(dir, 'gone.txt'), 'bye\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'base']);
    const base = git(dir, ['rev-parse', 'HEAD']).trim();
    const commit = await writeExpCommit(dir, {
      baseline: base,
      identity: { name: 'Exp', email: 'exp@example.com' },
      message: expMessage({ name: 'e1', summary: 'a=2', status: 'ok', overrides: { a: 2 } }),
      changes: [
        { path: 'params.yaml', content: Buffer.from('a: 2\n') },
        { path: 'conf/deep/x.json', content: Buffer.from('{"b":1}\n') },
        { path: 'metrics/new.json', content: Buffer.from('{"acc":1}\n') },
        { path: 'gone.txt', content: null },
      ],
    });
    assert.equal(createRef(dir, `refs/mlv/exps/${base}/e1`, commit), true);
    git(dir, ['fsck', '--strict', '--no-progress']);
    assert.equal(git(dir, ['log', '-1', '--format=%P %an <%ae>', commit]).trim(), `${base} Exp <exp@example.com>`);
    assert.deepEqual(git(dir, ['diff', '--name-status', base, commit]).trim().split('\n').sort(), ['A\tmetrics/new.json', 'D\tgone.txt', 'M\tconf/deep/x.json', 'M\tparams.yaml']);
    // Unchanged subtrees are shared with the baseline, not rewritten.
    assert.equal(git(dir, ['rev-parse', `${commit}:conf/keep.txt`]).trim(), git(dir, ['rev-parse', `${base}:conf/keep.txt`]).trim());
    const [p, missing, x] = await readFilesAt(dir, [`${commit}:params.yaml`, `${commit}:gone.txt`, `${commit}:conf/deep/x.json`]);
    assert.equal(p?.toString(), 'a: 2\n');
    assert.equal(missing, undefined);
    assert.equal(x?.toString(), '{"b":1}\n');
    // Removing a whole directory's only file removes the directory.
    const t = await updateTree(dir, git(dir, ['rev-parse', `${commit}^{tree}`]).trim(), [{ path: 'metrics/new.json', content: null }]);
    assert.equal(git(dir, ['ls-tree', '--name-only', t!]).includes('metrics'), false);

    const exps = listExps(dir);
    assert.equal(exps.length, 1);
    assert.equal(exps[0].name, 'e1');
    assert.equal(exps[0].baseline, base);
    assert.deepEqual(exps[0].overrides, { a: 2 });
    assert.equal(resolveExp(dir, 'e1').commit, commit);
    assert.equal(resolveExp(dir, `${base.slice(0, 7)}/e1`).commit, commit);
    assert.throws(() => resolveExp(dir, 'nope'), /no such experiment/);
    deleteExpRefs(dir, exps);
    assert.equal(listExps(dir).length, 0);
  } finally {
    removeDir(dir);
  }
});
