import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { env, git, makeRepo, mlv, MLV_BIN, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const write = (dir: string, rel: string, data: string | Buffer) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), data);
};
const read = (dir: string, rel: string) => readFileSync(join(dir, rel));
const objects = (dir: string): string[] => {
  const base = join(dir, '.mlv/cache/objects/sha256');
  return existsSync(base) ? readdirSync(base).flatMap((p) => readdirSync(join(base, p)).map((r) => p + r)) : [];
};
const gitFsck = (dir: string) => git(dir, ['fsck', '--strict', '--no-progress']);

function initRepo(): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  return dir;
}

test('init creates config, ignored cache and .mlvignore; is idempotent; refuses outside git', () => {
  const dir = makeRepo();
  const first = mlvOk(dir, ['init', '--json']);
  assert.deepEqual(JSON.parse(first.stdout).created, ['.mlv/config', '.mlv/cache/', '.mlv/.gitignore', '.mlvignore']);
  assert.ok(existsSync(join(dir, '.mlv/cache')));
  assert.match(readFileSync(join(dir, '.mlvignore'), 'utf8'), /^#/m);
  git(dir, ['add', '-A']);
  const staged = git(dir, ['diff', '--cached', '--name-only']);
  assert.ok(!staged.includes('.mlv/cache'), 'cache must be git-ignored');
  assert.deepEqual(JSON.parse(mlvOk(dir, ['init', '--json']).stdout).created, []);
  const outside = tempDir();
  const r = mlv(outside, ['init']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not inside a git repository/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  removeDir(outside);
  removeDir(dir);
});

test('add, commit, modify, commit; checkout old and new are byte-identical; git fsck clean', () => {
  const dir = initRepo();
  const v1 = Buffer.from('id,value\n1,10\n2,20\n');
  write(dir, 'data/raw.csv', v1);
  write(dir, 'data/images/a.png', 'AAA');
  write(dir, 'data/images/sub/b.png', 'BBB');
  const added = JSON.parse(mlvOk(dir, ['add', 'data/raw.csv', 'data/images/', '--desc', 'June scrape', '--json']).stdout);
  assert.equal(added.length, 2);
  assert.equal(added[1].kind, 'dir');
  assert.equal(added[1].files, 2);
  const pointer = readFileSync(join(dir, 'data/raw.csv.mlv'), 'utf8');
  assert.match(pointer, /hash: sha256:[0-9a-f]{64}/);
  assert.match(pointer, /desc: "June scrape"/);
  assert.match(readFileSync(join(dir, 'data/.gitignore'), 'utf8'), /^\/raw\.csv$/m);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'v1']);
  assert.equal(git(dir, ['ls-files', 'data/raw.csv']).trim(), '', 'the data itself is not in git');

  const v2 = Buffer.from('id,value\n1,10\n2,20\n3,30\n');
  write(dir, 'data/raw.csv', v2);
  write(dir, 'data/images/c.png', 'CCC');
  write(dir, 'data/images/a.png', 'AAA2');
  mlvOk(dir, ['add', 'data/raw.csv', 'data/images']);
  git(dir, ['commit', '-qam', 'v2']);

  mlvOk(dir, ['checkout', 'HEAD~1']);
  assert.deepEqual(read(dir, 'data/raw.csv'), v1);
  assert.equal(read(dir, 'data/images/a.png').toString(), 'AAA');
  assert.equal(existsSync(join(dir, 'data/images/c.png')), false, 'files the old version does not track are removed');
  assert.equal(git(dir, ['log', '-1', '--format=%s']).trim(), 'v1', 'git moved too');

  mlvOk(dir, ['checkout', 'main']);
  assert.deepEqual(read(dir, 'data/raw.csv'), v2);
  assert.equal(read(dir, 'data/images/c.png').toString(), 'CCC');
  assert.equal(git(dir, ['symbolic-ref', '--short', 'HEAD']).trim(), 'main', 'branch checkout keeps HEAD attached');
  const st = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
  assert.equal(st.clean, true);
  gitFsck(dir);
  removeDir(dir);
});

