/**
 * The state index (docs/FORMAT.md, "State index, version 3") must never change an
 * answer of `mlv status`, only its cost: edits that keep size and mtime, renames,
 * inode reuse, directories replaced, rules changed, objects removed from the cache,
 * racy entries, and index files of version 1 or damaged. Real repos, the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

const write = (dir: string, rel: string, data: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), data);
};
const status = (dir: string) => JSON.parse(mlv(dir, ['status', '--json']).stdout);
const changes = (st: { data: Array<{ changes: Array<{ change: string; path: string }> }> }) =>
  st.data.flatMap((d) => d.changes.map((c) => `${c.change} ${c.path}`));
/** Give `rel` the mtime `ref` has now, to the nanosecond (touch -r): only ctime and inode can tell. */
const sameMtime = (dir: string, rel: string, ref: string) => execFileSync('touch', ['-m', '-r', ref, join(dir, rel)]);

/** A repo with ds/ (two subdirectories, three files each) added; status already ran once. */
function setup(): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  for (const sub of ['a', 'b']) for (let i = 0; i < 3; i++) write(dir, `ds/${sub}/f${i}.txt`, `${sub} row ${i}\n`);
  mlvOk(dir, ['add', 'ds']);
  const st = status(dir);
  assert.deepEqual(st.data, []);
  assert.equal(st.hashing.hashed, 0);
  return dir;
}

test('an edit that keeps the size and the mtime is found (ctime), at once and in the same second', () => {
  const dir = setup();
  try {
    const ref = join(dir, 'ref');
    execFileSync('touch', ['-r', join(dir, 'ds/a/f1.txt'), ref]);
    write(dir, 'ds/a/f1.txt', 'A row 1\n'); // same size
    sameMtime(dir, 'ds/a/f1.txt', ref);
    assert.equal(statSync(join(dir, 'ds/a/f1.txt')).mtimeMs, statSync(ref).mtimeMs);
    let st = status(dir);
    assert.deepEqual(changes(st), ['modified a/f1.txt']);
    assert.equal(st.hashing.hashed, 1, 'only that file is read');
    // Two edits of one size straight after each other, each followed by status.
    write(dir, 'ds/b/f2.txt', 'b row 9\n');
    assert.deepEqual(changes(status(dir)), ['modified a/f1.txt', 'modified b/f2.txt']);
    write(dir, 'ds/b/f2.txt', 'b row 2\n');
    st = status(dir);
    assert.deepEqual(changes(st), ['modified a/f1.txt']);
  } finally { removeDir(dir); }
});

test('racy entries: not older than the index file, they are read again once', () => {
  const dir = setup();
  try {
    // Pretend the index was written before the files' last change (same tick, coarse clock).
    const past = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, '.mlv/state'), past, past);
    let st = status(dir);
    assert.deepEqual(st.data, []);
    assert.equal(st.hashing.hashed, 6, 'every entry was racy');
    st = status(dir);
    assert.equal(st.hashing.hashed, 0, 'and the index was written again');
  } finally { removeDir(dir); }
});

test('renames: a file renamed, two files of one size swapped, a directory renamed', () => {
  const dir = setup();
  try {
    renameSync(join(dir, 'ds/a/f0.txt'), join(dir, 'ds/a/g0.txt'));
    assert.deepEqual(changes(status(dir)), ['deleted a/f0.txt', 'added a/g0.txt']);
    renameSync(join(dir, 'ds/a/g0.txt'), join(dir, 'ds/a/f0.txt'));
    assert.deepEqual(status(dir).data, []);
    renameSync(join(dir, 'ds/b/f0.txt'), join(dir, 'ds/b/tmp'));
    renameSync(join(dir, 'ds/b/f1.txt'), join(dir, 'ds/b/f0.txt'));
    renameSync(join(dir, 'ds/b/tmp'), join(dir, 'ds/b/f1.txt'));
    assert.deepEqual(changes(status(dir)), ['modified b/f0.txt', 'modified b/f1.txt']);
    renameSync(join(dir, 'ds/b/f0.txt'), join(dir, 'ds/b/tmp'));
    renameSync(join(dir, 'ds/b/f1.txt'), join(dir, 'ds/b/f0.txt'));
    renameSync(join(dir, 'ds/b/tmp'), join(dir, 'ds/b/f1.txt'));
    assert.deepEqual(status(dir).data, []);
    renameSync(join(dir, 'ds/b'), join(dir, 'ds/c'));
    assert.deepEqual(changes(status(dir)), ['deleted b/f0.txt', 'deleted b/f1.txt', 'deleted b/f2.txt', 'added c/f0.txt', 'added c/f1.txt', 'added c/f2.txt']);
  } finally { removeDir(dir); }
});

