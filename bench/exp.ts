/**
 * Experiments: `mlv exp show --json` with many experiments, and what `exp run` costs
 * per experiment on top of running the same pipeline with `repro` directly.
 * Run: node --import tsx bench/exp.ts [experiments=5000] [runs=4]
 * Target (issue 6): exp show --json with 5,000 experiments under 1 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expRun } from '../src/api/expRun.js';
import { expShow } from '../src/api/expShow.js';
import { loadVersions } from '../src/experiments/versions.js';
import { reproduce } from '../src/pipeline/reproduce.js';

const N = Number(process.argv[2] ?? 5000);
const RUNS = Number(process.argv[3] ?? 4);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'mlv.js');
const ENV = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x', MLV_NO_PROGRESS: '1' };

function sh(cwd: string, cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { cwd, env: ENV, input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

const TRAIN = `node -e "const f=require('fs');const t=+/trees: *([0-9]+)/.exec(f.readFileSync('params.yaml','utf8'))[1];f.mkdirSync('model',{recursive:true});f.writeFileSync('model/m.txt','m'.repeat(t));f.writeFileSync('metrics.json',JSON.stringify({accuracy:t/(t+10),loss:10/(t+10)}))"`;

function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlv-bench-exp-'));
  sh(dir, 'git', ['init', '-q', '-b', 'main']);
  sh(dir, process.execPath, [BIN, 'init']);
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'raw.txt'), '1\n2\n3\n');
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  trees: 10\n  depth: 3\n');
  writeFileSync(join(dir, 'mlv.yaml'), `stages:\n  train:\n    cmd: ${JSON.stringify(TRAIN)}\n    deps: [data/raw.txt]\n    params: [train.trees, train.depth]\n    outs: [model]\n    metrics:\n      - metrics.json:\n          cache: false\n`);
  sh(dir, process.execPath, [BIN, 'add', 'data/raw.txt']);
  sh(dir, process.execPath, [BIN, 'repro', '-q']);
  sh(dir, 'git', ['add', '-A']);
  sh(dir, 'git', ['commit', '-qm', 'baseline']);
  return dir;
}

/** N experiment commits in one `git fast-import`: each changes params.yaml, mlv.lock and metrics.json. */
function fakeExperiments(dir: string, n: number, trailers: boolean, prefix = 'bench'): void {
  const base = sh(dir, 'git', ['rev-parse', 'HEAD']).trim();
  const lock = sh(dir, 'git', ['show', 'HEAD:mlv.lock']);
  const parts: string[] = [];
  const data = (path: string, text: string) => `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
  for (let i = 0; i < n; i++) {
    const t = 10 + (i % 500);
    const d = 1 + (i % 7);
    const acc = t / (t + 10) - d / 1000;
    const l = lock.replace(/train\.trees: \d+/, `train.trees: ${t}`).replace(/train\.depth: \d+/, `train.depth: ${d}`).replace(/accuracy: [0-9.e-]+/, `accuracy: ${acc}`);
    // What exp run writes: the values ride in the message too (unless `trailers` is off: hand-made commits).
    const values = trailers ? `Mlv-Exp-Metrics: ${JSON.stringify({ 'metrics.json:accuracy': acc, 'metrics.json:loss': 10 / (t + 10) })}\nMlv-Exp-All-Params: ${JSON.stringify({ 'train.trees': t, 'train.depth': d })}\n` : '';
    const msg = `mlv exp ${prefix}-${i}\n\nMlv-Exp-Name: ${prefix}-${i}\nMlv-Exp-Status: ok\nMlv-Exp-Params: {"train.trees":${t},"train.depth":${d}}\n${values}`;
    parts.push(`commit refs/mlv/exps/${base}/${prefix}-${i}\ncommitter b <b@x> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}from ${base}\n`
      + data('params.yaml', `train:\n  trees: ${t}\n  depth: ${d}\n`) + data('mlv.lock', l) + data('metrics.json', JSON.stringify({ accuracy: acc })) + '\n');
  }
  sh(dir, 'git', ['fast-import', '--quiet'], parts.join(''));
}

const dir = makeRepo();
try {
  // ---- exp show with N experiments
  let t0 = performance.now();
  fakeExperiments(dir, N, true);
  console.log(`created ${N} experiments with git fast-import in ${ms(performance.now() - t0)}`);
  const cli: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    const out = sh(dir, process.execPath, [BIN, 'exp', 'show', '--json', '--sort-by', 'accuracy']);
    cli.push(performance.now() - t0);
    rows = JSON.parse(out).rows.length;
  }
  // CPU seconds of the whole CLI process (node + git children), which a busy machine does not inflate.
  const timed = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, BIN, 'exp', 'show', '--json', '--sort-by', 'accuracy'], { cwd: dir, env: ENV, encoding: 'utf8', maxBuffer: 1 << 30 });
  const cpuLine = timed.status === 0 ? timed.stderr.trim().split('\n').pop()!.split(' ').map(Number) : undefined;
  if (cpuLine) console.log(`exp show --json CLI CPU time (user+sys, node and git): ${ms((cpuLine[0] + cpuLine[1]) * 1000)}`);
  const lib: number[] = [];
  const load: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    const c0 = process.cpuUsage();
    await loadVersions(dir);
    load.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    t0 = performance.now();
    await expShow({ cwd: dir, sortBy: 'accuracy' });
    lib.push(performance.now() - t0);
  }
  const startup: number[] = [];
  for (let i = 0; i < RUNS; i++) { t0 = performance.now(); sh(dir, process.execPath, [BIN, '--version']); startup.push(performance.now() - t0); }
  console.log(`exp show --json --sort-by accuracy, ${rows} rows: CLI median ${ms(median(cli))} (of which CLI start-up ${ms(median(startup))}); library expShow ${ms(median(lib))}; loadVersions ${ms(median(load))} (its own CPU ${ms(median(cpu))}; git's not counted)  [target < 1000 ms]; load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);

  // The fallback for experiments without values in their message: YAML of every mlv.lock.
  const M = Math.min(500, N);
  fakeExperiments(dir, M, false, 'plain');
  t0 = performance.now();
  await loadVersions(dir);
  const plain = performance.now() - t0;
  console.log(`  + ${M} experiments without message values (files parsed): loadVersions ${ms(plain)} → ${((plain - median(load)) / M).toFixed(2)} ms per such experiment`);

  // ---- per-experiment overhead against reproduce()
  sh(dir, 'git', ['update-ref', '--stdin'], sh(dir, 'git', ['for-each-ref', '--format=delete %(refname)', 'refs/mlv/exps/']));
  const repro: number[] = [];
  const exp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    await reproduce({ root: dir, force: true });
    repro.push(performance.now() - t0);
    t0 = performance.now();
    const r = await expRun({ cwd: dir, set: [`train.trees=${100 + i}`] }); // a new value: the stage really runs
    exp.push(performance.now() - t0);
    if (r.ok !== 1) throw new Error(JSON.stringify(r.results));
  }
  sh(dir, 'git', ['checkout', '-q', '--', '.']);
  const par: number[] = [];
  t0 = performance.now();
  const sweep = await expRun({ cwd: dir, set: [`train.trees=${Array.from({ length: 8 }, (_, i) => 200 + i).join(',')}`], jobs: 2 });
  par.push(performance.now() - t0);
  const seq: number[] = [];
  t0 = performance.now();
  await expRun({ cwd: dir, set: [`train.trees=${Array.from({ length: 8 }, (_, i) => 300 + i).join(',')}`], jobs: 1 });
  seq.push(performance.now() - t0);
  console.log(`one run: reproduce() ${ms(median(repro))}, exp run ${ms(median(exp))} → overhead ${ms(median(exp) - median(repro))} per experiment (×${(median(exp) / median(repro)).toFixed(2)})`);
  console.log(`sweep of 8: --jobs 1 ${ms(seq[0])}, --jobs 2 ${ms(par[0])} (×${(seq[0] / par[0]).toFixed(2)} faster); ok ${sweep.ok}/8`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