test('same content is one object across paths and commits', () => {
  const dir = initRepo();
  write(dir, 'a/one.bin', 'same bytes');
  write(dir, 'b/two.bin', 'same bytes');
  write(dir, 'c/three.bin', 'other');
  mlvOk(dir, ['add', 'a/one.bin', 'b/two.bin', 'c/three.bin']);
  assert.equal(objects(dir).length, 2);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'x']);
  write(dir, 'c/three.bin', 'same bytes');
  mlvOk(dir, ['add', 'c/three.bin']);
  assert.equal(objects(dir).length, 2, 'content already cached adds no object');
  removeDir(dir);
});

test('changing one file of a directory stores one new blob and one new manifest', () => {
  const dir = initRepo();
  for (let i = 0; i < 50; i++) write(dir, `ds/f${i}.txt`, `file ${i}`);
  mlvOk(dir, ['add', 'ds']);
  const before = new Set(objects(dir));
  write(dir, 'ds/f7.txt', 'changed');
  mlvOk(dir, ['add', 'ds']);
  const added = objects(dir).filter((h) => !before.has(h));
  assert.equal(added.length, 2);
  removeDir(dir);
});

test('.mlvignore at the root and nested decides what a directory add skips; symlinks are reported, not followed', () => {
  const dir = initRepo();
  writeFileSync(join(dir, '.mlvignore'), '*.tmp\n');
  write(dir, 'ds/keep.csv', 'k');
  write(dir, 'ds/junk.tmp', 'j');
  write(dir, 'ds/sub/.mlvignore', 'scratch/\n');
  write(dir, 'ds/sub/x.csv', 'x');
  write(dir, 'ds/sub/scratch/y.csv', 'y');
  symlinkSync('/etc/passwd', join(dir, 'ds/outside-link'));
  const r = mlvOk(dir, ['add', 'ds', '--json']);
  const [a] = JSON.parse(r.stdout);
  assert.equal(a.files, 2, 'keep.csv and sub/x.csv only');
  assert.deepEqual(a.skipped, [{ path: 'ds/outside-link', reason: 'symlink' }]);
  assert.match(r.stderr, /skipped ds\/outside-link: symbolic link/);
  const clone = tempDir();
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'ds']);
  git(clone, ['clone', '-q', dir, '.']);
  mlvOk(clone, ['remote', 'add', 'here', join(dir, '.mlv/cache/objects')]);
  mlvOk(clone, ['pull']);
  const restored = git(clone, ['ls-files', '--others', '--ignored', '--exclude-standard', 'ds']).trim().split('\n').sort();
  assert.deepEqual(restored, ['ds/keep.csv', 'ds/sub/x.csv']);
  removeDir(clone);
  removeDir(dir);
});

test('status uses the state index: reading does not re-hash; a changed ctime or mtime re-hashes once', () => {
  const dir = initRepo();
  for (let i = 0; i < 20; i++) write(dir, `ds/f${i}.txt`, `file ${i}`);
  write(dir, 'single.bin', 'x'.repeat(1000));
  mlvOk(dir, ['add', 'ds', 'single.bin']);
  let st = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
  assert.equal(st.clean, true);
  assert.equal(st.hashing.hashed, 0, 'files hashed by add are known to the state index');
  assert.equal(st.hashing.fromIndex, 21);
  read(dir, 'ds/f3.txt');
  st = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
  assert.equal(st.hashing.hashed, 0, 'reading a file does not re-hash it');
  execFileSync('touch', ['-a', join(dir, 'ds/f3.txt')]); // atime: the bytes and mtime stay, the ctime moves
  const s = statSync(join(dir, 'ds/f3.txt'));
  st = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
  assert.equal(st.hashing.hashed, 1, 'a changed ctime re-hashes (as git does with core.trustctime)');
  st = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
  assert.equal(st.hashing.hashed, 0);
  // Touched, same bytes. The new mtime lies in the past: an mtime not older than the index
  // file is racy (git's rule) and is re-read on every status until the index is newer.
  utimesSync(join(dir, 'ds/f3.txt'), s.atime, new Date(s.mtimeMs - 5000));
  st = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
  assert.equal(st.clean, true);
  assert.equal(st.hashing.hashed, 1, 'only the touched file is re-read');
  st = JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
  assert.equal(st.hashing.hashed, 0, 'and then remembered');
  write(dir, 'ds/f4.txt', 'changed!');
  const r = mlv(dir, ['status', '--check', '--json']);
  assert.equal(r.code, 1);
  const dirty = JSON.parse(r.stdout);
  assert.equal(dirty.data[0].path, 'ds');
  assert.equal(dirty.data[0].state, 'modified');
  assert.deepEqual(dirty.data[0].changes.map((c: { path: string }) => c.path), ['f4.txt']);
  removeDir(dir);
});