test('inode reuse: a file deleted and written again with the same size and mtime', () => {
  const dir = setup();
  try {
    const ref = join(dir, 'ref');
    execFileSync('touch', ['-r', join(dir, 'ds/a/f2.txt'), ref]);
    // Deleting then creating at once is what lets the filesystem hand out the same inode.
    for (let i = 0; i < 20; i++) {
      rmSync(join(dir, 'ds/a/f2.txt'));
      write(dir, 'ds/a/f2.txt', 'X row 2\n');
    }
    sameMtime(dir, 'ds/a/f2.txt', ref);
    assert.deepEqual(changes(status(dir)), ['modified a/f2.txt']);
  } finally { removeDir(dir); }
});

test('a directory deleted and made again: same names, sizes and mtimes, other bytes; then the same bytes', () => {
  const dir = setup();
  try {
    const refs = join(dir, 'refs');
    mkdirSync(refs);
    for (let i = 0; i < 3; i++) execFileSync('touch', ['-r', join(dir, `ds/b/f${i}.txt`), join(refs, `f${i}`)]);
    rmSync(join(dir, 'ds/b'), { recursive: true });
    for (let i = 0; i < 3; i++) { write(dir, `ds/b/f${i}.txt`, `B row ${i}\n`); sameMtime(dir, `ds/b/f${i}.txt`, join(refs, `f${i}`)); }
    assert.deepEqual(changes(status(dir)), ['modified b/f0.txt', 'modified b/f1.txt', 'modified b/f2.txt']);
    rmSync(join(dir, 'ds/b'), { recursive: true });
    for (let i = 0; i < 3; i++) write(dir, `ds/b/f${i}.txt`, `b row ${i}\n`);
    assert.deepEqual(status(dir).data, []);
  } finally { removeDir(dir); }
});

test('exec bits and .mlvignore rules, in the directory and above it, are part of the answer', () => {
  const dir = setup();
  try {
    chmodSync(join(dir, 'ds/a/f0.txt'), 0o755);
    const st = status(dir);
    assert.deepEqual(st.data.map((d: { path: string; state: string }) => `${d.state} ${d.path}`), ['modified ds'], 'the manifest records exec bits');
    assert.equal(st.hashing.hashed, 1);
    chmodSync(join(dir, 'ds/a/f0.txt'), 0o644);
    assert.deepEqual(status(dir).data, []);
    write(dir, 'ds/a/.mlvignore', 'f1.txt\n');
    assert.deepEqual(changes(status(dir)), ['deleted a/f1.txt']);
    rmSync(join(dir, 'ds/a/.mlvignore'));
    assert.deepEqual(status(dir).data, []);
    // The root's .mlvignore (mlv init's template) gains a rule: no directory of ds changed.
    writeFileSync(join(dir, '.mlvignore'), readFileSync(join(dir, '.mlvignore'), 'utf8') + 'f2.txt\n');
    assert.deepEqual(changes(status(dir)), ['deleted a/f2.txt', 'deleted b/f2.txt']);
  } finally { removeDir(dir); }
});

test('a cache object removed behind mlv\'s back is noticed although no file changed', () => {
  const dir = setup();
  try {
    const objects = join(dir, '.mlv/cache/objects/sha256');
    const prefix = readdirSync(objects).sort()[0];
    rmSync(join(objects, prefix, readdirSync(join(objects, prefix))[0]));
    const st = status(dir);
    assert.equal(st.data.length, 1);
    assert.equal(st.data[0].state, 'not-cached');
    assert.equal(st.hashing.hashed, 0);
  } finally { removeDir(dir); }
});

test('a version 1 index is upgraded without re-hashing; a damaged one is rebuilt', () => {
  const dir = setup();
  try {
    // What mlv wrote before version 2: one text line per file.
    const lines = ['mlv-state 1'];
    for (const sub of ['a', 'b']) for (let i = 0; i < 3; i++) {
      const rel = `ds/${sub}/f${i}.txt`;
      const st = statSync(join(dir, rel));
      lines.push(`${createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex')}\t${st.size}\t${st.mtimeMs}\t${st.ino}\t${rel}`);
    }
    lines.push(`dir\t${'0'.repeat(64)}\t${'1'.repeat(32)}\t-\tds`);
    writeFileSync(join(dir, '.mlv/state'), lines.join('\n') + '\n');
    let st = status(dir);
    assert.deepEqual(st.data, []);
    assert.equal(st.hashing.hashed, 0, 'version 1 entries are used');
    assert.equal(readFileSync(join(dir, '.mlv/state')).subarray(0, 12).toString(), 'mlv-state 3\n');
    assert.equal(status(dir).hashing.hashed, 0);
    write(dir, 'ds/a/f0.txt', 'changed after the upgrade\n');
    assert.deepEqual(changes(status(dir)), ['modified a/f0.txt']);

    const bytes = readFileSync(join(dir, '.mlv/state'));
    writeFileSync(join(dir, '.mlv/state'), bytes.subarray(0, bytes.length - 7));
    st = status(dir);
    assert.deepEqual(changes(st), ['modified a/f0.txt']);
    assert.equal(st.hashing.hashed, 6, 'a truncated index is ignored');
    assert.equal(status(dir).hashing.hashed, 0, 'and rebuilt');
  } finally { removeDir(dir); }
});

