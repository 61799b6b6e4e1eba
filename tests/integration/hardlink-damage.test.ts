/**
 * Hard-link checkouts written in place (docs/FORMAT.md, "Hard links"): only root can
 * write through the read-only link, and the write changes the cache object too. status
 * must say which object is damaged and how to fix it, for a tracked file and for a file
 * inside a tracked directory; fsck names the object's file and what uses it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) removeDir(d); });

const objectRel = (hash: string) => `.mlv/cache/objects/sha256/${hash.slice(0, 2)}/${hash.slice(2)}`;

function hardlinkRepo(): string {
  const repo = makeRepo();
  dirs.push(repo);
  mlvOk(repo, ['init']);
  writeFileSync(join(repo, '.mlv', 'config.local'), 'link: [hardlink]\n');
  return repo;
}

/** The object a tracked directory's manifest names for one of its files. */
function entryHash(repo: string, dir: string, rel: string): string {
  const manifest = /hash: sha256:(\S+)/.exec(readFileSync(join(repo, `${dir}.mlv`), 'utf8'))![1];
  const { entries } = JSON.parse(readFileSync(join(repo, objectRel(manifest)), 'utf8')) as { entries: Array<{ path: string; hash: string }> };
  return entries.find((e) => e.path === rel)!.hash.slice('sha256:'.length);
}

test('a file of a tracked directory written in place through its hard link is damaged, naming the object and the fix', (t) => {
  if (process.getuid?.() !== 0) { t.skip('only root can write through the read-only hard link'); return; }
  const repo = hardlinkRepo();
  for (const d of ['ds/a', 'ds/b']) mkdirSync(join(repo, d), { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(join(repo, `ds/${i % 2 ? 'a' : 'b'}/f${i}.txt`), `file ${i}\n`);
  mlvOk(repo, ['add', 'ds']);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'v1']);
  rmSync(join(repo, 'ds'), { recursive: true });
  mlvOk(repo, ['checkout']);
  const hash = entryHash(repo, 'ds', 'a/f3.txt');
  assert.equal(statSync(join(repo, 'ds/a/f3.txt')).ino, statSync(join(repo, objectRel(hash))).ino);
  assert.equal(JSON.parse(mlvOk(repo, ['status', '--json']).stdout).clean, true);
  writeFileSync(join(repo, 'ds/a/f3.txt'), 'edited\n', { flag: 'a' }); // in place, through the link
  // Names unchanged: answered from the state index (the edit is hashed once, then remembered).
  for (let i = 0; i < 2; i++) {
    const r = JSON.parse(mlv(repo, ['status', '--json']).stdout);
    assert.equal(r.data[0].state, 'damaged');
    assert.deepEqual(r.data[0].changes, [{ path: 'a/f3.txt', change: 'damaged', oldSize: 7, newSize: 14, object: objectRel(hash) }]);
  }
  writeFileSync(join(repo, 'ds/a/new.txt'), 'new\n'); // an ordinary change beside it: the directory is walked

  const st = JSON.parse(mlv(repo, ['status', '--json']).stdout);
  assert.equal(st.clean, false);
  assert.equal(st.data.length, 1);
  assert.equal(st.data[0].state, 'damaged');
  assert.deepEqual(st.data[0].changes.map((c: { path: string; change: string }) => [c.path, c.change]), [['a/f3.txt', 'damaged'], ['a/new.txt', 'added']]);
  assert.equal(st.data[0].changes[0].object, objectRel(hash));
  assert.match(st.data[0].hint, /^mlv add ds, then delete the damaged cache object\(s\)/);
  const human = mlv(repo, ['status']).stdout;
  assert.match(human, /damaged +ds {2}\(mlv add ds, then delete/);
  assert.ok(human.includes(`damaged  ds/a/f3.txt  (cache object ${objectRel(hash)})`), human);

  const f = mlv(repo, ['fsck']);
  assert.equal(f.code, 1);
  assert.match(f.stdout, new RegExp(`^corrupt ${hash}: content hashes to [0-9a-f]{64}; it is ds/a/f3\\.txt \\(ds\\.mlv\\)$`, 'm'));
  assert.ok(f.stdout.includes(`rm -f ${objectRel(hash)}`), f.stdout);

  // The fix as the hint gives it: record the edit, delete the damaged object.
  mlvOk(repo, ['add', 'ds']);
  rmSync(join(repo, objectRel(hash)));
  assert.equal(JSON.parse(mlvOk(repo, ['status', '--json']).stdout).clean, true);
  assert.equal(mlv(repo, ['fsck']).code, 0);
  assert.equal(readFileSync(join(repo, 'ds/a/f3.txt'), 'utf8'), 'file 3\nedited\n');
});

test('a tracked file written in place through its hard link: status names the damaged object; an ordinary edit stays modified', (t) => {
  if (process.getuid?.() !== 0) { t.skip('only root can write through the read-only hard link'); return; }
  const repo = hardlinkRepo();
  writeFileSync(join(repo, 'model.bin'), 'model v1\n');
  writeFileSync(join(repo, 'other.bin'), 'other v1\n');
  mlvOk(repo, ['add', 'model.bin', 'other.bin']);
  rmSync(join(repo, 'model.bin'));
  rmSync(join(repo, 'other.bin'));
  mlvOk(repo, ['checkout']);
  const hash = /hash: sha256:(\S+)/.exec(readFileSync(join(repo, 'model.bin.mlv'), 'utf8'))![1];
  writeFileSync(join(repo, 'model.bin'), 'more\n', { flag: 'a' });
  rmSync(join(repo, 'other.bin')); // replaced, as editors do: not damage
  writeFileSync(join(repo, 'other.bin'), 'other v2\n');
  const st = JSON.parse(mlv(repo, ['status', '--json']).stdout);
  const row = (p: string) => st.data.find((d: { path: string }) => d.path === p);
  assert.equal(row('other.bin').state, 'modified');
  assert.equal(row('model.bin').state, 'damaged');
  assert.equal(row('model.bin').hint, `mlv add model.bin, then delete the damaged cache object ${objectRel(hash)} (docs/FORMAT.md, "Hard links")`);
  const f = mlv(repo, ['fsck']);
  assert.match(f.stdout, new RegExp(`^corrupt ${hash}: content hashes to [0-9a-f]{64}; it is model\\.bin \\(model\\.bin\\.mlv\\)$`, 'm'));
  assert.ok(f.stdout.includes(`rm -f ${objectRel(hash)}`), f.stdout);
  mlvOk(repo, ['add', 'model.bin', 'other.bin']);
  rmSync(join(repo, objectRel(hash)));
  assert.ok(!existsSync(join(repo, objectRel(hash))));
  assert.equal(JSON.parse(mlvOk(repo, ['status', '--json']).stdout).clean, true);
});
