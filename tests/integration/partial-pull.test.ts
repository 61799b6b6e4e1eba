/**
 * A clone that pulled only part of its data (`mlv pull <path>`): status calls the rest
 * `not pulled`, not deleted; `status --check` ignores it unless `--complete`; checkout
 * skips it and says so; a full pull clears it. Real repos, a real local remote, the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const write = (dir: string, rel: string, data: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), data);
};
const read = (dir: string, rel: string) => readFileSync(join(dir, rel), 'utf8');
const files = (dir: string, rel: string): string[] =>
  existsSync(join(dir, rel)) ? readdirSync(join(dir, rel), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(join(dir, rel).length + 1)).sort() : [];
const statusJson = (dir: string) => JSON.parse(mlvOk(dir, ['status', '--json']).stdout);
const rowsOf = (s: { data: Array<{ path: string }> }) => Object.fromEntries(s.data.map((d) => [d.path, d]));

const RAW = { 'ref/r1.txt': 'ref one\n', 'ref/r2.txt': 'ref two\n', 'other/o.txt': 'other\n', 'top.csv': 'a,b\n1,2\n' };

/** A repo with a tracked directory and a tracked file, pushed to a local remote; a git clone of it. */
function setup(): { origin: string; store: string; clone: string; done: () => void } {
  const origin = makeRepo();
  const store = tempDir('mlv-remote-');
  mlvOk(origin, ['init']);
  for (const [rel, text] of Object.entries(RAW)) write(origin, `data/raw/${rel}`, text);
  write(origin, 'model.bin', 'model v1');
  mlvOk(origin, ['add', 'data/raw', 'model.bin']);
  mlvOk(origin, ['remote', 'add', 'origin', store, '--default']);
  git(origin, ['add', '-A']);
  git(origin, ['commit', '-qm', 'data']);
  mlvOk(origin, ['push']);
  const clone = tempDir('mlv-clone-');
  git(clone, ['clone', '-q', origin, '.']);
  return { origin, store, clone, done: () => { removeDir(clone); removeDir(store); removeDir(origin); } };
}

