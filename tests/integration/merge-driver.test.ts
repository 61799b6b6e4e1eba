/**
 * `mlv merge-driver` under real `git merge`: registered by init/install-hooks, directory
 * pointers merged three-way on manifests (one fetched from a local remote), file pointers
 * in conflict, mlv.lock stage by stage. Real repos in temp dirs, the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const write = (dir: string, rel: string, data: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), data);
};
const read = (dir: string, rel: string) => readFileSync(join(dir, rel), 'utf8');
const remove = (dir: string, rel: string) => rmSync(join(dir, rel), { force: true });
const files = (dir: string, rel: string): string[] =>
  readdirSync(join(dir, rel), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(join(dir, rel).length + 1)).sort();
const objects = (dir: string): string[] => {
  const root = join(dir, '.mlv/cache/objects/sha256');
  return existsSync(root) ? readdirSync(root).flatMap((p) => readdirSync(join(root, p)).map((n) => p + n)).sort() : [];
};
const hashOf = (pointerText: string) => /hash: sha256:([0-9a-f]{64})/.exec(pointerText)![1];
/** git merge as a user runs it: the result, never a throw. */
const merge = (dir: string, branch: string) => spawnSync('git', ['merge', '--no-edit', branch], { cwd: dir, env: env(), encoding: 'utf8' });
const commit = (dir: string, msg: string) => { git(dir, ['add', '-A']); git(dir, ['commit', '-qm', msg]); };

function initRepo(): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  return dir;
}

/** main: data/ with a.txt and b.txt tracked as one directory, committed. */
function withDir(): string {
  const dir = initRepo();
  write(dir, 'data/a.txt', 'a0\n');
  write(dir, 'data/b.txt', 'b0\n');
  mlvOk(dir, ['add', 'data']);
  commit(dir, 'data');
  return dir;
}

test('init and install-hooks register the driver in .git/config and .gitattributes, idempotently', () => {
  const dir = makeRepo();
  try {
    const first = JSON.parse(mlvOk(dir, ['init', '--json']).stdout);
    assert.deepEqual(first.mergeDriver, { config: true, attributes: ['*.mlv merge=mlv', 'mlv.lock merge=mlv'] });
    assert.match(git(dir, ['config', '--get', 'merge.mlv.driver']), /bin\/mlv\.js' merge-driver %O %A %B %P\n$/);
    assert.equal(git(dir, ['check-attr', 'merge', 'data/x.mlv', 'sub/mlv.lock']), 'data/x.mlv: merge: mlv\nsub/mlv.lock: merge: mlv\n');
    const again = JSON.parse(mlvOk(dir, ['init', '--json']).stdout);
    assert.deepEqual(again.mergeDriver, { config: false, attributes: [] });
    // A clone has the committed .gitattributes but no driver: install-hooks adds it.
    commit(dir, 'init');
    const clone = tempDir('mlv-clone-');
    try {
      git(clone, ['clone', '-q', dir, '.']);
      assert.equal(spawnSync('git', ['config', '--get', 'merge.mlv.driver'], { cwd: clone }).status, 1);
      const r = JSON.parse(mlvOk(clone, ['install-hooks', '--json']).stdout);
      assert.deepEqual(r.mergeDriver, { config: true, attributes: [] });
      assert.equal(read(clone, '.gitattributes'), read(dir, '.gitattributes'));
    } finally { removeDir(clone); }
  } finally { removeDir(dir); }
});

test('directory: files added on both sides are kept, a file changed on one side takes that side', () => {
  const dir = withDir();
  try {
    git(dir, ['checkout', '-qb', 'theirs']);
    write(dir, 'data/c.txt', 'c from theirs\n');
    write(dir, 'data/a.txt', 'a changed by theirs\n');
    mlvOk(dir, ['add', 'data']);
    commit(dir, 'theirs');
    git(dir, ['checkout', '-q', 'main']);
    mlvOk(dir, ['checkout']);
    write(dir, 'data/d.txt', 'd from ours\n');
    remove(dir, 'data/b.txt');
    mlvOk(dir, ['add', 'data']);
    commit(dir, 'ours');

    const r = merge(dir, 'theirs');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /data: merged 2 \+ 3 → 3 files/);
    const pointer = read(dir, 'data.mlv');
    assert.match(pointer, /files: 3\n/);
    // The merged manifest is a stored object, named by the pointer.
    const manifest = JSON.parse(readFileSync(join(dir, '.mlv/cache/objects/sha256', hashOf(pointer).slice(0, 2), hashOf(pointer).slice(2)), 'utf8'));
    assert.deepEqual(manifest.entries.map((e: { path: string }) => e.path), ['a.txt', 'c.txt', 'd.txt']);
    mlvOk(dir, ['checkout', 'data']);
    assert.deepEqual(files(dir, 'data'), ['a.txt', 'c.txt', 'd.txt']);
    assert.equal(read(dir, 'data/a.txt'), 'a changed by theirs\n');
    assert.equal(read(dir, 'data/d.txt'), 'd from ours\n');
    assert.equal(JSON.parse(mlvOk(dir, ['status', '--json']).stdout).clean, true);
  } finally { removeDir(dir); }
});