test('checkout never overwrites uncached changes without --force', () => {
  const dir = initRepo();
  write(dir, 'model.bin', 'v1');
  mlvOk(dir, ['add', 'model.bin']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'v1']);
  write(dir, 'model.bin', 'precious uncommitted work');
  const r = mlv(dir, ['checkout']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /model\.bin: has changes that are not in the cache/);
  assert.equal(read(dir, 'model.bin').toString(), 'precious uncommitted work');
  mlvOk(dir, ['checkout', '--force']);
  assert.equal(read(dir, 'model.bin').toString(), 'v1');
  removeDir(dir);
});

test('get extracts a file or directory at a revision without touching HEAD or the workspace', () => {
  const dir = initRepo();
  write(dir, 'models/model.json', '{"v":1}');
  write(dir, 'ds/a.txt', 'a1');
  mlvOk(dir, ['add', 'models/model.json', 'ds']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'v1']);
  write(dir, 'models/model.json', '{"v":2}');
  write(dir, 'ds/a.txt', 'a2');
  mlvOk(dir, ['add', 'models/model.json', 'ds']);
  git(dir, ['commit', '-qam', 'v2']);
  const head = git(dir, ['rev-parse', 'HEAD']);
  const out = tempDir();
  mlvOk(dir, ['get', 'HEAD~1', 'models/model.json', '-o', join(out, 'old.json')]);
  assert.equal(readFileSync(join(out, 'old.json'), 'utf8'), '{"v":1}');
  mlvOk(dir, ['get', 'HEAD~1', 'ds', '-o', join(out, 'ds-old')]);
  assert.equal(readFileSync(join(out, 'ds-old/a.txt'), 'utf8'), 'a1');
  assert.equal(git(dir, ['rev-parse', 'HEAD']), head);
  assert.equal(read(dir, 'models/model.json').toString(), '{"v":2}');
  const again = mlv(dir, ['get', 'HEAD~1', 'models/model.json', '-o', join(out, 'old.json')]);
  assert.equal(again.code, 2, 'refuses to overwrite without --force');
  const missing = mlv(dir, ['get', 'HEAD~1', 'nope.bin']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.bin: not tracked by mlv at HEAD~1/);
  removeDir(out);
  removeDir(dir);
});

