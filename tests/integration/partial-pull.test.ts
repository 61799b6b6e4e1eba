/**
 * A clone that pulled only part of its data (`mlv pull <path>`): status calls the rest
 * `not pulled`, not deleted; `status --check` ignores it unless `--complete`; checkout
 * skips it and says so; a full pull clears it. Real repos, a real local remote, the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
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

    // A user change beside not pulled files: modified; mlv add records it and keeps the rest as recorded.
    writeFileSync(join(clone, 'data/raw/ref/r2.txt'), 'edited\n');
    s = statusJson(clone);
    assert.equal(rowsOf(s)['data/raw'].state, 'modified');
    assert.deepEqual(rowsOf(s)['data/raw'].changes, [{ path: 'ref/r2.txt', change: 'modified', oldSize: 8, newSize: 7 }]);
    assert.equal(rowsOf(s)['data/raw'].hint, 'mlv add data/raw');
    assert.match(mlvOk(clone, ['status']).stdout, /^ {6}and 2 file\(s\), 14 B not pulled \(mlv add keeps them as recorded\)/m);
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

const pointerOf = (dir: string, rel: string) => read(dir, `${rel}.mlv`);

test('mlv add of a directory pulled in part keeps the files never pulled; refuses one of which nothing was pulled', () => {
  const { clone, done } = setup();
  const full = tempDir('mlv-full-');
  try {
    mlvOk(clone, ['pull', 'data/raw/ref']);
    // Changes of the user's: one file edited, one added, one pulled and then deleted (its object is cached).
    writeFileSync(join(clone, 'data/raw/ref/r2.txt'), 'ref two, edited\n');
    write(clone, 'data/raw/ref/new.txt', 'new\n');
    rmSync(join(clone, 'data/raw/ref/r1.txt'));
    const r = mlv(clone, ['add', 'data/raw']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'mlv: kept 2 file(s) of data/raw not pulled here; mlv pull data/raw to get them\n');
    assert.match(r.stdout, /^added data\/raw \(4 files, 34 B\) → data\/raw\.mlv$/m);
    // The work tree differs from the new record only by what was never pulled.
    let row = rowsOf(statusJson(clone))['data/raw'];
    assert.deepEqual([row.state, row.changes, row.notPulled], ['not-pulled', [], { files: 2, bytes: 14 }]);

    // Committed and pushed, the next commit holds every file: the kept ones as they were.
    git(clone, ['add', '-A']);
    git(clone, ['commit', '-qm', 'edit ref']);
    mlvOk(clone, ['push']);
    git(full, ['clone', '-q', clone, '.']);
    mlvOk(full, ['pull']);
    assert.deepEqual(files(full, 'data/raw'), ['other/o.txt', 'ref/new.txt', 'ref/r2.txt', 'top.csv']);
    assert.deepEqual([read(full, 'data/raw/other/o.txt'), read(full, 'data/raw/top.csv'), read(full, 'data/raw/ref/r2.txt')], ['other\n', 'a,b\n1,2\n', 'ref two, edited\n']);

    // A not-pulled file that .mlvignore now excludes is dropped, as a clone that has it would drop it.
    writeFileSync(join(clone, '.mlvignore'), '*.csv\n');
    const again = mlv(clone, ['add', '--json', 'data/raw']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, 'mlv: kept 1 file(s) of data/raw not pulled here; mlv pull data/raw to get them\n');
    const added = JSON.parse(again.stdout)[0];
    assert.deepEqual([added.files, added.size, added.keptNotPulled], [3, 6 + 16 + 4, { files: 1, bytes: 6 }]);
    row = rowsOf(statusJson(clone))['data/raw'];
    assert.deepEqual([row.state, row.notPulled], ['not-pulled', { files: 1, bytes: 6 }]);
    // Nothing kept: no warning, the pointer is unchanged.
    const before = pointerOf(clone, 'data/raw');
    const same = mlv(clone, ['add', 'data/raw']);
    assert.equal(same.stderr, 'mlv: kept 1 file(s) of data/raw not pulled here; mlv pull data/raw to get them\n');
    assert.match(same.stdout, /^unchanged data\/raw/m);
    assert.equal(pointerOf(clone, 'data/raw'), before);

    // A fresh clone that pulled nothing of data/raw cannot know its files: refused, nothing written.
    const fresh = tempDir('mlv-fresh-');
    try {
      git(fresh, ['clone', '-q', clone, '.']);
      write(fresh, 'data/raw/mine.txt', 'mine\n');
      const pointer = pointerOf(fresh, 'data/raw');
      const refused = mlv(fresh, ['add', 'data/raw']);
      assert.equal(refused.code, 2);
      assert.equal(refused.stdout, '');
      assert.equal(refused.stderr, 'mlv: data/raw: nothing of it is pulled here (its file list is not in the cache), so mlv add would drop every file not present; run mlv pull data/raw first (or remove data/raw.mlv to record only the local files)\n');
      assert.equal(pointerOf(fresh, 'data/raw'), pointer);
      assert.equal(git(fresh, ['status', '--porcelain']), '');
    } finally {
      removeDir(fresh);
    }
  } finally {
    removeDir(full);
    done();
  }
});

// prep reads data/raw and the param n; train reads prep's output. Every real run appends to runs.log.
const PIPELINE = `stages:
  prep:
    cmd: cat data/raw/ref/r1.txt data/raw/other/o.txt > prep.txt && echo "n=$(grep ^n params.yaml)" >> prep.txt && echo prep >> runs.log
    deps: [data/raw]
    params: [n]
    outs: [prep.txt]
  train:
    cmd: wc -c < prep.txt > model.json && echo train >> runs.log
    deps: [prep.txt]
    outs: [model.json]
`;

/** setup() plus a pipeline run in the origin, committed and pushed; the clone pulls the commit (no data). */
function setupPipeline(): ReturnType<typeof setup> {
  const s = setup();
  writeFileSync(join(s.origin, 'mlv.yaml'), PIPELINE);
  writeFileSync(join(s.origin, 'params.yaml'), 'n: 1\n');
  mlvOk(s.origin, ['repro']);
  writeFileSync(join(s.origin, '.gitignore'), read(s.origin, '.gitignore') + 'runs.log\n');
  git(s.origin, ['add', '-A']);
  git(s.origin, ['commit', '-qm', 'pipeline']);
  mlvOk(s.origin, ['push']);
  git(s.clone, ['pull', '-q']);
  return s;
}