test('directory: the same file changed differently, or changed against deleted, is a conflict that writes nothing half-merged', () => {
  const dir = withDir();
  try {
    git(dir, ['checkout', '-qb', 'theirs']);
    write(dir, 'data/a.txt', 'a by theirs\n');
    write(dir, 'data/b.txt', 'b by theirs\n');
    write(dir, 'data/new.txt', 'new\n');
    mlvOk(dir, ['add', 'data']);
    commit(dir, 'theirs');
    const theirsPointer = read(dir, 'data.mlv');
    git(dir, ['checkout', '-q', 'main']);
    mlvOk(dir, ['checkout']);
    write(dir, 'data/a.txt', 'a by ours\n');
    remove(dir, 'data/b.txt');
    mlvOk(dir, ['add', 'data']);
    commit(dir, 'ours');
    const oursPointer = read(dir, 'data.mlv');
    const before = objects(dir);

    const r = merge(dir, 'theirs');
    assert.notEqual(r.status, 0);
    const said = r.stdout + r.stderr;
    assert.match(said, /data: 2 file\(s\) changed on both sides:\n {2}data\/a\.txt\n {2}data\/b\.txt\n/);
    assert.match(said, /mlv get HEAD data -o data\.ours && mlv get MERGE_HEAD data -o data\.theirs/);
    assert.equal(read(dir, 'data.mlv'), `<<<<<<< ours\n${oursPointer}=======\n${theirsPointer}>>>>>>> theirs\n`);
    assert.deepEqual(objects(dir), before, 'no merged manifest was stored');
    assert.match(git(dir, ['status', '--porcelain']), /^UU data\.mlv$/m);
    // mlv refuses the unresolved pointer instead of guessing.
    assert.equal(mlv(dir, ['status']).code, 2);
    // Resolving by picking one side works as the message says.
    git(dir, ['checkout', '--theirs', 'data.mlv']);
    mlvOk(dir, ['checkout', 'data']);
    assert.equal(read(dir, 'data/b.txt'), 'b by theirs\n');
  } finally { removeDir(dir); }
});

test('file pointers changed on both sides: a conflict naming both versions, each readable with mlv get', () => {
  const dir = initRepo();
  try {
    write(dir, 'model.bin', 'v0');
    mlvOk(dir, ['add', 'model.bin']);
    commit(dir, 'v0');
    git(dir, ['checkout', '-qb', 'theirs']);
    write(dir, 'model.bin', 'theirs v1');
    mlvOk(dir, ['add', 'model.bin']);
    commit(dir, 'theirs');
    const theirsHash = hashOf(read(dir, 'model.bin.mlv'));
    git(dir, ['checkout', '-q', 'main']);
    mlvOk(dir, ['checkout']);
    write(dir, 'model.bin', 'ours v1');
    mlvOk(dir, ['add', 'model.bin']);
    commit(dir, 'ours');
    const oursHash = hashOf(read(dir, 'model.bin.mlv'));

    const r = merge(dir, 'theirs');
    assert.notEqual(r.status, 0);
    const said = r.stdout + r.stderr;
    assert.match(said, new RegExp(`model\\.bin: changed on both sides \\(ours file ${oursHash.slice(0, 12)}, theirs file ${theirsHash.slice(0, 12)}\\)`));
    assert.match(said, /mlv get HEAD model\.bin -o model\.bin\.ours && mlv get MERGE_HEAD model\.bin -o model\.bin\.theirs/);
    mlvOk(dir, ['get', 'HEAD', 'model.bin', '-o', 'model.bin.ours']);
    mlvOk(dir, ['get', 'MERGE_HEAD', 'model.bin', '-o', 'model.bin.theirs']);
    assert.equal(read(dir, 'model.bin.ours'), 'ours v1');
    assert.equal(read(dir, 'model.bin.theirs'), 'theirs v1');
  } finally { removeDir(dir); }
});

test('a file pointer changed on one side only merges without a conflict', () => {
  const dir = initRepo();
  try {
    write(dir, 'model.bin', 'v0');
    write(dir, 'notes.txt', 'n0\n');
    mlvOk(dir, ['add', 'model.bin']);
    commit(dir, 'v0');
    git(dir, ['checkout', '-qb', 'theirs']);
    write(dir, 'model.bin', 'theirs v1');
    mlvOk(dir, ['add', 'model.bin']);
    commit(dir, 'theirs');
    git(dir, ['checkout', '-q', 'main']);
    write(dir, 'notes.txt', 'n1\n');
    commit(dir, 'ours');
    const r = merge(dir, 'theirs');
    assert.equal(r.status, 0, r.stderr);
    mlvOk(dir, ['checkout']);
    assert.equal(read(dir, 'model.bin'), 'theirs v1');
  } finally { removeDir(dir); }
});