test('diff lists added, modified and deleted artifacts with sizes and changed files inside directories', () => {
  const dir = initRepo();
  write(dir, 'keep.bin', '1234');
  write(dir, 'gone.bin', 'xx');
  write(dir, 'ds/a.txt', 'a');
  write(dir, 'ds/b.txt', 'b');
  mlvOk(dir, ['add', 'keep.bin', 'gone.bin', 'ds']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'v1']);
  write(dir, 'keep.bin', '123456');
  write(dir, 'ds/b.txt', 'bbb');
  write(dir, 'ds/c.txt', 'c');
  write(dir, 'new.bin', 'n');
  mlvOk(dir, ['add', 'keep.bin', 'ds', 'new.bin']);
  git(dir, ['rm', '-q', 'gone.bin.mlv']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'v2']);
  const d = JSON.parse(mlvOk(dir, ['diff', 'HEAD~1', 'HEAD', '--json']).stdout);
  const rows = Object.fromEntries(d.artifacts.map((r: { path: string }) => [r.path, r]));
  assert.equal(rows['gone.bin'].change, 'deleted');
  assert.equal(rows['gone.bin'].oldSize, 2);
  assert.equal(rows['new.bin'].change, 'added');
  assert.equal(rows['keep.bin'].oldSize, 4);
  assert.equal(rows['keep.bin'].newSize, 6);
  assert.deepEqual(rows['ds'].files, [
    { path: 'b.txt', change: 'modified', oldSize: 1, newSize: 3 },
    { path: 'c.txt', change: 'added', newSize: 1 },
  ]);
  removeDir(dir);
});

test('clone, pull from a local remote, checkout: every file back byte for byte', () => {
  const dir = initRepo();
  const store = tempDir('mlv-remote-');
  const big = Buffer.alloc(6 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  write(dir, 'data/big.bin', big);
  for (let i = 0; i < 30; i++) write(dir, `data/many/f${i}.txt`, `row ${i}\n`);
  mlvOk(dir, ['add', 'data/big.bin', 'data/many']);
  mlvOk(dir, ['remote', 'add', 'origin', store, '--default']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'data']);
  const pushed = JSON.parse(mlvOk(dir, ['push', '--json']).stdout);
  assert.equal(pushed.transferred, 32);
  assert.equal(JSON.parse(mlvOk(dir, ['push', '--json']).stdout).transferred, 0, 'only missing objects move');
  const clone = tempDir('mlv-clone-');
  git(clone, ['clone', '-q', dir, '.']);
  const pulled = JSON.parse(mlvOk(clone, ['pull', '--json']).stdout);
  assert.equal(pulled.transferred, 32);
  assert.deepEqual(read(clone, 'data/big.bin'), big);
  for (let i = 0; i < 30; i++) assert.equal(read(clone, `data/many/f${i}.txt`).toString(), `row ${i}\n`);
  assert.equal(JSON.parse(mlvOk(clone, ['status', '--json']).stdout).clean, true);
  gitFsck(clone);
  removeDir(clone);
  removeDir(store);
  removeDir(dir);
});

test('a corrupt object on the remote is refused on pull and never enters the cache', () => {
  const dir = initRepo();
  const store = tempDir('mlv-remote-');
  write(dir, 'm.bin', 'model bytes');
  mlvOk(dir, ['add', 'm.bin']);
  mlvOk(dir, ['remote', 'add', 'origin', store]);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'm']);
  mlvOk(dir, ['push']);
  const hash = /sha256:([0-9a-f]{64})/.exec(readFileSync(join(dir, 'm.bin.mlv'), 'utf8'))![1];
  const remoteObj = join(store, 'sha256', hash.slice(0, 2), hash.slice(2));
  chmodSync(remoteObj, 0o644);
  writeFileSync(remoteObj, 'tampered');
  const clone = tempDir('mlv-clone-');
  git(clone, ['clone', '-q', dir, '.']);
  const r = mlv(clone, ['pull']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`object ${hash} is corrupt`));
  assert.equal(objects(clone).length, 0);
  assert.equal(existsSync(join(clone, 'm.bin')), false);
  removeDir(clone);
  removeDir(store);
  removeDir(dir);
});

