/**
 * What a filesystem monitor would give `mlv status` (issue: "1M files in under 1 s").
 *
 *   MLV_BENCH_FILES=200000 MLV_BENCH_DIRS=100,20000 node --import tsx bench/monitor.ts
 *
 * For a tree of FILES files spread over each DIRS count, in one run:
 * - the no-op `mlv status` and `git status` over the same files (min of RUNS);
 * - the floor a monitor cannot go below: `mlv --version` (start-up) plus reading the
 *   state index whole, i.e. a status that stats nothing;
 * - the monitor's own cost: setting up inotify watches over the tree (one plain fs.watch
 *   per directory), its memory, and how long ten edits take to arrive as events.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const FILES = Number(process.env.MLV_BENCH_FILES ?? 200000);
const DIRS = (process.env.MLV_BENCH_DIRS ?? '100,20000').split(',').map(Number);
const RUNS = Number(process.env.MLV_BENCH_RUNS ?? 3);
const BIN = resolve('bin/mlv.js');
const work = join(tmpdir(), `mlv-bench-monitor-${process.pid}`);
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', MLV_NO_PROGRESS: '1' };
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

/** Wall and CPU (user + sys of the child) seconds of one command. */
function timed(cmd: string, args: string[], cwd: string): { wall: number; cpu: number } {
  const t = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time ${[cmd, ...args].map((a) => `'${a}'`).join(' ')} >/dev/null 2>/dev/null`], { cwd, env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: u + s };
}

function best(n: number, f: () => { wall: number; cpu: number }): { wall: number; cpu: number } {
  const all = Array.from({ length: n }, f);
  return { wall: Math.min(...all.map((x) => x.wall)), cpu: Math.min(...all.map((x) => x.cpu)) };
}

const fmt = (x: { wall: number; cpu: number }) => `${x.wall.toFixed(2)} s wall, ${x.cpu.toFixed(2)} s CPU`;

async function main(): Promise<void> {
  console.log(`bench/monitor: ${FILES} files, node ${process.version}, load ${load()}`);
  for (const dirs of DIRS) {
    const root = join(work, `t${dirs}`);
    const rel = (i: number) => `ds/${i % dirs}/f${i}.txt`;
    for (let d = 0; d < dirs; d++) mkdirSync(join(root, 'ds', String(d)), { recursive: true });
    for (let i = 0; i < FILES; i++) writeFileSync(join(root, rel(i)), `file ${i}\n`);
    execFileSync('bash', ['-c', `git init -q -b main && ${process.execPath} ${BIN} init >/dev/null && ${process.execPath} ${BIN} add ds >/dev/null && git add -A && git commit -qm v1`], { cwd: root, env });
    // A plain git repository over the same files, for git status.
    const g = join(work, `g${dirs}`);
    execFileSync('bash', ['-c', `mkdir -p ${g} && cp -r ${root}/ds ${g}/ && cd ${g} && git init -q -b main && git add -A && git commit -qm v1`], { env });
    timed(process.execPath, [BIN, 'status'], root); // the state index is written by the first status
    const mlvStatus = best(RUNS, () => timed(process.execPath, [BIN, 'status'], root));
    const gitStatus = best(RUNS, () => timed('git', ['status', '--porcelain'], g));
    const version = best(RUNS, () => timed(process.execPath, [BIN, '--version'], root));
    const stateFile = join(root, '.mlv', 'state');
    const readState = best(RUNS, () => timed(process.execPath, ['-e', `require("fs").readFileSync(${JSON.stringify(stateFile)})`], root));
    const nodeBare = best(RUNS, () => timed(process.execPath, ['-e', '0'], root));
    const floor = { wall: version.wall + readState.wall - nodeBare.wall, cpu: version.cpu + readState.cpu - nodeBare.cpu };

    // The monitor: watches over the tree, and ten edits arriving as events.
    const rss0 = process.memoryUsage().rss;
    const t0 = process.hrtime.bigint();
    const seen = new Set<string>();
    let wake: (() => void) | undefined;
    // One plain fs.watch (one inotify watch) per directory, as a monitor daemon would set
    // up: Node 20's `recursive: true` on Linux is a JS emulation that does not scale to
    // 200k files (measured here: no event after 15 min).
    const dirsToWatch = [join(root, 'ds'), ...Array.from({ length: dirs }, (_, d) => join(root, 'ds', String(d)))];
    const watchers = dirsToWatch.map((dir) => watch(dir, (_e, f) => {
      if (f) seen.add(`${dir.slice(root.length + 4)}/${String(f)}`.replace(/^\//, ''));
      if (seen.size >= 10) wake?.();
    }));
    const probe = join(root, rel(FILES - 1));
    writeFileSync(probe, 'probe\n');
    while (!seen.has(`${(FILES - 1) % dirs}/f${FILES - 1}.txt`)) await new Promise((r) => setTimeout(r, 5));
    const setup = Number(process.hrtime.bigint() - t0) / 1e9;
    const rss = (process.memoryUsage().rss - rss0) / 2 ** 20;
    seen.clear();
    const t1 = process.hrtime.bigint();
    const done = new Promise<void>((r) => { wake = r; });
    for (let i = 0; i < 10; i++) writeFileSync(join(root, rel((i * 997 + 13) % FILES)), `edited ${i}\n`);
    await done;
    const deliver = Number(process.hrtime.bigint() - t1) / 1e9;
    for (const w of watchers) w.close();
    const watches = readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim();

    console.log(`\n== ${FILES} files in ${dirs} directories [load ${load()}]`);
    console.log(`no-op mlv status        ${fmt(mlvStatus)}`);
    console.log(`no-op git status        ${fmt(gitStatus)}   (mlv/git wall ${(mlvStatus.wall / gitStatus.wall).toFixed(2)}x, CPU ${(mlvStatus.cpu / gitStatus.cpu).toFixed(2)}x)`);
    console.log(`floor with a monitor    ${fmt(floor)}   (mlv --version ${fmt(version)} + reading .mlv/state whole ${fmt(readState)} − node -e 0 ${fmt(nodeBare)})`);
    console.log(`  → a monitor could save at most ${(mlvStatus.wall - floor.wall).toFixed(2)} s of ${mlvStatus.wall.toFixed(2)} s here`);
    console.log(`monitor set-up          ${setup.toFixed(2)} s for ${dirs + 1} inotify watches (limit here: ${watches} per user), +${rss.toFixed(0)} MiB RSS; ten edits delivered in ${(deliver * 1000).toFixed(0)} ms`);
    rmSync(root, { recursive: true, force: true });
    rmSync(g, { recursive: true, force: true });
  }
}

mkdirSync(work, { recursive: true });
try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