test('worker threads find the same changes as one thread, in every share of the directories', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    for (let d = 0; d < 8; d++) for (let i = 0; i < 5; i++) write(dir, `ds/d${d}/f${i}.txt`, `${d} ${i}\n`);
    mlvOk(dir, ['add', 'ds']);
    const run = (threads: string) => JSON.parse(mlv(dir, ['status', '--json'], { env: { MLV_STAT_THREADS: threads } }).stdout);
    assert.deepEqual(run('3').data, []);
    const ref = join(dir, 'ref');
    for (const d of [0, 4, 7]) {
      execFileSync('touch', ['-r', join(dir, `ds/d${d}/f1.txt`), ref]);
      write(dir, `ds/d${d}/f1.txt`, `X 1\n`);
      sameMtime(dir, `ds/d${d}/f1.txt`, ref);
    }
    const want = ['modified d0/f1.txt', 'modified d4/f1.txt', 'modified d7/f1.txt'];
    // Each run starts from the index the previous one wrote: the first hashes, the others read sections again.
    for (const threads of ['3', '1', '3']) assert.deepEqual(changes(run(threads)), want, `${threads} threads`);
    rmSync(join(dir, 'ds/d6/f3.txt'));
    assert.deepEqual(changes(run('3')), ['modified d0/f1.txt', 'modified d4/f1.txt', 'deleted d6/f3.txt', 'modified d7/f1.txt']);
  } finally { removeDir(dir); }
});

test('status after edits lists exactly the edited, added and removed files, first and again', () => {
  const dir = setup();
  try {
    type Row = { data: Array<{ state: string; changes: Array<{ change: string; path: string; oldSize?: number; newSize?: number }> }> };
    const rows = (st: Row) => st.data.flatMap((d) => d.changes.map((c) => `${c.change} ${c.path} ${c.oldSize ?? '-'} ${c.newSize ?? '-'}`));
    // In place: the names are unchanged, so only the edited files are compared.
    write(dir, 'ds/b/f0.txt', 'b row 0, longer\n');
    write(dir, 'ds/a/f2.txt', 'A row 2\n');
    const inPlace = ['modified a/f2.txt 8 8', 'modified b/f0.txt 8 16'];
    let st = status(dir);
    assert.equal(st.data[0].state, 'modified');
    assert.deepEqual(rows(st), inPlace);
    assert.equal(st.hashing.hashed, 2);
    assert.deepEqual(rows(status(dir)), inPlace, 'the same answer once the index holds the edits');
    // A file edited back to what was recorded is no change.
    write(dir, 'ds/a/f2.txt', 'a row 2\n');
    assert.deepEqual(rows(status(dir)), ['modified b/f0.txt 8 16']);
    // Added and removed files as well.
    write(dir, 'ds/c/new.txt', 'new\n');
    rmSync(join(dir, 'ds/a/f1.txt'));
    assert.deepEqual(rows(status(dir)), ['modified b/f0.txt 8 16', 'added c/new.txt - 4', 'deleted a/f1.txt 8 -'].sort((x, y) => (x.split(' ')[1] < y.split(' ')[1] ? -1 : 1)));
    // Recorded again, then edited with an object of an untouched file gone from the cache.
    mlvOk(dir, ['add', 'ds']);
    assert.deepEqual(status(dir).data, []);
    const hash = createHash('sha256').update('a row 0\n').digest('hex');
    rmSync(join(dir, '.mlv/cache/objects/sha256', hash.slice(0, 2), hash.slice(2)));
    write(dir, 'ds/b/f1.txt', 'b row 1!\n');
    st = status(dir);
    assert.deepEqual(rows(st), ['modified b/f1.txt 8 9']);
    assert.equal(st.data[0].state, 'modified');
  } finally { removeDir(dir); }
});

