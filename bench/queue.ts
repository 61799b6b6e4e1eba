/**
 * The experiment queue (issue 16): a real redis-server on a free port, a bare git remote,
 * a local-dir mlv remote, worker clones running the real `mlv worker`.
 *
 * (1) Per-job overhead: one warm worker takes jobs one at a time; each job's time in the
 *     queue (BullMQ's enqueue → finish timestamps) against a local `exp run` of the same
 *     stage in this process (`expRun()`, what the worker calls too). The worker's git
 *     fetch/push and mlv-remote transfers are reported apart; the rest is the overhead:
 *     pick-up, Redis bookkeeping, logs and progress, and any slowdown of the run itself.
 *     Also the CLI end to end: `exp run --queue --wait` against `exp run`.
 * (2) Throughput: 12 experiments of a ~2 s stage (2 s of its own CPU time, so a busy
 *     machine stretches it as it would a real training step) with 1, 2 and 3 workers (one
 *     clone each, concurrency 1), against the same 12 run locally one after another.
 *
 * Run:   node --import tsx bench/queue.ts
 * Env:   MLV_BENCH_SHORT=1   4 overhead jobs, 4 experiments of 0.5 s, 1 and 2 workers
 *        MLV_BENCH_JOBS=N    overhead jobs (default 8)
 *        MLV_BENCH_EXPS=N    experiments in the throughput runs (default 12)
 *        MLV_BENCH_WORK_MS=N CPU ms of the throughput stage (default 2000)
 *        MLV_BENCH_WORKERS=1,2,3
 *        MLV_BENCH_STAGE=sleep  the stage sleeps instead of computing (I/O-bound)
 * Target: ≤ 300 ms per job beyond git and object transfers. Prints CPU times and the
 * load average with every figure: on a shared machine wall times are not comparable.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { expRun } from '../src/api/expRun.js';
import { queueStatus, type QueueJobRow } from '../src/api/queueStatus.js';
import { queueSubmit } from '../src/api/queueSubmit.js';
import { queueWait } from '../src/api/queueWait.js';
import { env, git, makeRepo, MLV_BIN, mlvOk, removeDir, tempDir } from '../tests/helpers/repo.js';
import { startRedis } from '../tests/helpers/redis.js';
import { queueBlock } from '../tests/helpers/queue.js';
import { pipelineYaml } from '../tests/helpers/exp.js';

const SHORT = process.env.MLV_BENCH_SHORT === '1';
const JOBS = Number(process.env.MLV_BENCH_JOBS ?? (SHORT ? 4 : 8));
const EXPS = Number(process.env.MLV_BENCH_EXPS ?? (SHORT ? 4 : 12));
const WORK_MS = Number(process.env.MLV_BENCH_WORK_MS ?? (SHORT ? 500 : 2000));
const WORKERS = (process.env.MLV_BENCH_WORKERS ?? (SHORT ? '1,2' : '1,2,3')).split(',').map(Number);
const SLEEP = process.env.MLV_BENCH_STAGE === 'sleep';
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t = (iso?: string) => (iso ? Date.parse(iso) : NaN);

// prepare: counts the input's lines. train: `work_ms` of its own CPU time (or of sleep),
// then a 256 KiB model that depends on `trees` and metrics.json.
const PREPARE = `node -e "const f=require('fs');f.writeFileSync('prep.txt',String(f.readFileSync('data/raw.txt','utf8').split('\\\\n').length))"`;
const TRAIN = `node -e "const f=require('fs');const p=f.readFileSync('params.yaml','utf8');const t=+/trees: *([0-9]+)/.exec(p)[1],w=+/work_ms: *([0-9]+)/.exec(p)[1],sl=+/sleep: *([0-9]+)/.exec(p)[1];if(sl)Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,w);else{let x=0;while(process.cpuUsage().user<w*1000)for(let i=0;i<1e6;i++)x+=i%7}f.mkdirSync('model',{recursive:true});f.writeFileSync('model/m.bin',Buffer.alloc(262144,t%251));f.writeFileSync('metrics.json',JSON.stringify({accuracy:t/(t+10)}))"`;
const PIPELINE = pipelineYaml(PREPARE, TRAIN, ['train.trees', 'train.work_ms', 'train.sleep']);

interface Worker { done: Promise<{ code: number | null; cpuMs?: number; stderr: string }>; ready: Promise<void> }

/** `mlv worker` in `dir` (under /usr/bin/time for its CPU time, children included). */
function startWorker(dir: string, args: string[]): Worker {
  const cmd = TIME ? [TIME, '-f', 'CPU %U %S', process.execPath, MLV_BIN, 'worker', ...args] : [process.execPath, MLV_BIN, 'worker', ...args];
  const child = spawn(cmd[0], cmd.slice(1), { cwd: dir, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let onReady = () => undefined as void;
  const ready = new Promise<void>((r) => { onReady = r; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (/waiting for jobs/.test(stderr)) onReady(); });
  const done = new Promise<{ code: number | null; cpuMs?: number; stderr: string }>((resolve) => child.on('close', (code) => {
    onReady();
    const m = /CPU ([0-9.]+) ([0-9.]+)/.exec(stderr);
    resolve({ code, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined, stderr });
  }));
  return { done, ready };
}

/** The real CLI in `cwd`: wall ms and CPU ms (user + sys, children included, when /usr/bin/time is here). */
function timedMlv(cwd: string, args: string[]): { wall: number; cpu: number } {
  const cmd = TIME ? [TIME, '-f', 'CPU %U %S', process.execPath, MLV_BIN, ...args] : [process.execPath, MLV_BIN, ...args];
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env: env(), encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`mlv ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /CPU ([0-9.]+) ([0-9.]+)/.exec(r.stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

/** CPU ms redis-server has used so far (INFO cpu). */
function redisCpu(port: number): number {
  const r = spawnSync('redis-cli', ['-p', String(port), 'INFO', 'cpu'], { encoding: 'utf8' });
  const get = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(r.stdout ?? '')?.[1] ?? NaN);
  return (get('used_cpu_user') + get('used_cpu_sys')) * 1000;
}

function clone(bare: string): string {
  const dir = tempDir('mlv-bench-worker-');
  git(dir, ['clone', '-q', bare, '.']);
  return dir;
}

async function rowsOf(home: string, sweep: string): Promise<QueueJobRow[]> {
  return (await queueStatus({ cwd: home, env: {}, sweep, limit: 1000 })).jobs;
}

const redis = await startRedis();
const bare = tempDir('mlv-bench-bare-');
const store = tempDir('mlv-bench-store-');
const home = makeRepo();
const dirs = [bare, store, home];
let trees = 100;
try {
  console.log(`bench/queue: ${cpus().length} cores, load ${load()}${SHORT ? ' (short mode)' : ''}; stage: ${SLEEP ? 'sleeps' : 'computes'} ${WORK_MS} ms in the throughput runs`);
  git(bare, ['init', '-q', '--bare', '-b', 'main']);
  mlvOk(home, ['init']);
  writeFileSync(join(home, 'params.yaml'), `train:\n  trees: 10\n  work_ms: 0\n  sleep: ${SLEEP ? 1 : 0}\n`);
  writeFileSync(join(home, 'mlv.yaml'), PIPELINE);
  mkdirSync(join(home, 'data'));
  writeFileSync(join(home, 'data', 'raw.txt'), Array.from({ length: 50_000 }, (_, i) => `row ${i},${(i * 7919) % 1000}`).join('\n') + '\n');
  mlvOk(home, ['add', 'data/raw.txt']);
  mlvOk(home, ['repro', '-q']);
  mlvOk(home, ['remote', 'add', 'store', store, '--default']);
  writeFileSync(join(home, '.mlv', 'config'), queueBlock(redis.url, 'bench', 30_000), { flag: 'a' });
  git(home, ['add', '-A']);
  git(home, ['commit', '-qm', 'baseline']);
  git(home, ['remote', 'add', 'origin', bare]);
  git(home, ['push', '-q', 'origin', 'main']);
  mlvOk(home, ['push']);

  // ---- (1) per-job overhead: one warm worker, one job at a time
  const w1 = clone(bare);
  dirs.push(w1);
  // A worker's start-up and shutdown alone (an empty queue): subtracted from worker 1's CPU below.
  const idle = await startWorker(w1, ['-q', '--exit-when-idle']).done;
  const redis0 = redisCpu(redis.port);
  const CLI_RUNS = Math.min(3, JOBS);
  // It stops by itself after the warm-up job, the JOBS jobs and the CLI's.
  const worker = startWorker(w1, ['--max-jobs', String(1 + JOBS + CLI_RUNS)]);
  await worker.ready;
  // A first job pulls the input into the worker's clone (reported apart) and warms it up.
  {
    const q = await queueSubmit({ cwd: home, env: {}, set: [`train.trees=${trees++}`] });
    await queueWait({ cwd: home, env: {}, baseline: q.baseline, jobs: q.jobs.map((j) => j.id), every: 50 });
  }
  const local: number[] = [];
  const localCpu: number[] = [];
  const rows: QueueJobRow[] = [];
  const submits: number[] = [];
  for (let i = 0; i < JOBS; i++) {
    // Local reference first, then the same stage through the queue, alternating.
    let c0 = cpuNow();
    let t0 = performance.now();
    const r = await expRun({ cwd: home, set: [`train.trees=${trees++}`] });
    if (r.results[0].status !== 'ok') throw new Error(`local exp run failed: ${r.results[0].error}`);
    local.push(performance.now() - t0);
    localCpu.push(cpuNow() - c0);
    t0 = performance.now();
    const q = await queueSubmit({ cwd: home, env: {}, set: [`train.trees=${trees++}`] });
    submits.push(performance.now() - t0);
    await queueWait({ cwd: home, env: {}, baseline: q.baseline, jobs: q.jobs.map((j) => j.id), every: 50 });
    const [row] = await rowsOf(home, q.sweep);
    if (row.state !== 'completed' || !row.result) throw new Error(`job ${row.id}: ${row.state} ${row.error ?? ''}`);
    rows.push(row);
  }
  const inQueue = rows.map((r) => t(r.finished) - t(r.submitted));
  const gitMs = rows.map((r) => r.result!.timings.git);
  const objMs = rows.map((r) => r.result!.timings.objects);
  const runMs = rows.map((r) => r.result!.timings.run);
  const pickup = rows.map((r) => t(r.started) - t(r.submitted));
  const inside = rows.map((r) => r.result!.timings.total - r.result!.timings.git - r.result!.timings.objects - r.result!.timings.run);
  const finish = rows.map((r) => t(r.finished) - t(r.started) - r.result!.timings.total);
  const own = rows.map((_, i) => pickup[i] + inside[i] + finish[i]);
  const vsLocal = rows.map((_, i) => inQueue[i] - gitMs[i] - objMs[i] - local[i]);
  console.log(`\n(1) per job, median of ${JOBS} (load ${load()}):`);
  console.log(`  local exp run (expRun in-process)     ${ms(median(local))}  (CPU of this process ${ms(median(localCpu))})`);
  console.log(`  queued: enqueue → finished            ${ms(median(inQueue))}`);
  console.log(`    git fetch/ls-remote/push            ${ms(median(gitMs))}   (apart)`);
  console.log(`    mlv remote pull/push                ${ms(median(objMs))}   (apart)`);
  console.log(`    the run in the worker               ${ms(median(runMs))}`);
  console.log(`    pick-up (enqueue → active)          ${ms(median(pickup))}`);
  console.log(`    worker bookkeeping outside those    ${ms(median(inside))}`);
  console.log(`    completion (BullMQ)                 ${ms(median(finish))}`);
  console.log(`  overhead beyond git and objects:`);
  console.log(`    the queue's own (pick-up + bookkeeping + completion)  ${ms(median(own))}  (min ${ms(Math.min(...own))}; target ≤ 300 ms)`);
  console.log(`    enqueue → finished − git − objects − local run        ${ms(median(vsLocal))}  (min ${ms(Math.min(...vsLocal))}; also counts the run's own noise)`);
  console.log(`  submit (queueSubmit: checks the remotes, adds the job)  ${ms(median(submits))}`);

  // The CLI end to end, as a user sees it (node start-up on both sides).
  const cliLocal: Array<{ wall: number; cpu: number }> = [];
  const cliQueue: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    cliLocal.push(timedMlv(home, ['exp', 'run', '-q', '-S', `train.trees=${trees++}`]));
    cliQueue.push(timedMlv(home, ['exp', 'run', '-q', '-S', `train.trees=${trees++}`, '--queue', '--wait']));
  }
  const w = (xs: Array<{ wall: number }>) => median(xs.map((x) => x.wall));
  const c = (xs: Array<{ cpu: number }>) => median(xs.map((x) => x.cpu));
  console.log(`  CLI wall: exp run ${ms(w(cliLocal))}; exp run --queue --wait ${ms(w(cliQueue))} (submit, polling every 500 ms, fetching the ref)`);
  const w1End = await worker.done;
  if (w1End.code !== 0) console.log(`  (worker 1 exited ${w1End.code}: ${w1End.stderr.trim().split('\n').pop()})`);
  const taken = 1 + JOBS + CLI_RUNS;
  const workerCpu = ((w1End.cpuMs ?? NaN) - (idle.cpuMs ?? NaN)) / taken;
  const redisPerJob = (redisCpu(redis.port) - redis0) / taken;
  console.log(`  CPU per experiment (children included; what load does not inflate much):`);
  console.log(`    local: mlv exp run ${ms(c(cliLocal))} (node start-up included)`);
  console.log(`    queued: worker ${ms(workerCpu)} (its ${ms(idle.cpuMs ?? NaN)} start-up taken out; git fetch/push and transfers included) + redis-server ${ms(redisPerJob)}; the submitter's exp run --queue --wait ${ms(c(cliQueue))}`);

  // ---- (2) throughput: EXPS experiments of WORK_MS with 1, 2, 3 workers
  console.log(`\n(2) ${EXPS} experiments of ${WORK_MS} ms ${SLEEP ? 'sleep' : 'CPU'}:`);
  let c0 = cpuNow();
  let t0 = performance.now();
  const l = await expRun({ cwd: home, set: [`train.trees=${Array.from({ length: EXPS }, () => trees++).join(',')}`, `train.work_ms=${WORK_MS}`], jobs: 1 });
  const localWall = performance.now() - t0;
  if (l.results.some((r) => r.status !== 'ok')) throw new Error('local sweep failed');
  console.log(`  local exp run --jobs 1: ${s(localWall)} (${(EXPS / (localWall / 1000)).toFixed(2)} exp/s; CPU ${s(cpuNow() - c0)} in this process, stages apart; load ${load()})`);
  const base = EXPS / (localWall / 1000);
  for (const n of WORKERS) {
    const clones = Array.from({ length: n }, () => clone(bare));
    dirs.push(...clones);
    const q = await queueSubmit({ cwd: home, env: {}, set: [`train.trees=${Array.from({ length: EXPS }, () => trees++).join(',')}`, `train.work_ms=${WORK_MS}`] });
    t0 = performance.now();
    const ws = clones.map((d) => startWorker(d, ['-q', '--exit-when-idle']));
    const ends = await Promise.all(ws.map((w) => w.done));
    const wall = performance.now() - t0;
    const jobs = await rowsOf(home, q.sweep);
    const bad = jobs.filter((j) => j.state !== 'completed');
    if (bad.length) throw new Error(`${bad.length} job(s) not completed: ${bad[0].id} ${bad[0].state} ${bad[0].error ?? ''}`);
    const first = Math.min(...jobs.map((j) => t(j.started)));
    const last = Math.max(...jobs.map((j) => t(j.finished)));
    const runs = jobs.map((j) => j.result!.timings.run);
    const cpu = ends.reduce((a, e) => a + (e.cpuMs ?? NaN), 0);
    const hosts = new Map<string, number>();
    for (const j of jobs) hosts.set(j.worker ?? '?', (hosts.get(j.worker ?? '?') ?? 0) + 1);
    console.log(`  ${n} worker(s): ${s(wall)} from start-up to the last exit; first start → last finish ${s(last - first)}; `
      + `${(EXPS / (wall / 1000)).toFixed(2)} exp/s = ${((EXPS / (wall / 1000)) / base).toFixed(2)}x local; run median ${ms(median(runs))}; `
      + `jobs per worker ${[...hosts.values()].join('/')}; workers' CPU ${Number.isNaN(cpu) ? '?' : s(cpu)} (stages included); load ${load()}`);
  }
} finally {
  await redis.close();
  for (const d of dirs) removeDir(d);
}
