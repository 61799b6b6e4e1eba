/**
 * The local caches that keep no-op commands fast must never change an answer:
 * directory lines of the state index, the parse cache (.mlv/tmp/parsed/), and the
 * canonical-pointer reader. Real repos, the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';
import { parsePointer, renderPointer } from '../../src/repo/pointer.js';
import { StateIndex } from '../../src/repo/state.js';

const write = (dir: string, rel: string, data: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), data);
};
const statusJson = (dir: string) => JSON.parse(mlv(dir, ['status', '--json']).stdout);

test('an unchanged directory is answered from its state line; a change inside it is still found, twice', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    for (let i = 0; i < 30; i++) write(dir, `ds/${i % 3}/f${i}.txt`, `row ${i}\n`);
    mlvOk(dir, ['add', 'ds']);
    const item = () => new StateIndex(join(dir, '.mlv')).item('ds');
    const recorded = parsePointer(readFileSync(join(dir, 'ds.mlv'), 'utf8'), 'ds.mlv').hash;
    assert.equal(item()?.manifest, recorded, 'add records the directory');
    let st = statusJson(dir);
    assert.deepEqual(st.data, []);
    assert.equal(st.hashing.hashed, 0);
    assert.match(item()?.cache ?? '', /^[0-9a-f]{32}$/, 'and status that all its objects are cached');

    write(dir, 'ds/1/f4.txt', 'row 4, edited\n');
    for (let run = 0; run < 2; run++) {
      // The second run finds the new walk recorded: its entries come from the index.
      st = statusJson(dir);
      assert.equal(st.data.length, 1, `run ${run}`);
      assert.equal(st.data[0].state, 'modified');
      assert.deepEqual(st.data[0].changes.map((c: { path: string; change: string }) => `${c.change} ${c.path}`), ['modified 1/f4.txt'], `run ${run}`);
      assert.equal(st.hashing.hashed, run === 0 ? 1 : 0, `run ${run}`);
    }
    // A new file, and a file removed: the walk differs, so the manifest is rebuilt.
    write(dir, 'ds/2/new.txt', 'new\n');
    rmSync(join(dir, 'ds/0/f0.txt'));
    st = statusJson(dir);
    assert.deepEqual(st.data[0].changes.map((c: { path: string; change: string }) => `${c.change} ${c.path}`), ['deleted 0/f0.txt', 'modified 1/f4.txt', 'added 2/new.txt']);

    // Back to the recorded content: ok again, and an object removed from the cache is noticed
    // although the walk is unchanged (the cache fingerprint moved).
    mlvOk(dir, ['checkout', '--force', 'ds']);
    assert.deepEqual(statusJson(dir).data, []);
    const objects = join(dir, '.mlv/cache/objects/sha256');
    const prefix = readdirSync(objects).sort()[0];
    const victim = readdirSync(join(objects, prefix))[0];
    rmSync(join(objects, prefix, victim), { force: true });
    st = statusJson(dir);
    assert.equal(st.data.length, 1);
    assert.equal(st.data[0].state, 'not-cached');
    assert.equal(mlv(dir, ['status', '--check']).code, 1);
  } finally {
    removeDir(dir);
  }
});

test('the parse cache follows every edit of mlv.yaml, params.yaml and the config, and never caches an error', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    write(dir, 'params.yaml', 'n: 1\n');
    write(dir, 'mlv.yaml', 'stages:\n  a:\n    cmd: node -e "require(\'fs\').writeFileSync(\'out.txt\', String(require(\'fs\').readFileSync(\'params.yaml\')))"\n    params: [n]\n    outs: [out.txt]\n');
    mlvOk(dir, ['repro']);
    const parsed = join(dir, '.mlv/tmp/parsed');
    assert.deepEqual(readdirSync(parsed).sort(), ['config.json', 'mlv.lock.json', 'mlv.yaml.json', 'params%3Aparams.yaml.json']);
    assert.match(mlvOk(dir, ['repro']).stdout + mlvOk(dir, ['repro']).stderr, /up to date/);

    // An edited param: the cached parse of the old text must not hide it.
    write(dir, 'params.yaml', 'n: 2\n');
    mlvOk(dir, ['repro']);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'n: 2\n');
    assert.match(readFileSync(join(dir, 'mlv.lock'), 'utf8'), /n: 2/);

    // A bad key: an error with file and line on every run, not only the first.
    const good = readFileSync(join(dir, 'mlv.yaml'), 'utf8');
    write(dir, 'mlv.yaml', good.replace('    outs:', '    outz: [x]\n    outs:'));
    for (let i = 0; i < 2; i++) {
      const r = mlv(dir, ['repro']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /mlv\.yaml:\d+: .*outz/);
    }
    write(dir, 'mlv.yaml', good);

    // A damaged cache file is only a miss.
    writeFileSync(join(parsed, 'mlv.lock.json'), '{"hash": "nope", ');
    assert.match(mlvOk(dir, ['repro']).stdout + mlvOk(dir, ['repro']).stderr, /up to date/);

    // The config: a bad link type is found, and so is the fix.
    const config = readFileSync(join(dir, '.mlv/config'), 'utf8');
    assert.match(config, /^link:/m);
    writeFileSync(join(dir, '.mlv/config'), config.replace(/^link:.*$/m, 'link: [teleport]'));
    const bad = mlv(dir, ['status']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /link type 'teleport'/);
    writeFileSync(join(dir, '.mlv/config'), config);
    mlvOk(dir, ['status']);
    assert.ok(existsSync(join(parsed, 'config.json')));
  } finally {
    removeDir(dir);
  }
});

test('canonical pointers read without YAML give what YAML gives; hand-edited ones still go through YAML', () => {
  const hash = 'ab'.repeat(32);
  for (const desc of [undefined, 'plain', 'quotes " and \\ and: colon', 'line\nbreak\ttab', 'émoji 😀 \u2028', '#not a comment']) {
    const p = { kind: 'dir' as const, hash, size: 123, files: 4, desc };
    assert.deepEqual(parsePointer(renderPointer(p), 'x.mlv'), p);
  }
  const hand = `# my data\nformat: 1   # version\nkind: file\nhash: "sha256:${hash}"\nsize: 10\nfiles: 1\ndesc: >\n  folded text\n`;
  assert.deepEqual(parsePointer(hand, 'x.mlv'), { kind: 'file', hash, size: 10, files: 1, desc: 'folded text\n' });
  const padded = renderPointer({ kind: 'file', hash, size: 7, files: 1 }).replace('size: 7', 'size: 007');
  assert.equal(parsePointer(padded, 'x.mlv').size, 7);
  assert.throws(() => parsePointer(renderPointer({ kind: 'file', hash, size: 7, files: 1 }) + 'extra: 1\n', 'x.mlv'), /x\.mlv: unknown key 'extra'/);
});