test('gc keeps what is referenced; --dry-run lists; --all-commits keeps history', () => {
  const dir = initRepo();
  write(dir, 'd.bin', 'version 1');
  mlvOk(dir, ['add', 'd.bin']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'v1']);
  write(dir, 'd.bin', 'version 2');
  mlvOk(dir, ['add', 'd.bin']);
  git(dir, ['commit', '-qam', 'v2']);
  write(dir, 'd.bin', 'version 3 never committed');
  mlvOk(dir, ['add', 'd.bin']);
  mlvOk(dir, ['checkout', '--force', '--', 'd.bin']);
  git(dir, ['checkout', '-q', '--', 'd.bin.mlv']);
  mlvOk(dir, ['checkout']);
  assert.equal(objects(dir).length, 3);
  const keepAll = JSON.parse(mlvOk(dir, ['gc', '--all-commits', '--dry-run', '--json']).stdout);
  assert.equal(keepAll.removed.length, 1, 'only the never-committed version is unreferenced');
  assert.equal(keepAll.removed[0].size, 'version 3 never committed'.length);
  assert.equal(objects(dir).length, 3, 'dry run deletes nothing');
  const ws = JSON.parse(mlvOk(dir, ['gc', '--json']).stdout);
  assert.equal(ws.removed.length, 2);
  assert.equal(objects(dir).length, 1);
  assert.equal(read(dir, 'd.bin').toString(), 'version 2');
  mlvOk(dir, ['checkout']);
  removeDir(dir);
});

test('fsck finds a flipped byte (exit 1) and names the object', () => {
  const dir = initRepo();
  write(dir, 'x.bin', 'some content here');
  mlvOk(dir, ['add', 'x.bin']);
  assert.equal(mlv(dir, ['fsck']).code, 0);
  const [hash] = objects(dir);
  const p = join(dir, '.mlv/cache/objects/sha256', hash.slice(0, 2), hash.slice(2));
  chmodSync(p, 0o644);
  const b = readFileSync(p);
  b[3] ^= 0x01;
  writeFileSync(p, b);
  const r = mlv(dir, ['fsck', '--json']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.problems.map((x: { hash: string; problem: string }) => [x.hash, x.problem]), [[hash, 'corrupt']]);
  write(dir, 'x.bin', 'something else');
  const co = mlv(dir, ['checkout', '--force']);
  assert.equal(co.code, 1, 'a corrupt object is never checked out');
  assert.match(co.stderr, /is corrupt/);
  removeDir(dir);
});

