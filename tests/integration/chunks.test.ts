/**
 * Chunked files end to end (docs/FORMAT.md, "Chunked files"), with the real CLI binary
 * and real git repositories. MLV_TEST_CHUNKING=1 scales the sizes down 1024 times, so a
 * 200 KB file is cut into ~170 chunks.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, git, makeRepo, mlv, MLV_BIN, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const CHUNKING = { MLV_TEST_CHUNKING: '1' };
const dirs: string[] = [];
after(() => { for (const d of dirs) removeDir(d); });

const run = (cwd: string, args: string[]) => mlv(cwd, args, { env: CHUNKING });
const ok = (cwd: string, args: string[]) => mlvOk(cwd, args, { env: CHUNKING });
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Rows of a CSV, deterministic. */
function csv(rows: number, seed = 1): string {
  let out = 'id,name,value,score\n';
  let a = seed;
  for (let i = 0; i < rows; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    out += `${i},name-${a.toString(36)},${(a % 100000) / 7},${a % 97}\n`;
  }
  return out;
}

function objects(repo: string): Map<string, number> {
  const base = join(repo, '.mlv', 'cache', 'objects', 'sha256');
  const out = new Map<string, number>();
  if (!existsSync(base)) return out;
  for (const p of readdirSync(base)) for (const r of readdirSync(join(base, p))) out.set(p + r, statSync(join(base, p, r)).size);
  return out;
}

function objectPath(repo: string, hash: string): string {
  return join(repo, '.mlv', 'cache', 'objects', 'sha256', hash.slice(0, 2), hash.slice(2));
}

function pointerHash(repo: string, rel: string): string {
  return /hash: (\S+)/.exec(readFileSync(join(repo, rel + '.mlv'), 'utf8'))![1];
}

/** The chunk list object a chunked pointer names, parsed. */
function chunkList(repo: string, id: string): { size: number; chunks: Array<{ hash: string; size: number }> } {
  const list = JSON.parse(readFileSync(objectPath(repo, id.slice('sha256-chunks:'.length)), 'utf8'));
  return { size: list.size, chunks: list.chunks.map((c: { hash: string; size: number }) => ({ hash: c.hash.slice(7), size: c.size })) };
}

function project(): string {
  const repo = makeRepo();
  dirs.push(repo);
  ok(repo, ['init']);
  return repo;
}

function commit(repo: string, msg: string): void {
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', msg]);
}

