/**
 * `mlv gc` and the run cache: entries whose outputs no kept version records are dropped
 * with the objects only they held; `--keep-runs N` keeps the N most recent; a run still
 * in progress (a live mlv worktree) keeps what it may have written. Real repos, the real CLI.
 */
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

// One stage: a 64 KiB model that depends on train.size, and a metrics file committed to git.
const TRAIN = `node -e "const f=require('fs');const s=+/size: *([0-9]+)/.exec(f.readFileSync('params.yaml','utf8'))[1];f.writeFileSync('model.bin',Buffer.alloc(65536,s));f.writeFileSync('metrics.json',JSON.stringify({size:s}))"`;
const PIPELINE = `stages:
  train:
    cmd: ${JSON.stringify(TRAIN)}
    params: [train.size]
    outs: [model.bin]
    metrics:
      - metrics.json:
          cache: false
`;

const objectPath = (dir: string, hash: string) => join(dir, '.mlv', 'cache', 'objects', 'sha256', hash.slice(0, 2), hash.slice(2));
const runsDir = (dir: string) => join(dir, '.mlv', 'cache', 'runs');
const runEntries = (dir: string) => (existsSync(runsDir(dir)) ? readdirSync(runsDir(dir)).filter((n) => /^[0-9a-f]{64}$/.test(n)) : []);
/** The model hash an experiment (or HEAD) recorded. */
const modelAt = (dir: string, rev: string): string => {
  const lock = parseYaml(git(dir, ['show', `${rev}:mlv.lock`]));
  return String(lock.stages.train.outs.find((o: { path: string }) => o.path === 'model.bin').hash).replace(/^sha256:/, '');
};
const expRev = (dir: string, name: string): string => git(dir, ['for-each-ref', '--format=%(objectname)', `refs/mlv/exps/*/${name}`]).trim();

interface GcJson {
  removed: Array<{ hash: string; size: number }>;
  runCache: { entries: number; bytes: number; kept: number; dropped: Array<{ key: string; cmd: string[]; outs: string[]; bytes: number }> };
}

describe('mlv gc: the run cache', () => {
  let dir: string;
  let base: string;
  const models: Record<string, string> = {};
  before(() => {
    dir = makeRepo();
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  size: 1\n');
    writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'baseline']);
    base = modelAt(dir, 'HEAD');
    // Two experiments, one after the other: their entries are the two most recent.
    mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.size=2', '--name', 's2']);
    mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.size=3', '--name', 's3']);
    models.s2 = modelAt(dir, expRev(dir, 's2'));
    models.s3 = modelAt(dir, expRev(dir, 's3'));
  });
  after(() => removeDir(dir));

  test('--keep-exps keeps the entries of experiments; a bad --keep-runs is one line, exit 2', () => {
    assert.equal(runEntries(dir).length, 3);
    const r = JSON.parse(mlvOk(dir, ['gc', '--dry-run', '--keep-exps', '--json']).stdout) as GcJson;
    assert.equal(r.runCache.entries, 3);
    assert.equal(r.runCache.kept, 3);
    assert.deepEqual(r.runCache.dropped, []);
    assert.ok(r.runCache.bytes >= 3 * 65536, `the run cache names three 64 KiB models (${r.runCache.bytes})`);
    for (const bad of ['-1', 'two', '1.5']) {
      const b = mlv(dir, ['gc', '--keep-runs', bad]);
      assert.equal(b.code, 2, b.stderr);
      assert.equal(b.stderr.trim().split('\n').length, 1, b.stderr);
      assert.match(b.stderr, new RegExp(`--keep-runs ${bad.replace('.', '\\.')}: expected a whole number`));
    }
    assert.equal(runEntries(dir).length, 3, 'nothing removed');
  });

  test('a live mlv worktree keeps the entries its run may have written', () => {
    const live = join(dir, '.mlv', 'tmp', `exp-live-${process.pid}-abcdef`);
    mkdirSync(live, { recursive: true });
    writeFileSync(join(live, '.git'), 'gitdir: nowhere\n');
    const past = new Date(Date.now() - 3600_000);
    utimesSync(join(live, '.git'), past, past);
    try {
      const r = JSON.parse(mlvOk(dir, ['gc', '--dry-run', '--json']).stdout) as GcJson;
      assert.deepEqual(r.runCache.dropped, []);
      assert.ok(!r.removed.some((x) => x.hash === models.s2 || x.hash === models.s3));
    } finally {
      removeDir(live);
    }
  });

  test('after exp remove --all: dry-run says what the run cache holds; --keep-runs 1 keeps the latest; gc frees the rest', () => {
    mlvOk(dir, ['exp', 'remove', '--all']);
    const dry = mlvOk(dir, ['gc', '--dry-run']);
    assert.match(dry.stdout, /Run cache: 3 entries naming [\d.]+ [KM]i?B; would keep 1, drop 2\./);
    assert.equal(dry.stdout.split('\n').filter((l) => /^would drop run [0-9a-f]{12} {2}model\.bin, metrics\.json {2}64(\.0)? KiB {2}node -e/.test(l)).length, 2, dry.stdout);
    for (const m of [base, models.s2, models.s3]) assert.ok(existsSync(objectPath(dir, m)), 'dry-run removes nothing');
    assert.equal(runEntries(dir).length, 3);

    const one = JSON.parse(mlvOk(dir, ['gc', '--keep-runs', '1', '--json']).stdout) as GcJson;
    assert.equal(one.runCache.dropped.length, 1);
    assert.ok(one.removed.some((x) => x.hash === models.s2), 'the older experiment model is freed');
    assert.ok(!existsSync(objectPath(dir, models.s2)));
    assert.ok(existsSync(objectPath(dir, models.s3)), 'the most recent entry is kept with its model');
    assert.ok(existsSync(objectPath(dir, base)));
    assert.equal(runEntries(dir).length, 2);

    const all = mlvOk(dir, ['gc']);
    assert.match(all.stdout, /Removed [1-9]\d* object\(s\), .*Dropped 1 run-cache entry; kept 1\./);
    assert.ok(!existsSync(objectPath(dir, models.s3)));
    assert.ok(existsSync(objectPath(dir, base)), 'the workspace version keeps its entry and model');
    assert.equal(runEntries(dir).length, 1);
    // The kept entry still restores: back to size 1 after a change runs nothing.
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  size: 4\n');
    mlvOk(dir, ['repro', '-q']);
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  size: 1\n');
    const back = mlvOk(dir, ['repro']);
    assert.match(back.stdout + back.stderr, /restored from the run cache/);
    assert.equal(git(dir, ['status', '--porcelain']), '');
  });
});