test('bad input: one clear line naming the file, non-zero exit, nothing half-written', () => {
  const dir = initRepo();
  const outside = tempDir();
  writeFileSync(join(outside, 'f.txt'), 'x');
  let r = mlv(dir, ['add', join(outside, 'f.txt')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is outside the repository/);
  r = mlv(dir, ['add', 'no/such/file.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no\/such\/file\.csv: no such file or directory/);

  r = mlv(dir, ['checkout', 'HEAD']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no commits yet/);

  write(dir, 'p.bin', 'p');
  mlvOk(dir, ['add', 'p.bin']);
  const good = readFileSync(join(dir, 'p.bin.mlv'), 'utf8');
  writeFileSync(join(dir, 'p.bin.mlv'), 'format: 1\nkind: [file\n');
  r = mlv(dir, ['status']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^mlv: p\.bin\.mlv(:\d+)?: not a valid pointer \(bad YAML/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  writeFileSync(join(dir, 'p.bin.mlv'), good.replace(/sha256:[0-9a-f]+/, 'sha256:abc'));
  r = mlv(dir, ['status']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /p\.bin\.mlv: hash must be sha256:<64 hex digits>/);
  writeFileSync(join(dir, 'p.bin.mlv'), good.replace(/sha256:[0-9a-f]+/, 'sha256:' + 'ab'.repeat(32)));
  writeFileSync(join(dir, 'p.bin'), 'changed and not cached');
  r = mlv(dir, ['checkout', '--force']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /p\.bin: not in the cache; run mlv pull first/);
  assert.equal(read(dir, 'p.bin').toString(), 'changed and not cached', 'nothing was touched');

  // A manifest with '..' in it is refused before anything is written.
  const evil = `{"format":"mlv-manifest","version":1,"entries":[{"path":"../escape.txt","hash":"sha256:${'cd'.repeat(32)}","size":1,"exec":false}]}`;
  const { createHash } = require_crypto();
  const h = createHash('sha256').update(evil).digest('hex');
  mkdirSync(join(dir, '.mlv/cache/objects/sha256', h.slice(0, 2)), { recursive: true });
  writeFileSync(join(dir, '.mlv/cache/objects/sha256', h.slice(0, 2), h.slice(2)), evil);
  writeFileSync(join(dir, 'evil.mlv'), `format: 1\nkind: dir\nhash: sha256:${h}\nsize: 1\nfiles: 1\n`);
  r = mlv(dir, ['checkout', '--force', 'evil.mlv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unsafe path "\.\.\/escape\.txt"/);
  assert.equal(existsSync(join(dir, 'escape.txt')), false);
  const tmp = join(dir, '.mlv/cache/tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no temp files left behind');
  removeDir(outside);
  removeDir(dir);
});

test('install-hooks: data follows git checkout', () => {
  const dir = initRepo();
  write(dir, 'd.txt', 'one');
  mlvOk(dir, ['add', 'd.txt']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'one']);
  git(dir, ['checkout', '-qb', 'two']);
  write(dir, 'd.txt', 'two');
  mlvOk(dir, ['add', 'd.txt']);
  git(dir, ['commit', '-qam', 'two']);
  const r = JSON.parse(mlvOk(dir, ['install-hooks', '--json']).stdout);
  assert.deepEqual(r.installed, ['post-checkout', 'pre-push']);
  git(dir, ['checkout', '-q', 'main']);
  assert.equal(read(dir, 'd.txt').toString(), 'one');
  git(dir, ['checkout', '-q', 'two']);
  assert.equal(read(dir, 'd.txt').toString(), 'two');
  removeDir(dir);
});

import { createRequire } from 'node:module';
function require_crypto() {
  return createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
}

test('add refuses a directory that contains separately tracked data; the git add hint names the right files', () => {
  const dir = initRepo();
  write(dir, 'data/iris.csv', 'a,b\n');
  write(dir, 'data/other.txt', 'x');
  mkdirSync(join(dir, 'sub'));
  write(dir, 'sub/f.txt', 'f');
  const r1 = mlvOk(dir, ['add', 'data/iris.csv']);
  assert.match(r1.stdout, /git add data\/iris\.csv\.mlv data\/\.gitignore$/m);
  const r2 = mlvOk(join(dir, 'sub'), ['add', 'f.txt']);
  assert.match(r2.stdout, /git add f\.txt\.mlv \.gitignore$/m, 'paths relative to where mlv ran');
  const r = mlv(dir, ['add', 'data']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /data: contains data\/iris\.csv, which is tracked on its own \(data\/iris\.csv\.mlv\)/);
  assert.equal(existsSync(join(dir, 'data.mlv')), false);
  removeDir(dir);
});

test('get takes one file, or a sub-directory, out of a tracked directory', () => {
  const dir = initRepo();
  write(dir, 'ds/a/1.txt', 'one');
  write(dir, 'ds/a/2.txt', 'two');
  write(dir, 'ds/b.txt', 'bee');
  mlvOk(dir, ['add', 'ds']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'ds']);
  const out = tempDir();
  mlvOk(dir, ['get', 'HEAD', 'ds/b.txt', '-o', join(out, 'b.txt')]);
  assert.equal(readFileSync(join(out, 'b.txt'), 'utf8'), 'bee');
  mlvOk(dir, ['get', 'HEAD', 'ds/a', '-o', join(out, 'a')]);
  assert.deepEqual(readdirSync(join(out, 'a')).sort(), ['1.txt', '2.txt']);
  assert.equal(readFileSync(join(out, 'a/2.txt'), 'utf8'), 'two');
  removeDir(out);
  removeDir(dir);
});

test('pull names the data a remote does not have and exits 1; gc warns when it drops history', () => {
  const dir = initRepo();
  const store = tempDir('mlv-remote-');
  write(dir, 'd.bin', 'v1');
  mlvOk(dir, ['add', 'd.bin']);
  mlvOk(dir, ['remote', 'add', 'origin', store]);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'v1']);
  write(dir, 'd.bin', 'v2');
  mlvOk(dir, ['add', 'd.bin']);
  git(dir, ['commit', '-qam', 'v2']);
  mlvOk(dir, ['push']);
  const g = mlvOk(dir, ['gc', '--json']);
  assert.equal(JSON.parse(g.stdout).fromHistory, 1);
  assert.match(g.stderr, /1 of the removed object\(s\) belong to older commits/);
  const clone = tempDir('mlv-clone-');
  git(clone, ['clone', '-q', dir, '.']);
  const r = mlv(clone, ['pull', '--all-commits']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /1 object\(s\) are not on the remote \(d\.bin\)/);
  removeDir(clone);
  removeDir(store);
  removeDir(dir);
});

test('a pointer missing a key, or whose size disagrees with its object, is reported', () => {
  const dir = initRepo();
  write(dir, 'x.bin', '12345');
  mlvOk(dir, ['add', 'x.bin']);
  const good = readFileSync(join(dir, 'x.bin.mlv'), 'utf8');
  writeFileSync(join(dir, 'x.bin.mlv'), good.replace(/^hash:.*\n/m, ''));
  let r = mlv(dir, ['status']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /x\.bin\.mlv: pointer has no 'hash'/);
  writeFileSync(join(dir, 'x.bin.mlv'), good.replace('size: 5', 'size: 12'));
  r = mlv(dir, ['fsck', '--json']);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).problems[0].problem, 'size-mismatch');
  removeDir(dir);
});

test('with --json an error is the one JSON document on stdout', () => {
  const dir = initRepo();
  const r = mlv(dir, ['get', 'HEAD', 'nope.bin', '--json']);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.exitCode, 2);
  assert.match(doc.error.message, /no commits yet/);
  assert.match(r.stderr, /^mlv: HEAD: the repository has no commits yet/);
  const usage = mlv(dir, ['status', '--json', '--no-such-flag']);
  assert.equal(usage.code, 2);
  assert.equal(JSON.parse(usage.stdout).error.code, 'EUSAGE');
  removeDir(dir);
});