const runLog = (dir: string) => (existsSync(join(dir, 'runs.log')) ? read(dir, 'runs.log').trim().split('\n') : []);

test('a fresh clone of a pipeline: stages whose data is not pulled are not stale; repro will not run them without their inputs', () => {
  const { clone, done } = setupPipeline();
  try {
    const lock = read(clone, 'mlv.lock');
    let s = statusJson(clone);
    assert.deepEqual(s.stages, [
      { stage: 'prep', reasons: [], notPulled: ['data/raw', 'prep.txt'] },
      { stage: 'train', reasons: [], notPulled: ['prep.txt', 'model.json'] },
    ]);
    assert.deepEqual([s.clean, s.complete], [true, false]);
    assert.equal(mlv(clone, ['status', '--check']).code, 0);
    assert.equal(mlv(clone, ['status', '--check', '--complete']).code, 1);
    const text = mlvOk(clone, ['status']).stdout;
    assert.match(text, /^ {2}not pulled stage prep: data\/raw, prep\.txt {2}\(mlv pull data\/raw prep\.txt\)$/m);
    assert.match(text, /^ {2}not pulled stage train: prep\.txt, model\.json {2}\(mlv pull prep\.txt model\.json\)$/m);
    assert.doesNotMatch(text, /stale|missing/);

    // Nothing changed: nothing runs. Forced, the first stage lacks its input: exit 2, naming it and the fix.
    const up = mlvOk(clone, ['repro']);
    assert.equal(up.stdout, 'Everything is up to date.\n');
    assert.match(up.stderr, /^Stage 'train' is up to date \(not pulled: prep\.txt, model\.json\)$/m);
    const forced = mlv(clone, ['repro', '-f', 'train']);
    assert.equal(forced.code, 2);
    assert.match(forced.stderr, /^mlv: stage 'prep' \(mlv\.yaml:2\): dependency data\/raw is not pulled \(some or all of its data is in neither the work tree nor the cache\); run mlv pull data\/raw first$/m);
    assert.deepEqual(runLog(clone), []);
    assert.equal(read(clone, 'mlv.lock'), lock);

    // Part of data/raw pulled: still no change. A param changed: prep is stale, but cannot run on part of its input.
    mlvOk(clone, ['pull', 'data/raw/ref']);
    assert.equal(statusJson(clone).stages[0].reasons.length, 0);
    writeFileSync(join(clone, 'params.yaml'), 'n: 2\n');
    s = statusJson(clone);
    assert.deepEqual(s.stages[0], { stage: 'prep', reasons: ['param n changed (1 → 2)'], notPulled: ['data/raw', 'prep.txt'] });
    assert.equal(s.clean, false);
    assert.match(mlv(clone, ['status']).stdout, /^ {2}stale {6}stage prep: param n changed \(1 → 2\); not pulled: data\/raw, prep\.txt$/m);
    const partial = mlv(clone, ['repro']);
    assert.equal(partial.code, 2);
    assert.match(partial.stderr, /dependency data\/raw is not pulled .*; run mlv pull data\/raw first$/m);
    assert.deepEqual(runLog(clone), []);
    assert.equal(existsSync(join(clone, 'prep.txt')), false);

    // With its input pulled, prep runs; train then runs on the fresh prep.txt (its own output never pulled).
    mlvOk(clone, ['pull', 'data/raw']);
    mlvOk(clone, ['repro']);
    assert.deepEqual(runLog(clone), ['prep', 'train']);
    assert.equal(read(clone, 'prep.txt'), 'ref one\nother\nn=n: 2\n');
    s = statusJson(clone);
    assert.deepEqual([s.stages, s.clean], [[], true]);

    // Back to n: 1: the recorded outputs, pulled now, are what the lock names; a deleted pulled output is stale again.
    writeFileSync(join(clone, 'params.yaml'), 'n: 1\n');
    git(clone, ['checkout', '-q', 'mlv.lock']);
    mlvOk(clone, ['pull']);
    assert.deepEqual(statusJson(clone).stages, []);
    rmSync(join(clone, 'model.json'));
    s = statusJson(clone);
    assert.deepEqual(s.stages, [{ stage: 'train', reasons: ['output model.json is missing'] }]);
    assert.equal(mlv(clone, ['status', '--check']).code, 1);
  } finally {
    done();
  }
});

