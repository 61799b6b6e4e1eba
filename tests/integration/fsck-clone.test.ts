/**
 * fsck and `status --check` agree on a fresh clone (issue 11, item 5): data never
 * pulled is listed apart, and is not damage; real damage still fails fsck.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

test('fresh clone: fsck and status --check both pass and name what is not pulled; damage still fails fsck', () => {
  const origin = makeRepo();
  const remote = tempDir('mlv-remote-');
  const clone = tempDir('mlv-clone-');
  try {
    mlvOk(origin, ['init']);
    mkdirSync(join(origin, 'd'));
    writeFileSync(join(origin, 'd/a'), 'a\n');
    writeFileSync(join(origin, 'd/b'), 'bb\n');
    writeFileSync(join(origin, 'f'), 'file\n');
    mlvOk(origin, ['remote', 'add', 'origin', remote]);
    mlvOk(origin, ['add', 'd', 'f']);
    mlvOk(origin, ['push']);
    git(origin, ['add', '-A']);
    git(origin, ['commit', '-qm', 'data']);
    rmSync(clone, { recursive: true });
    git(origin, ['clone', '-q', origin, clone]);

    assert.equal(mlv(clone, ['status', '--check']).code, 0);
    const fresh = mlv(clone, ['fsck', '--json']);
    assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
    const r = JSON.parse(fresh.stdout);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.notPulled.map((n: { path: string; files: number }) => [n.path, n.files]), [['d', 2], ['f', 1]]);
    assert.match(mlv(clone, ['fsck']).stdout, /Not pulled \(not damage; mlv pull fetches them\): d, f\./);

    mlvOk(clone, ['pull']);
    const pulled = JSON.parse(mlvOk(clone, ['fsck', '--json']).stdout);
    assert.deepEqual([pulled.problems, pulled.notPulled], [[], []]);

    // Damage: a cached object whose bytes changed. fsck fails; status --check does not look.
    const objects = join(clone, '.mlv/cache/objects/sha256');
    const prefix = readdirSync(objects)[0];
    const obj = join(objects, prefix, readdirSync(join(objects, prefix))[0]);
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'tampered');
    const damaged = mlv(clone, ['fsck', '--json']);
    assert.equal(damaged.code, 1);
    assert.ok(JSON.parse(damaged.stdout).problems.some((p: { problem: string }) => p.problem === 'corrupt'));
  } finally {
    for (const d of [origin, remote, clone]) removeDir(d);
  }
});