test('add of many small files: objects are read-only and named by their bytes; kill -9 mid-add leaves no partial object', async () => {
  const dir = initRepo();
  try {
    for (let i = 0; i < 3000; i++) write(dir, `ds/${i % 30}/f${i}.txt`, `row ${i} ${'x'.repeat(i % 300)}\n`);
    const check = () => {
      for (const h of objects(dir)) {
        const p = join(dir, '.mlv/cache/objects/sha256', h.slice(0, 2), h.slice(2));
        assert.equal(statSync(p).mode & 0o777, 0o444, `${h} is read-only`);
        assert.equal(createHash('sha256').update(readFileSync(p)).digest('hex'), h, `${h} holds its bytes`);
      }
    };
    for (const ms of [300, 700, 1200]) {
      const child = spawn(process.execPath, [MLV_BIN, 'add', 'ds'], { cwd: dir, env: env(), stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, ms));
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      check();
    }
    mlvOk(dir, ['add', 'ds']);
    check();
    assert.equal(objects(dir).length, 3001, 'every file and the manifest');
    assert.deepEqual(JSON.parse(mlvOk(dir, ['status', '--json']).stdout).data, []);
    // Added again: every object is found in its directory's listing; nothing is written.
    const before = statSync(join(dir, '.mlv/cache/objects/sha256')).mtimeMs;
    rmSync(join(dir, '.mlv/state'));
    mlvOk(dir, ['add', 'ds']);
    assert.equal(objects(dir).length, 3001);
    assert.equal(statSync(join(dir, '.mlv/cache/objects/sha256')).mtimeMs, before);
    assert.equal(JSON.parse(mlvOk(dir, ['fsck', '--json']).stdout).problems.length, 0);
  } finally { removeDir(dir); }
});