test('repro --rev in a clone without the data: inputs fetched, every stage rebuilt; an output rebuilt differently is a mismatch, not "not pulled"', () => {
  const { clone, done } = setupPipeline();
  try {
    const r = mlv(clone, ['repro', '--rev', 'HEAD', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    assert.deepEqual(v.rows.map((x: { name: string; match: boolean }) => [x.name, x.match]), [['prep.txt', true], ['model.json', true]]);
    assert.deepEqual(runLog(clone), [], 'the work tree is not touched');

    // A stage writing a directory under a new name each run, whose recorded file is not in the cache:
    // the next stage reads the directory just rebuilt (complete), so the rebuild runs and differs.
    const dir = makeRepo();
    try {
      mlvOk(dir, ['init']);
      writeFileSync(join(dir, 'mlv.yaml'), `stages:
  gen:
    cmd: mkdir -p out && f=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ') && echo $f > out/$f.txt
    outs: [out]
  use:
    cmd: ls out > list.txt
    deps: [out]
    outs: [list.txt]
`);
      mlvOk(dir, ['repro']);
      git(dir, ['add', '-A']);
      git(dir, ['commit', '-qm', 'gen']);
      // Drop the recorded file's object, as in a clone that fetched the directory's file list only.
      const [name] = readdirSync(join(dir, 'out'));
      const hash = createHash('sha256').update(readFileSync(join(dir, 'out', name))).digest('hex');
      rmSync(join(dir, '.mlv/cache/objects/sha256', hash.slice(0, 2), hash.slice(2)));
      rmSync(join(dir, 'out'), { recursive: true });
      assert.deepEqual(statusJson(dir).stages, [{ stage: 'gen', reasons: [], notPulled: ['out'] }, { stage: 'use', reasons: [], notPulled: ['out'] }]);
      const rev = mlv(dir, ['repro', '--rev', 'HEAD', '--json']);
      assert.equal(rev.code, 1, rev.stderr);
      assert.doesNotMatch(rev.stderr, /not pulled/);
      assert.deepEqual(JSON.parse(rev.stdout).rows.map((x: { name: string; match: boolean }) => [x.name, x.match]), [['out', false], ['list.txt', false]]);
    } finally {
      removeDir(dir);
    }
  } finally {
    done();
  }
});