test('edits found once are listed by later statuses from the index alone, reading no manifest, until added', () => {
  const dir = setup();
  try {
    type Row = { data: Array<{ state: string; changes: Array<{ change: string; path: string; oldSize?: number; newSize?: number }> }> };
    const rows = (st: Row) => st.data.flatMap((d) => d.changes.map((c) => `${c.change} ${c.path} ${c.oldSize ?? '-'} ${c.newSize ?? '-'}`));
    write(dir, 'ds/a/f0.txt', 'a row 0, edited\n');
    let st = status(dir);
    assert.deepEqual(rows(st), ['modified a/f0.txt 8 16']);
    assert.equal(st.hashing.hashed, 1);
    // Spoil the recorded manifest in place (the cache's directories keep their mtimes):
    // a status that read it would fail on its hash.
    const pointer = readFileSync(join(dir, 'ds.mlv'), 'utf8');
    const manifest = /^hash: sha256:([0-9a-f]{64})$/m.exec(pointer)![1];
    const object = join(dir, '.mlv/cache/objects/sha256', manifest.slice(0, 2), manifest.slice(2));
    const good = readFileSync(object);
    chmodSync(object, 0o644);
    writeFileSync(object, Buffer.from(good.toString('latin1').replace(/[0-9a-f]/, (c) => (c === '0' ? '1' : '0')), 'latin1'));
    const stateBefore = statSync(join(dir, '.mlv/state')).mtimeMs;
    for (let i = 0; i < 2; i++) {
      st = status(dir);
      assert.deepEqual(rows(st), ['modified a/f0.txt 8 16'], `status ${i + 2}`);
      assert.equal(st.hashing.hashed, 0);
    }
    assert.equal(statSync(join(dir, '.mlv/state')).mtimeMs, stateBefore, 'nothing new: the index is not written');
    // Another edit, in another directory, and the first one edited back: the list follows.
    write(dir, 'ds/b/f2.txt', 'b row 2 again\n');
    assert.deepEqual(rows(status(dir)), ['modified a/f0.txt 8 16', 'modified b/f2.txt 8 14']);
    write(dir, 'ds/a/f0.txt', 'a row 0\n');
    assert.deepEqual(rows(status(dir)), ['modified b/f2.txt 8 14']);
    write(dir, 'ds/b/f2.txt', 'b row 2\n');
    st = status(dir);
    assert.deepEqual(st.data, [], 'every file back as recorded: clean, still without the manifest');
    assert.equal(st.clean, true);
    writeFileSync(object, good);
    // An exec bit alone is an edit too.
    chmodSync(join(dir, 'ds/b/f1.txt'), 0o755);
    assert.deepEqual(rows(status(dir)), ['modified b/f1.txt 8 8']);
    // Recorded by add: the manifest id is made from the index, and status is clean again.
    write(dir, 'ds/a/f1.txt', 'a row 1 edited\n');
    mlvOk(dir, ['add', 'ds']);
    st = status(dir);
    assert.deepEqual(st.data, []);
    assert.equal(st.hashing.hashed, 0);
    write(dir, 'ds/a/f1.txt', 'a row 1\n');
    assert.deepEqual(rows(status(dir)), ['modified a/f1.txt 15 8']);
    assert.deepEqual(rows(status(dir)), ['modified a/f1.txt 15 8']);
  } finally { removeDir(dir); }
});

test('a version 2 index is read: its tracked directories are answered without a walk, then written as version 3', () => {
  const dir = setup();
  try {
    // Version 2 is version 3 without the items' base fields. The item of ds (the file's
    // last bytes) has no base: '' (1 byte), '' (1 byte), 0 edits (4 bytes).
    const v3 = readFileSync(join(dir, '.mlv/state'));
    assert.equal(v3.subarray(0, 12).toString(), 'mlv-state 3\n');
    assert.equal(v3.readUInt32LE(20), 1, 'one item');
    const tail = v3.subarray(v3.length - 6);
    assert.deepEqual([...tail], [0, 0, 0, 0, 0, 0], 'no base');
    const v2 = Buffer.concat([Buffer.from('mlv-state 2\n'), v3.subarray(12, v3.length - 6)]);
    v2.writeUInt32LE(v2.length, 12);
    writeFileSync(join(dir, '.mlv/state'), v2);
    write(dir, 'ds/a/f2.txt', 'a row 2 edited\n');
    let st = status(dir);
    assert.deepEqual(changes(st), ['modified a/f2.txt']);
    assert.equal(st.hashing.hashed, 1, 'the version 2 entries were used');
    assert.equal(readFileSync(join(dir, '.mlv/state')).subarray(0, 12).toString(), 'mlv-state 3\n');
    st = status(dir);
    assert.deepEqual(changes(st), ['modified a/f2.txt']);
    assert.equal(st.hashing.hashed, 0);
  } finally { removeDir(dir); }
});