test('mlv.lock: a stage changed on one side takes that side; one changed on both is dropped, reported, then re-recorded by repro', () => {
  const dir = initRepo();
  try {
    write(dir, 'x1.txt', 'x1\n');
    write(dir, 'y1.txt', 'y1\n');
    write(dir, 'in2.txt', 'two\n');
    write(dir, 'mlv.yaml', [
      'stages:',
      '  one:',
      '    cmd: cat x1.txt y1.txt > out1.txt',
      '    deps: [x1.txt, y1.txt]',
      '    outs: [out1.txt]',
      '  two:',
      '    cmd: cat in2.txt in2.txt > out2.txt',
      '    deps: [in2.txt]',
      '    outs: [out2.txt]',
      '',
    ].join('\n'));
    mlvOk(dir, ['repro']);
    commit(dir, 'pipeline');
    git(dir, ['checkout', '-qb', 'theirs']);
    write(dir, 'y1.txt', 'y1 theirs\n');
    write(dir, 'in2.txt', 'two theirs\n');
    mlvOk(dir, ['repro']);
    commit(dir, 'theirs');
    const theirsTwo = /  two:\n[\s\S]*/.exec(read(dir, 'mlv.lock'))![0];
    git(dir, ['checkout', '-q', 'main']);
    mlvOk(dir, ['checkout']);
    write(dir, 'x1.txt', 'x1 ours\n');
    mlvOk(dir, ['repro']);
    commit(dir, 'ours');

    const r = merge(dir, 'theirs');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /mlv\.lock: stage 'one' changed on both sides; dropped from the lock \(mlv repro one records it again\)/);
    const lock = read(dir, 'mlv.lock');
    assert.doesNotMatch(lock, /^ {2}one:/m);
    assert.ok(lock.endsWith(theirsTwo), 'stage two is taken from the side that changed it');
    // Outputs follow the merged lock; then only the dropped stage is stale.
    mlvOk(dir, ['checkout']);
    assert.equal(read(dir, 'out2.txt'), 'two theirs\ntwo theirs\n');
    const s = JSON.parse(mlv(dir, ['status', '--json']).stdout);
    assert.deepEqual(s.stages.filter((x: { reasons: string[] }) => x.reasons.length).map((x: { stage: string; name?: string }) => x.stage ?? x.name), ['one']);
    mlvOk(dir, ['repro']);
    assert.equal(read(dir, 'out1.txt'), 'x1 ours\ny1 theirs\n');
    assert.match(read(dir, 'mlv.lock'), /^ {2}one:/m);
  } finally { removeDir(dir); }
});

test('directory merge fetches a manifest the cache lacks from the default remote', () => {
  const origin = withDir();
  const store = tempDir('mlv-remote-');
  const clone = tempDir('mlv-clone-');
  try {
    mlvOk(origin, ['remote', 'add', 'origin', store, '--default']);
    commit(origin, 'remote');
    mlvOk(origin, ['push']);
    // A teammate's clone adds a file and pushes its data; git carries only the pointer.
    git(clone, ['clone', '-q', origin, '.']);
    mlvOk(clone, ['install-hooks']);
    mlvOk(clone, ['pull']);
    write(clone, 'data/teammate.txt', 'from the clone\n');
    mlvOk(clone, ['add', 'data']);
    commit(clone, 'teammate');
    mlvOk(clone, ['push']);
    const theirsManifest = hashOf(read(clone, 'data.mlv'));

    write(origin, 'data/mine.txt', 'mine\n');
    mlvOk(origin, ['add', 'data']);
    commit(origin, 'mine');
    git(origin, ['fetch', '-q', clone, 'main:teammate']);
    assert.equal(objects(origin).includes(theirsManifest), false, 'the manifest is not cached yet');

    const r = merge(origin, 'teammate');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(objects(origin).includes(theirsManifest), 'fetched from the remote');
    mlvOk(origin, ['pull']);
    mlvOk(origin, ['checkout', 'data']);
    assert.deepEqual(files(origin, 'data'), ['a.txt', 'b.txt', 'mine.txt', 'teammate.txt']);

    // Without a reachable remote the merge stops as a conflict, naming the data.
    git(origin, ['reset', '-q', '--hard', 'HEAD~1']);
    const obj = join(origin, '.mlv/cache/objects/sha256', theirsManifest.slice(0, 2), theirsManifest.slice(2));
    chmodSync(obj, 0o644);
    rmSync(obj);
    removeDir(store);
    const r2 = merge(origin, 'teammate');
    assert.notEqual(r2.status, 0);
    assert.match(r2.stdout + r2.stderr, /data: manifest [0-9a-f]{12} is neither in the cache nor on remote 'origin'/);
  } finally { removeDir(clone); removeDir(store); removeDir(origin); }
});