describe('chunked files', () => {
  test('a big file is stored as chunks and a list; a small one stays a format-1 blob', () => {
    const repo = project();
    const big = csv(6000);
    writeFileSync(join(repo, 'big.csv'), big);
    writeFileSync(join(repo, 'small.txt'), 'hello\n');
    ok(repo, ['add', 'big.csv', 'small.txt']);
    const p = readFileSync(join(repo, 'big.csv.mlv'), 'utf8');
    assert.match(p, /^format: 2$/m);
    assert.match(p, /^hash: sha256-chunks:[0-9a-f]{64}$/m);
    assert.match(p, new RegExp(`^size: ${big.length}$`, 'm'));
    assert.equal(readFileSync(join(repo, 'small.txt.mlv'), 'utf8'),
      `# mlv pointer: the data lives in the mlv cache; commit this file.\nformat: 1\nkind: file\nhash: sha256:${sha('hello\n')}\nsize: 6\nfiles: 1\n`);
    const list = chunkList(repo, pointerHash(repo, 'big.csv'));
    assert.ok(list.chunks.length > 50, `${list.chunks.length} chunks`);
    assert.equal(list.size, big.length);
    // Every chunk is an object named by its bytes, and they make up the file in order.
    let at = 0;
    for (const c of list.chunks) {
      assert.equal(sha(readFileSync(objectPath(repo, c.hash))), c.hash);
      assert.equal(c.hash, sha(Buffer.from(big).subarray(at, at + c.size)));
      at += c.size;
    }
    assert.equal(at, big.length);
    // No object holds the whole file: it is hashed once, as chunks.
    assert.ok(!objects(repo).has(sha(big)));
    const st = JSON.parse(ok(repo, ['status', '--json']).stdout);
    assert.equal(st.clean, true);
  });

  test('a 1% edit stores about 1% new bytes; status sees it; checkout restores each version', () => {
    const repo = project();
    const v1 = csv(20000);
    writeFileSync(join(repo, 'data.csv'), v1);
    ok(repo, ['add', 'data.csv']);
    commit(repo, 'v1');
    const before = objects(repo);
    const lines = v1.split('\n');
    const mid = Math.floor(lines.length / 2);
    for (let i = mid; i < mid + 200; i++) lines[i] = lines[i].replace(/,(\d+)$/, ',edited$1');
    const v2 = lines.join('\n');
    writeFileSync(join(repo, 'data.csv'), v2);
    const st = JSON.parse(run(repo, ['status', '--json']).stdout);
    assert.equal(st.data[0]?.state, 'modified');
    ok(repo, ['add', 'data.csv']);
    commit(repo, 'v2');
    const added = [...objects(repo)].filter(([h]) => !before.has(h));
    const newBytes = added.reduce((a, [, n]) => a + n, 0);
    assert.ok(newBytes < v2.length * 0.1, `${newBytes} new bytes for a ${v2.length}-byte file`);
    git(repo, ['checkout', '-q', 'HEAD~1']);
    ok(repo, ['checkout']);
    assert.equal(readFileSync(join(repo, 'data.csv'), 'utf8'), v1);
    git(repo, ['checkout', '-q', 'main']);
    ok(repo, ['checkout']);
    assert.equal(readFileSync(join(repo, 'data.csv'), 'utf8'), v2);
    assert.equal(JSON.parse(ok(repo, ['status', '--json']).stdout).clean, true);
  });

  test('hardlink mode still assembles a chunked file as a copy', () => {
    const repo = project();
    writeFileSync(join(repo, '.mlv', 'config.local'), 'link: [hardlink]\n');
    const data = csv(5000);
    writeFileSync(join(repo, 'd.csv'), data);
    ok(repo, ['add', 'd.csv']);
    rmSync(join(repo, 'd.csv'));
    ok(repo, ['checkout']);
    assert.equal(readFileSync(join(repo, 'd.csv'), 'utf8'), data);
    assert.equal(statSync(join(repo, 'd.csv')).nlink, 1);
    // Written as a copy, it is the user's to edit: the cache is not touched.
    writeFileSync(join(repo, 'd.csv'), data + 'more\n');
    assert.equal(JSON.parse(ok(repo, ['fsck', '--json']).stdout).problems.length, 0);
  });

  test('push sends only the new chunks; a clone pulls and checks out every version; get streams one', () => {
    const repo = project();
    const remote = tempDir();
    dirs.push(remote);
    ok(repo, ['remote', 'add', 'origin', remote, '--default']);
    const v1 = csv(20000, 5);
    writeFileSync(join(repo, 'data.csv'), v1);
    ok(repo, ['add', 'data.csv']);
    commit(repo, 'v1');
    const p1 = JSON.parse(ok(repo, ['push', '--json']).stdout);
    assert.equal(p1.transferred, objects(repo).size);
    const v2 = v1 + csv(200, 9).split('\n').slice(1).join('\n');
    writeFileSync(join(repo, 'data.csv'), v2);
    ok(repo, ['add', 'data.csv']);
    commit(repo, 'v2');
    const p2 = JSON.parse(ok(repo, ['push', '--json']).stdout);
    // The appended rows, the chunk the append changed, and the new list (~90 bytes a chunk).
    const list = chunkList(repo, pointerHash(repo, 'data.csv'));
    assert.ok(p2.bytes <= v2.length - v1.length + 2 * 4096 + list.chunks.length * 100, `${p2.bytes} bytes pushed`);
    assert.ok(p2.bytes < v2.length * 0.2);

    const clone = join(tempDir(), 'c');
    dirs.push(join(clone, '..'));
    git(join(clone, '..'), ['clone', '-q', repo, 'c']);
    ok(clone, ['pull']);
    assert.equal(readFileSync(join(clone, 'data.csv'), 'utf8'), v2);
    const got = join(clone, 'old.csv');
    ok(clone, ['get', 'HEAD~1', 'data.csv', '-o', got]);
    assert.equal(readFileSync(got, 'utf8'), v1);
    assert.equal(JSON.parse(ok(clone, ['status', '--json']).stdout).clean, true);
  });

  test('a directory with a chunked file writes manifest version 2; partial pull fetches its chunks', () => {
    const repo = project();
    const remote = tempDir();
    dirs.push(remote);
    ok(repo, ['remote', 'add', 'origin', remote, '--default']);
    const big = csv(8000, 3);
    for (const [rel, text] of [['data/a/big.csv', big], ['data/b/small.txt', 'small\n']]) {
      mkdirSync(join(repo, rel, '..'), { recursive: true });
      writeFileSync(join(repo, rel), text);
    }
    ok(repo, ['add', 'data']);
    const manifest = pointerHash(repo, 'data').slice(7);
    assert.match(readFileSync(objectPath(repo, manifest), 'utf8'), /^\{"format":"mlv-manifest","version":2,/);
    commit(repo, 'dir');
    ok(repo, ['push']);
    const clone = join(tempDir(), 'c');
    dirs.push(join(clone, '..'));
    git(join(clone, '..'), ['clone', '-q', repo, 'c']);
    ok(clone, ['pull', 'data/a']);
    assert.equal(readFileSync(join(clone, 'data/a/big.csv'), 'utf8'), big);
    assert.ok(!existsSync(join(clone, 'data/b/small.txt')));
  });

  test('fsck, checkout and pull name a corrupt or missing chunk with its file', () => {
    const repo = project();
    const remote = tempDir();
    dirs.push(remote);
    ok(repo, ['remote', 'add', 'origin', remote, '--default']);
    writeFileSync(join(repo, 'd.csv'), csv(5000, 2));
    ok(repo, ['add', 'd.csv']);
    commit(repo, 'd');
    ok(repo, ['push']);
    const list = chunkList(repo, pointerHash(repo, 'd.csv'));
    const victim = list.chunks[3].hash;
    const file = objectPath(repo, victim);
    chmodSync(file, 0o644);
    writeFileSync(file, 'garbage');
    const f = run(repo, ['fsck']);
    assert.equal(f.code, 1);
    assert.match(f.stdout, new RegExp(`corrupt.*${victim}.*chunk 4 of ${list.chunks.length} of d\\.csv`));
    rmSync(join(repo, 'd.csv'));
    const c = run(repo, ['checkout']);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, new RegExp(`chunk 4 of ${list.chunks.length} of .*d\\.csv.*${victim}.* is corrupt`));
    assert.ok(!existsSync(join(repo, 'd.csv')), 'nothing half-written');
    // Missing locally: fsck says so; the remote copy brings it back.
    rmSync(file);
    const m = run(repo, ['fsck']);
    assert.equal(m.code, 1);
    assert.match(m.stdout, new RegExp(`missing ${victim}: chunk 4 of ${list.chunks.length} of d\\.csv`));
    ok(repo, ['pull']);
    assert.equal(sha(readFileSync(objectPath(repo, victim))), victim);
    // Missing on the remote: a clone's pull names the file it cannot restore.
    rmSync(join(remote, 'sha256', victim.slice(0, 2), victim.slice(2)), { force: true });
    const clone = join(tempDir(), 'c');
    dirs.push(join(clone, '..'));
    git(join(clone, '..'), ['clone', '-q', repo, 'c']);
    const p = run(clone, ['pull']);
    assert.equal(p.code, 1);
    assert.match(p.stderr, /not on the remote \(d\.csv\)/);
  });

  test('gc keeps the chunks of kept lists and removes those only an old version used', () => {
    const repo = project();
    const v1 = csv(6000, 4);
    writeFileSync(join(repo, 'd.csv'), v1);
    ok(repo, ['add', 'd.csv']);
    commit(repo, 'v1');
    const old = chunkList(repo, pointerHash(repo, 'd.csv'));
    writeFileSync(join(repo, 'd.csv'), csv(6000, 8));
    ok(repo, ['add', 'd.csv']);
    commit(repo, 'v2');
    const kept = chunkList(repo, pointerHash(repo, 'd.csv'));
    const all = JSON.parse(ok(repo, ['gc', '--all-commits', '--dry-run', '--json']).stdout);
    assert.equal(all.removed.length, 0);
    ok(repo, ['gc']);
    const now = objects(repo);
    for (const c of kept.chunks) assert.ok(now.has(c.hash));
    assert.ok(now.has(pointerHash(repo, 'd.csv').slice('sha256-chunks:'.length)));
    const onlyOld = old.chunks.filter((c) => !kept.chunks.some((k) => k.hash === c.hash));
    assert.ok(onlyOld.length > 0);
    for (const c of onlyOld) assert.ok(!now.has(c.hash));
    assert.equal(JSON.parse(ok(repo, ['status', '--json']).stdout).clean, true);
  });

  test('a format-1 repository keeps working: its big blob checks out, and a new version is chunked', () => {
    const repo = makeRepo();
    dirs.push(repo);
    mlvOk(repo, ['init']);
    const v1 = csv(5000, 6);
    writeFileSync(join(repo, 'd.csv'), v1);
    mlvOk(repo, ['add', 'd.csv']); // without MLV_TEST_CHUNKING: a format-1 blob
    const p1 = readFileSync(join(repo, 'd.csv.mlv'), 'utf8');
    assert.match(p1, /^format: 1$/m);
    assert.match(p1, new RegExp(`hash: sha256:${sha(v1)}`));
    commit(repo, 'v1');
    // With chunking on, the unchanged file is still clean, even without the state index.
    rmSync(join(repo, '.mlv', 'state'));
    assert.equal(JSON.parse(ok(repo, ['status', '--json']).stdout).clean, true);
    rmSync(join(repo, 'd.csv'));
    ok(repo, ['checkout']);
    assert.equal(readFileSync(join(repo, 'd.csv'), 'utf8'), v1);
    const v2 = v1.replace('name-', 'NAME-');
    writeFileSync(join(repo, 'd.csv'), v2);
    ok(repo, ['add', 'd.csv']);
    assert.match(readFileSync(join(repo, 'd.csv.mlv'), 'utf8'), /^format: 2$/m);
    commit(repo, 'v2');
    git(repo, ['checkout', '-q', 'HEAD~1']);
    ok(repo, ['checkout']);
    assert.equal(readFileSync(join(repo, 'd.csv'), 'utf8'), v1);
    assert.equal(JSON.parse(ok(repo, ['fsck', '--json']).stdout).problems.length, 0);
  });

  test('kill -9 during add leaves no chunk list without its chunks', async () => {
    const repo = project();
    // Big enough that add is still running when it is killed (the real sizes, no test switch).
    const big = Buffer.alloc(96 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(join(repo, 'big.bin'), big);
    for (let attempt = 0; attempt < 3; attempt++) {
      const child = spawn(process.execPath, [MLV_BIN, 'add', 'big.bin'], { cwd: repo, env: env(), stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 150 + attempt * 100));
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      // Every chunk list in the cache names only chunks that are there.
      for (const [h] of objects(repo)) {
        const head = readFileSync(objectPath(repo, h)).subarray(0, 40).toString();
        if (!head.startsWith('{"format":"mlv-chunks"')) continue;
        const list = JSON.parse(readFileSync(objectPath(repo, h), 'utf8'));
        for (const c of list.chunks) assert.ok(existsSync(objectPath(repo, c.hash.slice(7))), `list ${h} names a chunk that is not there`);
      }
      assert.ok(!existsSync(join(repo, 'big.bin.mlv')) || run(repo, ['fsck']).code === 0);
    }
  });

  test('kill -9 during push leaves no chunk list on the remote without its chunks, and the next push completes it', async () => {
    const repo = project();
    const remote = tempDir();
    dirs.push(remote);
    ok(repo, ['remote', 'add', 'origin', remote, '--default']);
    // Two files of ~1,000 small chunks each (the test switch): a push of them takes long enough to be killed.
    writeFileSync(join(repo, 'a.csv'), csv(40000, 21));
    writeFileSync(join(repo, 'b.csv'), csv(40000, 22));
    ok(repo, ['add', 'a.csv', 'b.csv']);
    const remoteObjects = (): string[] => {
      const base = join(remote, 'sha256');
      if (!existsSync(base)) return [];
      return readdirSync(base).flatMap((p) => readdirSync(join(base, p)).map((r) => p + r));
    };
    const total = objects(repo).size;
    let partial = 0;
    // Kill each push once the remote holds a given share of the objects (polled), so the kill lands midway whatever the load.
    for (const share of [0.05, 0.3, 0.6, 0.9]) {
      const child = spawn(process.execPath, [MLV_BIN, 'push'], { cwd: repo, env: env(CHUNKING), stdio: 'ignore' });
      const closed = new Promise((r) => child.on('close', r));
      let exited = false;
      void closed.then(() => { exited = true; });
      while (!exited && remoteObjects().length < share * total) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await closed;
      const there = new Set(remoteObjects());
      if (there.size > 0 && there.size < total) partial++;
      for (const h of there) {
        const head = readFileSync(join(remote, 'sha256', h.slice(0, 2), h.slice(2))).subarray(0, 40).toString();
        if (!head.startsWith('{"format":"mlv-chunks"')) continue;
        const list = JSON.parse(readFileSync(join(remote, 'sha256', h.slice(0, 2), h.slice(2)), 'utf8'));
        for (const c of list.chunks) assert.ok(there.has(c.hash.slice(7)), `remote list ${h} names a chunk the remote does not have (killed at ${there.size} of ${total})`);
      }
    }
    // The kills must have caught pushes midway for this to test anything.
    assert.ok(partial > 0, 'no kill landed while objects were being pushed');
    ok(repo, ['push']);
    assert.deepEqual(new Set(remoteObjects()), new Set(objects(repo).keys()));
    const clone = join(tempDir(), 'c');
    dirs.push(join(clone, '..'));
    commit(repo, 'v1');
    git(join(clone, '..'), ['clone', '-q', repo, 'c']);
    ok(clone, ['pull']);
    assert.equal(readFileSync(join(clone, 'b.csv'), 'utf8'), csv(40000, 22));
  });
});

test('hardlink mode: a file written in place (as root) shows as damaged, not modified, and fsck names the object', (t) => {
  if (process.getuid?.() !== 0) { t.skip('only root can write through the read-only hard link'); return; }
  const repo = project();
  writeFileSync(join(repo, '.mlv', 'config.local'), 'link: [hardlink]\n');
  writeFileSync(join(repo, 'small.csv'), 'a,b\n1,2\n');
  mlvOk(repo, ['add', 'small.csv']);
  rmSync(join(repo, 'small.csv'));
  mlvOk(repo, ['checkout']);
  const hash = pointerHash(repo, 'small.csv').slice(7);
  assert.equal(statSync(join(repo, 'small.csv')).ino, statSync(objectPath(repo, hash)).ino);
  writeFileSync(join(repo, 'small.csv'), '3,4\n', { flag: 'a' }); // in place, through the link
  const st = JSON.parse(mlv(repo, ['status', '--json']).stdout);
  assert.equal(st.data[0].state, 'damaged');
  assert.match(st.data[0].hint, /mlv add small\.csv/);
  const f = mlv(repo, ['fsck']);
  assert.equal(f.code, 1);
  assert.match(f.stdout, new RegExp(`corrupt ${hash}`));
  // The documented fix: record the edit, drop the damaged object; status is clean again.
  mlvOk(repo, ['add', 'small.csv']);
  rmSync(objectPath(repo, hash));
  assert.equal(JSON.parse(mlvOk(repo, ['status', '--json']).stdout).clean, true);
  assert.equal(readFileSync(join(repo, 'small.csv'), 'utf8'), 'a,b\n1,2\n3,4\n');
});

test('a stage output above the threshold is chunked, and mlv.lock says schema 2 only then', () => {
  const repo = project();
  writeFileSync(join(repo, 'mlv.yaml'), 'stages:\n  small:\n    cmd: seq 1 10 > small.txt\n    outs: [small.txt]\n');
  ok(repo, ['repro']);
  assert.match(readFileSync(join(repo, 'mlv.lock'), 'utf8'), /^schema: 1$/m);
  writeFileSync(join(repo, 'mlv.yaml'), 'stages:\n  small:\n    cmd: seq 1 10 > small.txt\n    outs: [small.txt]\n  big:\n    cmd: seq 1 20000 > big.txt\n    outs: [big.txt]\n');
  ok(repo, ['repro']);
  const lock = readFileSync(join(repo, 'mlv.lock'), 'utf8');
  assert.match(lock, /^schema: 2$/m);
  assert.match(lock, /hash: sha256-chunks:[0-9a-f]{64}\n\s+kind: file\n\s+path: big\.txt/);
  commit(repo, 'lock');
  rmSync(join(repo, 'big.txt'));
  ok(repo, ['checkout']);
  assert.equal(readFileSync(join(repo, 'big.txt'), 'utf8').split('\n').length, 20001);
  assert.equal(JSON.parse(ok(repo, ['status', '--json']).stdout).clean, true);
});

test('format 1: a big blob in a tracked directory stays unchanged without a state entry, after a touch, and changed when edited', () => {
  const repo = makeRepo();
  dirs.push(repo);
  mlvOk(repo, ['init']);
  const big = csv(5000, 9);
  mkdirSync(join(repo, 'ds'));
  writeFileSync(join(repo, 'ds', 'big.csv'), big);
  writeFileSync(join(repo, 'ds', 'small.txt'), 'small\n');
  mlvOk(repo, ['add', 'ds']); // without MLV_TEST_CHUNKING: every file a format-1 blob
  assert.match(readFileSync(join(repo, 'ds.mlv'), 'utf8'), /^format: 1$/m);
  commit(repo, 'ds');
  const st = () => JSON.parse(ok(repo, ['status', '--json']).stdout);
  // With chunking on (big.csv is above its threshold), and no state index: a walk hashes every file.
  rmSync(join(repo, '.mlv', 'state'));
  let s = st();
  assert.deepEqual(s.data, [], 'the big blob is hashed whole, as recorded');
  assert.equal(s.hashing.hashed, 2);
  // Touched: its entry's stat moved, its content did not.
  const later = new Date(Date.now() - 5000);
  utimesSync(join(repo, 'ds', 'big.csv'), later, later);
  s = st();
  assert.deepEqual(s.data, []);
  assert.equal(s.hashing.hashed, 1);
  // Edited: modified, and add records the new version chunked.
  writeFileSync(join(repo, 'ds', 'big.csv'), big.replace('name-', 'NAME-'));
  s = st();
  assert.deepEqual(s.data.map((d: { state: string; changes: Array<{ path: string }> }) => `${d.state} ${d.changes.map((c) => c.path).join()}`), ['modified big.csv']);
  ok(repo, ['add', 'ds']);
  const manifest = readFileSync(objectPath(repo, pointerHash(repo, 'ds').replace('sha256:', '')), 'utf8');
  assert.match(manifest, /sha256-chunks:[0-9a-f]{64}/, 'the new version of big.csv is chunked');
  assert.deepEqual(st().data, []);
});

test('format 1: an mlv.lock whose dependency and output are big blobs does not rerun its stage', () => {
  const repo = makeRepo();
  dirs.push(repo);
  mlvOk(repo, ['init']);
  writeFileSync(join(repo, 'in.csv'), csv(5000, 11));
  writeFileSync(join(repo, 'mlv.yaml'), 'stages:\n  copy:\n    cmd: cp in.csv out.csv && echo ran >> runs.log\n    deps: [in.csv]\n    outs: [out.csv]\n');
  mlvOk(repo, ['repro']); // without MLV_TEST_CHUNKING: the lock records whole-file hashes
  const lock = readFileSync(join(repo, 'mlv.lock'), 'utf8');
  assert.doesNotMatch(lock, /sha256-chunks:/);
  commit(repo, 'v1');
  rmSync(join(repo, '.mlv', 'state'));
  const s = JSON.parse(ok(repo, ['status', '--json']).stdout);
  assert.deepEqual(s.stages, [], 'not stale');
  assert.equal(s.clean, true);
  const r = run(repo, ['repro']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(repo, 'runs.log'), 'utf8'), 'ran\n', 'the stage did not run again');
  assert.equal(readFileSync(join(repo, 'mlv.lock'), 'utf8'), lock, 'mlv.lock unchanged');
  // A real change still reruns it.
  writeFileSync(join(repo, 'in.csv'), csv(5000, 12));
  ok(repo, ['repro']);
  assert.equal(readFileSync(join(repo, 'runs.log'), 'utf8'), 'ran\nran\n');
});