test('after a partial pull, the rest is not pulled (not deleted): status text and JSON, --check, checkout, full pull', () => {
  const { clone, done } = setup();
  try {
    // A fresh clone: everything is not pulled, and that is no change of the user's.
    let s = statusJson(clone);
    assert.deepEqual(s.data.map((d: { path: string; state: string }) => [d.path, d.state]), [['data/raw', 'not-pulled'], ['model.bin', 'not-pulled']]);
    assert.deepEqual([s.clean, s.complete], [true, false]);

    mlvOk(clone, ['pull', 'data/raw/ref']);
    assert.deepEqual(files(clone, 'data/raw'), ['ref/r1.txt', 'ref/r2.txt']);

    s = statusJson(clone);
    const rows = rowsOf(s);
    assert.deepEqual(rows['data/raw'], {
      path: 'data/raw', kind: 'dir', state: 'not-pulled', recordedIn: 'data/raw.mlv',
      changes: [], notPulled: { files: 2, bytes: 6 + 8 }, hint: 'mlv pull data/raw',
    });
    assert.equal(rows['model.bin'].state, 'not-pulled');
    assert.equal(rows['model.bin'].hint, 'mlv pull model.bin');
    assert.deepEqual([s.clean, s.complete], [true, false]);

    const text = mlvOk(clone, ['status']).stdout;
    assert.match(text, /^ {2}not pulled data\/raw {2}2 file\(s\), 14 B {2}\(mlv pull data\/raw\)$/m);
    assert.match(text, /^ {2}not pulled model\.bin {2}8 B {2}\(mlv pull model\.bin\)$/m);
    assert.doesNotMatch(text, /deleted|missing|modified/);

    // --check: not pulled data is no change; --complete makes it count.
    assert.equal(mlv(clone, ['status', '--check']).code, 0);
    const complete = mlv(clone, ['status', '--check', '--complete']);
    assert.equal(complete.code, 1);
    assert.match(complete.stdout, /not pulled data\/raw/);
    const lone = mlv(clone, ['status', '--complete']);
    assert.equal(lone.code, 2);
    assert.match(lone.stderr, /^mlv: --complete only applies with --check$/m);
    const help = mlvOk(clone, ['status', '--help']).stdout;
    assert.match(help, /Data that is only not pulled does not count/);
    assert.match(help, /--complete +with --check: also exit 1 when tracked data is not pulled/);

    // checkout restores nothing it cannot, deletes nothing, names what it skipped, exits 0.
    const co = mlv(clone, ['checkout']);
    assert.equal(co.code, 0, co.stderr);
    assert.match(co.stdout, /Skipped 3 path\(s\) whose data is not pulled/);
    for (const p of ['data/raw/other', 'data/raw/top.csv', 'model.bin']) assert.match(co.stdout, new RegExp(`^ {2}not pulled ${p.replace(/\./g, '\\.')}$`, 'm'));
    assert.deepEqual(JSON.parse(mlvOk(clone, ['checkout', '--json']).stdout), { changed: [], notPulled: ['data/raw/other', 'data/raw/top.csv', 'model.bin'] });
    assert.deepEqual(files(clone, 'data/raw'), ['ref/r1.txt', 'ref/r2.txt']);
    assert.equal(read(clone, 'data/raw/ref/r1.txt'), 'ref one\n');

    // A pulled file removed by the user is missing (its object is cached): checkout brings it back.
    rmSync(join(clone, 'data/raw/ref/r1.txt'));
    s = statusJson(clone);
    assert.equal(s.clean, false);
    assert.equal(rowsOf(s)['data/raw'].state, 'modified');
    assert.deepEqual(rowsOf(s)['data/raw'].changes, [{ path: 'ref/r1.txt', change: 'deleted', oldSize: 8 }]);
    assert.deepEqual(rowsOf(s)['data/raw'].notPulled, { files: 2, bytes: 14 });
    assert.equal(mlv(clone, ['status', '--check']).code, 1);
    const back = JSON.parse(mlvOk(clone, ['checkout', '--json']).stdout);
    assert.deepEqual(back.changed, [{ path: 'data/raw', written: 1, removed: 0 }]);
    assert.equal(read(clone, 'data/raw/ref/r1.txt'), 'ref one\n');
    assert.equal(mlv(clone, ['status', '--check']).code, 0);

    // A user change beside not pulled files: modified, and the hint pulls first (mlv add would drop them).
    writeFileSync(join(clone, 'data/raw/ref/r2.txt'), 'edited\n');
    s = statusJson(clone);
    assert.equal(rowsOf(s)['data/raw'].state, 'modified');
    assert.deepEqual(rowsOf(s)['data/raw'].changes, [{ path: 'ref/r2.txt', change: 'modified', oldSize: 8, newSize: 7 }]);
    assert.equal(rowsOf(s)['data/raw'].hint, 'mlv pull data/raw');
    assert.match(mlvOk(clone, ['status']).stdout, /^ {6}and 2 file\(s\), 14 B not pulled \(pull them before mlv add/m);
    writeFileSync(join(clone, 'data/raw/ref/r2.txt'), 'ref two\n');

    // A full pull clears the state.
    mlvOk(clone, ['pull']);
    assert.deepEqual(files(clone, 'data/raw'), Object.keys(RAW).sort());
    assert.equal(read(clone, 'model.bin'), 'model v1');
    s = statusJson(clone);
    assert.deepEqual([s.data, s.clean, s.complete], [[], true, true]);
    assert.equal(mlvOk(clone, ['status']).stdout, 'Data and pipelines are up to date.\n');
    assert.equal(mlv(clone, ['status', '--check', '--complete']).code, 0);

    // Now pulled and then removed from the work tree: missing, restored by checkout (not pull).
    rmSync(join(clone, 'model.bin'));
    const missing = rowsOf(statusJson(clone))['model.bin'];
    assert.deepEqual([missing.state, missing.hint, missing.notPulled], ['missing', 'mlv checkout model.bin', undefined]);
    assert.equal(mlv(clone, ['status', '--check']).code, 1);
    mlvOk(clone, ['checkout', 'model.bin']);
    assert.equal(read(clone, 'model.bin'), 'model v1');
  } finally {
    done();
  }
});

test('checkout of a revision whose data is not pulled: skips what is absent, refuses to replace a version it cannot write', () => {
  const { origin, clone, done } = setup();
  try {
    write(origin, 'model.bin', 'model v2');
    write(origin, 'data/raw/new.txt', 'new\n');
    mlvOk(origin, ['add', 'data/raw', 'model.bin']);
    git(origin, ['commit', '-qam', 'v2']);
    mlvOk(origin, ['push']);
    git(clone, ['pull', '-q']);
    mlvOk(clone, ['pull', 'model.bin']);
    assert.equal(read(clone, 'model.bin'), 'model v2');

    // v1's model.bin is not cached, and the work tree holds v2: nothing moves, exit 2.
    const head = git(clone, ['rev-parse', 'HEAD']).trim();
    const r = mlv(clone, ['checkout', 'HEAD~1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mlv: model\.bin: not in the cache; run mlv fetch --all-commits first \(the work tree holds another version\)$/m);
    assert.equal(git(clone, ['rev-parse', 'HEAD']).trim(), head);
    assert.equal(read(clone, 'model.bin'), 'model v2');

    // With v1's model.bin fetched, the same checkout works; data/raw (never pulled) is skipped, not an error.
    mlvOk(clone, ['fetch', '--all-commits', 'model.bin']);
    const co = JSON.parse(mlvOk(clone, ['checkout', 'HEAD~1', '--json']).stdout);
    assert.deepEqual(co.notPulled, ['data/raw']);
    assert.deepEqual(co.changed, [{ path: 'model.bin', written: 1, removed: 0 }]);
    assert.equal(read(clone, 'model.bin'), 'model v1');
    assert.equal(existsSync(join(clone, 'data/raw')), false);
    const row = rowsOf(statusJson(clone))['data/raw'];
    assert.deepEqual([row.state, row.notPulled], ['not-pulled', { files: 4, bytes: 30 }]);
  } finally {
    done();
  }
});
