/**
 * A damaged object in the local cache, met by checkout, pull or get: the error names the
 * object's file and the data it belongs to (from the repository root), and says how to
 * repair it; following that advice restores the data. MLV_TEST_CHUNKING=1 scales the
 * chunking threshold down so a small CSV is chunked (tests/integration/chunks.test.ts).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const CHUNKING = { MLV_TEST_CHUNKING: '1' };
const dirs: string[] = [];
after(() => { for (const d of dirs) removeDir(d); });

const objectRel = (hash: string) => `.mlv/cache/objects/sha256/${hash.slice(0, 2)}/${hash.slice(2)}`;

function csv(rows: number): string {
  let out = 'id,name,value\n';
  let a = 7;
  for (let i = 0; i < rows; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    out += `${i},name-${a.toString(36)},${(a % 100000) / 7}\n`;
  }
  return out;
}

function damage(repo: string, hash: string): void {
  const file = join(repo, objectRel(hash));
  chmodSync(file, 0o644);
  const b = readFileSync(file);
  b[Math.min(10, b.length - 1)] ^= 0x01;
  writeFileSync(file, b);
  chmodSync(file, 0o444);
}

test('a corrupt chunk or blob in the cache: checkout and get name its file, the data and the fix, and the fix works', () => {
  const repo = makeRepo();
  const remote = tempDir('mlv-remote-');
  dirs.push(repo, remote);
  mlvOk(repo, ['init'], { env: CHUNKING });
  mlvOk(repo, ['remote', 'add', 'origin', remote, '--default'], { env: CHUNKING });
  const big = csv(5000);
  writeFileSync(join(repo, 'big.csv'), big);
  writeFileSync(join(repo, 'small.txt'), 'small file\n');
  mlvOk(repo, ['add', 'big.csv', 'small.txt'], { env: CHUNKING });
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'v1']);
  mlvOk(repo, ['push'], { env: CHUNKING });

  const listHash = /hash: sha256-chunks:(\S+)/.exec(readFileSync(join(repo, 'big.csv.mlv'), 'utf8'))![1];
  const chunks = (JSON.parse(readFileSync(join(repo, objectRel(listHash)), 'utf8')) as { chunks: Array<{ hash: string }> }).chunks;
  const victim = chunks[2].hash.slice('sha256:'.length);
  const blob = /hash: sha256:(\S+)/.exec(readFileSync(join(repo, 'small.txt.mlv'), 'utf8'))![1];
  damage(repo, victim);
  damage(repo, blob);
  rmSync(join(repo, 'big.csv'));
  rmSync(join(repo, 'small.txt'));

  const c = mlv(repo, ['checkout', 'big.csv'], { env: CHUNKING });
  assert.equal(c.code, 1);
  assert.ok(c.stderr.includes(`${objectRel(victim)} (chunk 3 of ${chunks.length} of big.csv)`), c.stderr);
  assert.ok(!c.stderr.includes(repo), `the message names paths from the repository root: ${c.stderr}`);
  assert.match(c.stderr, /delete that file, then mlv pull fetches it again/);
  assert.ok(!existsSync(join(repo, 'big.csv')), 'nothing half-written');

  const s = mlv(repo, ['checkout', 'small.txt'], { env: CHUNKING });
  assert.equal(s.code, 1);
  assert.ok(s.stderr.includes(`${objectRel(blob)} (small.txt)`), s.stderr);
  assert.match(s.stderr, /delete that file, then mlv pull fetches it again/);

  const g = mlv(repo, ['get', 'HEAD', 'small.txt', '-o', join(remote, 'out.txt')], { env: CHUNKING });
  assert.equal(g.code, 1);
  assert.ok(g.stderr.includes(objectRel(blob)), g.stderr);

  // The advice, as given: delete the files, pull.
  rmSync(join(repo, objectRel(victim)));
  rmSync(join(repo, objectRel(blob)));
  mlvOk(repo, ['pull'], { env: CHUNKING });
  assert.equal(readFileSync(join(repo, 'big.csv'), 'utf8'), big);
  assert.equal(readFileSync(join(repo, 'small.txt'), 'utf8'), 'small file\n');
  assert.equal(mlv(repo, ['fsck'], { env: CHUNKING }).code, 0);
});

test('push of a corrupt cached object names its file and the fix, sends nothing, and the fix works', () => {
  const repo = makeRepo();
  const remote = tempDir('mlv-remote-');
  dirs.push(repo, remote);
  mlvOk(repo, ['init']);
  mlvOk(repo, ['remote', 'add', 'origin', remote, '--default']);
  writeFileSync(join(repo, 'a.txt'), 'hello\n');
  mlvOk(repo, ['add', 'a.txt']);
  const hash = /hash: sha256:(\S+)/.exec(readFileSync(join(repo, 'a.txt.mlv'), 'utf8'))![1];
  damage(repo, hash);
  const p = mlv(repo, ['push']);
  assert.equal(p.code, 1);
  assert.ok(p.stderr.includes(`${objectRel(hash)} (push to 'origin'): object ${hash} is corrupt`), p.stderr);
  assert.match(p.stderr, /delete that file: mlv status then says whether mlv add/);
  assert.ok(!existsSync(join(remote, 'sha256', hash.slice(0, 2), hash.slice(2))));
  rmSync(join(repo, objectRel(hash)));
  const f = mlv(repo, ['fsck']);
  assert.equal(f.code, 1);
  assert.match(f.stdout, new RegExp(`^missing ${hash}: a\\.txt \\(a\\.txt\\.mlv\\) needs it$`, 'm'));
  assert.match(f.stdout, /^Missing objects: mlv status says how to store each again/m);
  const st = JSON.parse(mlvOk(repo, ['status', '--json']).stdout);
  assert.equal(st.data[0].hint, 'mlv add a.txt');
  mlvOk(repo, ['add', 'a.txt']);
  mlvOk(repo, ['push']);
  assert.equal(readFileSync(join(remote, 'sha256', hash.slice(0, 2), hash.slice(2)), 'utf8'), 'hello\n');
});

test('pull of an object damaged on the remote names the data it belongs to, and push --verify repairs it', () => {
  const repo = makeRepo();
  const remote = tempDir('mlv-remote-');
  const clone = join(tempDir('mlv-clone-'), 'c');
  dirs.push(repo, remote, join(clone, '..'));
  mlvOk(repo, ['init'], { env: CHUNKING });
  mlvOk(repo, ['remote', 'add', 'origin', remote, '--default'], { env: CHUNKING });
  const big = csv(5000);
  writeFileSync(join(repo, 'big.csv'), big);
  mlvOk(repo, ['add', 'big.csv'], { env: CHUNKING });
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'v1']);
  mlvOk(repo, ['push'], { env: CHUNKING });
  const listHash = /hash: sha256-chunks:(\S+)/.exec(readFileSync(join(repo, 'big.csv.mlv'), 'utf8'))![1];
  const victim = (JSON.parse(readFileSync(join(repo, objectRel(listHash)), 'utf8')) as { chunks: Array<{ hash: string }> }).chunks[5].hash.slice('sha256:'.length);
  const onRemote = join(remote, 'sha256', victim.slice(0, 2), victim.slice(2));
  chmodSync(onRemote, 0o644);
  const b = readFileSync(onRemote);
  b[1] ^= 0x01;
  writeFileSync(onRemote, b);
  git(join(clone, '..'), ['clone', '-q', repo, 'c']);
  const p = mlv(clone, ['pull'], { env: CHUNKING });
  assert.equal(p.code, 1);
  assert.match(p.stderr, new RegExp(`^mlv: pull from 'origin': 1 object\\(s\\) failed \\(big\\.csv\\): .*object ${victim} is corrupt.*'mlv push --verify' from a clone that has them replaces them$`, 'm'));
  assert.ok(!existsSync(join(clone, 'big.csv')));
  mlvOk(repo, ['push', '--verify'], { env: CHUNKING });
  mlvOk(clone, ['pull'], { env: CHUNKING });
  assert.equal(readFileSync(join(clone, 'big.csv'), 'utf8'), big);
});
