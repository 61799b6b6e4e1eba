import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, removeDir } from '../../helpers/repo.js';
import { writeExpCommit } from '../../../src/experiments/commit.js';
import { generatedName } from '../../../src/experiments/names.js';
import { recordExp } from '../../../src/experiments/record.js';
import { expMessage, listExps } from '../../../src/experiments/refs.js';
import { createRef } from '../../../src/git/refs.js';

function repoWithBase(): { dir: string; base: string } {
  const dir = makeRepo();
  writeFileSync(join(dir, 'params.yaml'), 'a: 1\n');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'base']);
  return { dir, base: git(dir, ['rev-parse', 'HEAD']).trim() };
}

const commitFor = (dir: string, base: string, a: number) => (name: string) => writeExpCommit(dir, {
  baseline: base,
  identity: { name: 'Exp', email: 'exp@example.com' },
  message: expMessage({ name, summary: `a=${a}`, status: 'ok', overrides: { a } }),
  changes: [{ path: 'params.yaml', content: Buffer.from(`a: ${a}\n`) }],
});

test('createRef creates a ref only where none exists, and never moves one', async () => {
  const { dir, base } = repoWithBase();
  try {
    const ref = `refs/mlv/exps/${base}/e1`;
    const first = await commitFor(dir, base, 2)('e1');
    const second = await commitFor(dir, base, 3)('e1');
    assert.equal(createRef(dir, ref, first), true);
    assert.equal(createRef(dir, ref, second), false);
    assert.equal(git(dir, ['rev-parse', ref]).trim(), first);
    assert.equal(createRef(dir, ref, first), false);
  } finally {
    removeDir(dir);
  }
});

test('recordExp re-picks a generated name another run took meanwhile, and the message names the new one', async () => {
  const { dir, base } = repoWithBase();
  try {
    const seed = `${base} {"a":2} 0`;
    const planned = generatedName(seed, 0);
    // Another process recorded the planned name between planning and recording.
    const other = await commitFor(dir, base, 2)(planned);
    assert.equal(createRef(dir, `refs/mlv/exps/${base}/${planned}`, other), true);

    const r = await recordExp({ root: dir, baseline: base, name: planned, seed, commit: commitFor(dir, base, 2) });
    assert.notEqual(r.name, planned);
    assert.equal(r.name, generatedName(seed, 1));
    assert.equal(git(dir, ['rev-parse', `refs/mlv/exps/${base}/${planned}`]).trim(), other, 'the other run keeps its ref');
    const exps = listExps(dir);
    assert.equal(exps.length, 2);
    assert.equal(exps.find((e) => e.commit === r.commit)?.subject.includes(r.name), true);
    assert.match(git(dir, ['log', '-1', '--format=%B', r.ref]), new RegExp(`Mlv-Exp-Name: ${r.name}`));
  } finally {
    removeDir(dir);
  }
});

test('recordExp never takes a user-chosen name from another run: EEXPEXISTS naming the orphan commit', async () => {
  const { dir, base } = repoWithBase();
  try {
    const other = await commitFor(dir, base, 2)('mine');
    createRef(dir, `refs/mlv/exps/${base}/mine`, other);
    await assert.rejects(recordExp({ root: dir, baseline: base, name: 'mine', commit: commitFor(dir, base, 5) }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'EEXPEXISTS');
      assert.match(e.message, /experiment 'mine' was recorded by another mlv process/);
      return true;
    });
    assert.equal(git(dir, ['rev-parse', `refs/mlv/exps/${base}/mine`]).trim(), other);
  } finally {
    removeDir(dir);
  }
});
