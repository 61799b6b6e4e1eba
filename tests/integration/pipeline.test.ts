/**
 * Pipelines in real git repositories: staleness, the run cache, failures, parallel
 * stages, params/metrics, and the real CLI for status, built-in `mlv` commands and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, ROOT } from '../helpers/repo.js';
import { init } from '../../src/api/init.js';
import { gc } from '../../src/api/gc.js';
import { reproduce } from '../../src/pipeline/reproduce.js';
import { staleStages } from '../../src/pipeline/status.js';
import { readParams, setParam } from '../../src/pipeline/params.js';
import { StageFailedError } from '../../src/pipeline/errors.js';
import { InputError } from '../../src/errors/index.js';

async function repoWith(files: Record<string, string>): Promise<string> {
  const dir = makeRepo();
  await init({ cwd: dir });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const runs = (dir: string) => (existsSync(join(dir, 'runs.log')) ? read(dir, 'runs.log').trim().split('\n').length : 0);

// One stage: out.txt = in.txt with the param `scale` appended; every real run appends to runs.log.
const ONE = `stages:
  make:
    cmd: cat in.txt > out.txt && echo "scale=$(grep ^scale params.yaml)" >> out.txt && echo ran >> runs.log
    deps: [in.txt]
    params: [scale]
    outs: [out.txt]
`;

test('each cause makes a stage stale: command, dependency, parameter, missing and modified output', async () => {
  const dir = await repoWith({ 'mlv.yaml': ONE, 'in.txt': 'hello\n', 'params.yaml': '# the scale\nscale: 2 # keep\nother: 1\n' });
  try {
    const r1 = await reproduce({ root: dir, runCache: false });
    assert.deepEqual(r1.ran, ['make']);
    assert.equal(read(dir, 'out.txt'), 'hello\nscale=scale: 2 # keep\n');
    assert.deepEqual(await staleStages(dir), []);
    const r2 = await reproduce({ root: dir, runCache: false });
    assert.deepEqual([r2.ran, r2.upToDate], [[], ['make']]);
    assert.equal(runs(dir), 1);

    const expectStale = async (why: RegExp) => {
      const stale = await staleStages(dir);
      assert.equal(stale.length, 1);
      assert.match(stale[0].reasons.join('; '), why);
      const r = await reproduce({ root: dir, runCache: false });
      assert.deepEqual(r.ran, ['make']);
      assert.deepEqual(await staleStages(dir), []);
    };
    writeFileSync(join(dir, 'in.txt'), 'changed\n');
    await expectStale(/dependency in\.txt changed/);
    // An unrelated param does not make it stale; the one it uses does.
    writeFileSync(join(dir, 'params.yaml'), '# the scale\nscale: 2 # keep\nother: 5\n');
    assert.deepEqual(await staleStages(dir), []);
    setParam(dir, 'scale', 3);
    assert.equal(read(dir, 'params.yaml'), '# the scale\nscale: 3 # keep\nother: 5\n', 'comments are kept');
    await expectStale(/param scale changed \(2 → 3\)/);
    removeDir(join(dir, 'out.txt'));
    await expectStale(/output out\.txt is missing/);
    writeFileSync(join(dir, 'out.txt'), 'tampered');
    await expectStale(/output out\.txt was modified/);
    writeFileSync(join(dir, 'mlv.yaml'), ONE.replace('echo ran', 'echo ran  '));
    await expectStale(/command changed/);
    assert.equal(runs(dir), 6);
    assert.equal(read(dir, 'out.txt'), 'changed\nscale=scale: 3 # keep\n');
  } finally {
    removeDir(dir);
  }
});

test('a run-cache hit restores outputs without running the command', async () => {
  const dir = await repoWith({ 'mlv.yaml': ONE, 'in.txt': 'x\n', 'params.yaml': 'scale: 1\n' });
  try {
    await reproduce({ root: dir });
    const first = read(dir, 'out.txt');
    setParam(dir, 'scale', 2);
    assert.deepEqual((await reproduce({ root: dir })).ran, ['make']);
    assert.equal(runs(dir), 2);
    setParam(dir, 'scale', 1);
    const r = await reproduce({ root: dir });
    assert.deepEqual([r.ran, r.cached], [[], ['make']]);
    assert.equal(runs(dir), 2, 'the command did not run');
    assert.equal(read(dir, 'out.txt'), first);
    assert.equal(r.lock.stages.make.params['params.yaml'].scale, 1);
    // --force runs for real; gc --keep-runs keeps the most recent run-cache entries and what they name.
    assert.deepEqual((await reproduce({ root: dir, force: true })).ran, ['make']);
    assert.equal(runs(dir), 3);
    removeDir(join(dir, 'out.txt'));
    await gc({ cwd: dir, keepRuns: 2 });
    setParam(dir, 'scale', 2);
    assert.deepEqual((await reproduce({ root: dir })).cached, ['make']);
    assert.equal(runs(dir), 3);
    assert.match(read(dir, 'out.txt'), /scale: 2/);
    // A plain gc keeps only the entries the workspace's mlv.lock records (scale 2 now): scale 1 runs again.
    await gc({ cwd: dir });
    setParam(dir, 'scale', 1);
    assert.deepEqual((await reproduce({ root: dir })).ran, ['make']);
    assert.equal(runs(dir), 4);
  } finally {
    removeDir(dir);
  }
});

test('a failing stage names itself and its stderr, and leaves mlv.lock and outputs as they were', async () => {
  const dir = await repoWith({ 'mlv.yaml': ONE, 'in.txt': 'v1\n', 'params.yaml': 'scale: 1\n' });
  try {
    await reproduce({ root: dir });
    const lock = read(dir, 'mlv.lock');
    const out = read(dir, 'out.txt');
    writeFileSync(join(dir, 'mlv.yaml'), ONE.replace('cat in.txt > out.txt', 'echo partial > out.txt && echo "boom - bad input" >&2 && exit 3'));
    await assert.rejects(reproduce({ root: dir }), (e: unknown) => {
      assert.ok(e instanceof StageFailedError);
      assert.match(e.message, /stage 'make' failed: .* exited with code 3/);
      assert.match(e.message, /boom - bad input/);
      return true;
    });
    assert.equal(read(dir, 'mlv.lock'), lock);
    assert.equal(read(dir, 'out.txt'), out);
    // A dependency that changes while the stage runs is an error too.
    writeFileSync(join(dir, 'mlv.yaml'), ONE.replace('echo ran >> runs.log', 'echo more >> in.txt'));
    await assert.rejects(reproduce({ root: dir, runCache: false }), /dependency in\.txt changed while the stage ran/);
    assert.equal(read(dir, 'mlv.lock'), lock);
    assert.equal(read(dir, 'out.txt'), out);
  } finally {
    removeDir(dir);
  }
});

test('-j 2 runs independent stages at the same time; downstream waits for both', async () => {
  // Each of a and b waits (up to 5 s) for the other to have started: only parallel runs pass.
  const wait = (me: string, other: string) =>
    `touch ${me}.started; i=0; while [ ! -f ${other}.started ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; test -f ${other}.started && echo ${me} > ${me}.out`;
  const dir = await repoWith({
    'mlv.yaml': `stages:
  a: { cmd: "${wait('a', 'b')}", outs: [a.out] }
  b: { cmd: "${wait('b', 'a')}", outs: [b.out] }
  c: { cmd: cat a.out b.out > c.out, deps: [a.out, b.out], outs: [c.out] }
`,
  });
  try {
    const events: string[] = [];
    const r = await reproduce({ root: dir, jobs: 2, onStage: (e) => events.push(`${e.stage}:${e.status}`) });
    assert.deepEqual(r.ran.sort(), ['a', 'b', 'c']);
    assert.equal(read(dir, 'c.out'), 'a\nb\n');
    assert.ok(events.indexOf('c:start') > Math.max(events.indexOf('a:ran'), events.indexOf('b:ran')));
  } finally {
    removeDir(dir);
  }
});

test('bad input: missing parameter key, metrics that are not JSON/YAML, unknown stage', async () => {
  const dir = await repoWith({
    'mlv.yaml': 'stages:\n  m:\n    cmd: \'printf "acc: [1, 2" > m.yaml\'\n    params: [train.lr]\n    metrics: [m.yaml]\n',
    'params.yaml': 'train:\n  n: 1\n',
  });
  try {
    await assert.rejects(reproduce({ root: dir }), (e: unknown) => e instanceof InputError && /params\.yaml: no parameter 'train\.lr' \(stage 'm' \(mlv\.yaml:2\)/.test(e.message));
    setParam(dir, 'train.lr', 0.1, { create: true });
    assert.deepEqual(await readParams(dir), { 'train.n': 1, 'train.lr': 0.1 });
    await assert.rejects(reproduce({ root: dir }), /m\.yaml:1: not valid JSON or YAML/);
    assert.ok(!existsSync(join(dir, 'mlv.lock')));
    await assert.rejects(reproduce({ root: dir, stages: ['nope'] }), /nope: no such stage in mlv\.yaml \(stages: m\)/);
  } finally {
    removeDir(dir);
  }
});

test('CLI: built-in mlv commands run as stages; status lists stale stages; params and metrics diff', async () => {
  const dir = await repoWith({
    'mlv.yaml': `stages:
  version:
    cmd: mlv --version > version.txt
    outs: [version.txt]
  score:
    cmd: node score.js
    deps: [score.js]
    params: [train.n]
    metrics: [scores.json]
`,
    'params.yaml': 'train:\n  n: 5\n',
    'score.js': "const fs = require('fs');\nconst n = +/n: (\\d+)/.exec(fs.readFileSync('params.yaml', 'utf8'))[1];\nfs.writeFileSync('scores.json', JSON.stringify({ acc: n / 10 }));\n",
  });
  try {
    const r = mlvOk(dir, ['repro', '--json', '-q']);
    assert.deepEqual(JSON.parse(r.stdout), { ran: ['version', 'score'], cached: [], upToDate: [] });
    assert.equal(read(dir, 'version.txt').trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const lock = read(dir, 'mlv.lock');
    assert.match(lock, /lockfile:\n\s+hash: sha256:[0-9a-f]{64}\n\s+path: mlv:package-lock\.json/);
    assert.match(read(dir, '.gitignore'), /^\/version\.txt$/m);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'pipeline']);
    setParam(dir, 'train.n', 7);
    const st = mlv(dir, ['status', '--json', '--check']);
    assert.equal(st.code, 1);
    assert.deepEqual(JSON.parse(st.stdout).stages, [{ stage: 'score', reasons: ['param train.n changed (5 → 7)'] }]);
    mlvOk(dir, ['repro', '-q']);
    const pd = JSON.parse(mlvOk(dir, ['params', 'diff', '--json']).stdout);
    assert.deepEqual(pd.params, [{ key: 'train.n', a: 5, b: 7, delta: 2 }]);
    const md = JSON.parse(mlvOk(dir, ['metrics', 'diff', '--json']).stdout);
    assert.equal(md.metrics.length, 1);
    assert.equal(md.metrics[0].key, 'scores.json:acc');
    assert.deepEqual([md.metrics[0].a, md.metrics[0].b], [0.5, 0.7]);
    assert.ok(Math.abs(md.metrics[0].delta - 0.2) < 1e-12);
    const shown = JSON.parse(mlvOk(dir, ['metrics', 'show', 'HEAD', '--json']).stdout);
    assert.deepEqual(shown.metrics, { 'scores.json': { acc: 0.5 } });
    const d = JSON.parse(mlvOk(dir, ['diff', '--json']).stdout);
    assert.deepEqual(d.params, pd.params);
    assert.deepEqual(d.metrics, md.metrics);
    // A missing parameter key: exit 2 and one line naming file and key.
    writeFileSync(join(dir, 'params.yaml'), 'train: {}\n');
    const bad = mlv(dir, ['repro']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^mlv: params\.yaml: no parameter 'train\.n'/m);
  } finally {
    removeDir(dir);
  }
});

test('a missing parameter of a downstream stage is found before any stage runs', async () => {
  const dir = await repoWith({
    'mlv.yaml': 'stages:\n  first:\n    cmd: echo ran >> runs.log && echo a > a.txt\n    outs: [a.txt]\n  second:\n    cmd: cat a.txt > b.txt\n    deps: [a.txt]\n    params: [train.nosuch]\n    outs: [b.txt]\n',
    'params.yaml': 'train:\n  n: 1\n',
  });
  try {
    await assert.rejects(reproduce({ root: dir }), /params\.yaml: no parameter 'train\.nosuch' \(stage 'second'/);
    assert.equal(runs(dir), 0, 'the upstream stage did not run');
    assert.ok(!existsSync(join(dir, 'mlv.lock')));
  } finally {
    removeDir(dir);
  }
});
