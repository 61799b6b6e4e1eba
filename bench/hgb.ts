/**
 * Gradient boosting benchmark: mlv's `gradient_boosting` against scikit-learn's
 * HistGradientBoostingClassifier() (defaults), the reference, measured in the same run on
 * the same data (make_classification, 20 features, binary; early stopping "auto" is on for
 * both above 10,000 rows). Needs `npx tsc -p tsconfig.json` first (the fits use dist/).
 *
 *   node --import tsx bench/hgb.ts
 *   MLV_BENCH_SHORT=1 node --import tsx bench/hgb.ts     (20k rows, 1 rep, memory at 200k)
 *
 * Environment: MLV_BENCH_HGB_ROWS (default 100000; 0 skips the speed part), MLV_BENCH_HGB_REPS (3),
 * MLV_BENCH_HGB_MEMORY_ROWS (1000000; 0 skips the memory part), MLV_BENCH_HGB_MEMORY_SKLEARN=0
 * (measure only mlv's memory: scikit-learn's fit on 1M rows is slow on a busy machine),
 * MLV_BENCH_HGB_JOBS (mlv's threads, as `--jobs`; default the cores, mlv's default).
 *
 * Speed: each side loads the data once (raw float64 written by numpy, no CSV parsing),
 * then fits `reps` times; printed are min and median wall seconds and CPU seconds (user
 * + sys of the process) per side, the ratios mlv / sklearn (target: wall <= 1),
 * iterations, training accuracy and the load average before and after (the machine is
 * shared: at a high load, wall times of a multi-threaded side suffer most).
 *
 * Memory: one fit per side on MLV_BENCH_HGB_MEMORY_ROWS rows; the peak resident memory
 * the fit adds to the loaded data (Linux: VmHWM reset through /proc/self/clear_refs
 * before the fit, minus VmRSS then), against the budget of 2 × (binned data, one byte a
 * cell, + the model's arrays).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PY = '/usr/bin/python3';
const dist = (p: string) => pathToFileURL(join(ROOT, 'dist/src/ml', p)).href;
const P = 20;
/** Threads for mlv's fits, as `mlv train --jobs` (default: the cores, as mlv's default). */
const JOBS = Number(process.env.MLV_BENCH_HGB_JOBS ?? availableParallelism());

const SKLEARN = `
import sys, json, time, numpy as np
mode, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def kb(key):
    for line in open('/proc/self/status'):
        if line.startswith(key): return int(line.split()[1])
if mode == 'make':
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=n, n_features=${P}, n_informative=10, random_state=0)
    np.ascontiguousarray(X.T).tofile(path + '.x')
    y.astype(np.int32).tofile(path + '.y')
else:
    from sklearn.ensemble import HistGradientBoostingClassifier
    X = np.ascontiguousarray(np.fromfile(path + '.x').reshape(${P}, n).T)
    y = np.fromfile(path + '.y', dtype=np.int32)
    secs, cpu = [], []
    before = kb('VmRSS')
    open('/proc/self/clear_refs', 'w').write('5')
    for _ in range(int(sys.argv[4])):
        t, c = time.perf_counter(), time.process_time()
        m = HistGradientBoostingClassifier(random_state=0).fit(X, y)
        secs.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
    peak = kb('VmHWM') - before
    print(json.dumps({'seconds': secs, 'cpu': cpu, 'n_iter': int(m.n_iter_), 'accuracy': float(m.score(X, y)), 'peak_kb': peak}))
`;

interface Timing { seconds: number[]; cpu: number[]; n_iter: number; accuracy: number; peak_kb: number; model_bytes?: number; binned_bytes?: number }

const statusKb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))![1]);

async function child(path: string, n: number, reps: number): Promise<void> {
  const { fitBoosting } = await import(dist('models/hgb/boost.js'));
  const { HistogramThreads, MAX_THREADS, worthThreads } = await import(dist('models/hgb/histThreads.js'));
  const { treeFromState, treeValue } = await import(dist('models/hgb/predictor.js'));
  // The files' own buffers, not copies: a freed copy would shrink RSS during the fit and hide its growth.
  const xb = readFileSync(`${path}.x`);
  const x = new Float64Array(xb.buffer, xb.byteOffset, n * P);
  const cols = Array.from({ length: P }, (_, f) => x.subarray(f * n, (f + 1) * n));
  const yb = readFileSync(`${path}.y`);
  const yClass = new Int32Array(yb.buffer.slice(yb.byteOffset, yb.byteOffset + n * 4));
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const params = {
    learning_rate: 0.1, max_iter: 100, max_leaf_nodes: 31, max_depth: null, min_samples_leaf: 20, l2_regularization: 0,
    max_bins: 255, early_stopping: 'auto', validation_fraction: 0.1, n_iter_no_change: 10, tol: 1e-7,
  };
  (globalThis as { gc?: () => void }).gc?.();
  const before = statusKb('VmRSS');
  writeFileSync('/proc/self/clear_refs', '5');
  const seconds: number[] = [];
  const cpu: number[] = [];
  let fit;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    // As `mlv train` does: threads only for a fit that pays for them, started (cold) inside the timing.
    const threads = worthThreads(n, P, params.max_iter, JOBS) ? HistogramThreads.start(Math.min(JOBS, MAX_THREADS) - 1) : null;
    fit = await fitBoosting({ columns: cols, yClass, K: 2, seed: 0 }, rows, params, threads);
    await threads?.close();
    const used = process.cpuUsage(c);
    seconds.push((performance.now() - t) / 1000);
    cpu.push((used.user + used.system) / 1e6);
  }
  const peak = statusKb('VmHWM') - before;
  // The model as its typed arrays: per node feature, left, right (4 bytes), threshold, value (8), missing_left (1).
  let model = 0;
  for (const t of fit.state.trees) model += t.feature.length * 29;
  const trees = fit.state.trees.map((s: unknown, i: number) => treeFromState(s, P, `tree ${i}`));
  let right = 0;
  const row = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < P; f++) row[f] = cols[f][i];
    let raw = fit.state.baseline[0];
    for (const t of trees) raw += treeValue(t, row);
    if ((raw > 0 ? 1 : 0) === yClass[i]) right++;
  }
  const out: Timing = { seconds, cpu, n_iter: fit.state.n_iter, accuracy: right / n, peak_kb: peak, model_bytes: model, binned_bytes: n * P };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const min = (a: number[]) => Math.min(...a);
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const short = process.env.MLV_BENCH_SHORT === '1';
const env = (name: string, dflt: number, shortValue: number) => Number(process.env[name] ?? (short ? shortValue : dflt));

const NO_FIT: Timing = { seconds: [NaN], cpu: [NaN], n_iter: 0, accuracy: NaN, peak_kb: NaN };

function both(dir: string, n: number, reps: number, sklearn = true): { sk: Timing; ours: Timing } {
  const path = join(dir, `data${n}`);
  run(PY, ['-c', SKLEARN, 'make', path, String(n)]);
  const sk: Timing = sklearn ? JSON.parse(run(PY, ['-c', SKLEARN, 'time', path, String(n), String(reps)])) : NO_FIT;
  const ours: Timing = JSON.parse(run(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', path, String(n), String(reps)]));
  rmSync(`${path}.x`);
  return { sk, ours };
}

const f = (v: number) => v.toFixed(2);

function speed(dir: string, n: number, reps: number): void {
  console.log(`## gradient_boosting fit, ${n} × ${P}, binary, ${reps} repetitions per side\n`);
  console.log('| sklearn wall min / median s | mlv wall min / median s | ratio wall min / median | sklearn CPU min s | mlv CPU min s | ratio CPU | iter sklearn / mlv | train acc sklearn / mlv |');
  console.log('|---|---|---|---|---|---|---|---|');
  const { sk, ours } = both(dir, n, reps);
  console.log(`| ${f(min(sk.seconds))} / ${f(median(sk.seconds))} | ${f(min(ours.seconds))} / ${f(median(ours.seconds))} | ${f(min(ours.seconds) / min(sk.seconds))} / ${f(median(ours.seconds) / median(sk.seconds))} | ${f(min(sk.cpu))} | ${f(min(ours.cpu))} | ${f(min(ours.cpu) / min(sk.cpu))} | ${sk.n_iter} / ${ours.n_iter} | ${sk.accuracy.toFixed(4)} / ${ours.accuracy.toFixed(4)} |`);
  console.log(`\nload average: ${load()}\n`);
}

function memory(dir: string, n: number): void {
  console.log(`## peak memory a fit adds to the loaded data, ${n} × ${P}, one fit per side\n`);
  console.log('| sklearn MiB | mlv MiB | binned MiB | model MiB | mlv / (binned + model) (target <= 2) | sklearn wall s | mlv wall s | mlv CPU s | iter sklearn / mlv |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const m = both(dir, n, 1, process.env.MLV_BENCH_HGB_MEMORY_SKLEARN !== '0');
  const mib = (b: number) => b / 1048576;
  const budget = m.ours.binned_bytes! + m.ours.model_bytes!;
  console.log(`| ${f(m.sk.peak_kb / 1024)} | ${f(m.ours.peak_kb / 1024)} | ${f(mib(m.ours.binned_bytes!))} | ${f(mib(m.ours.model_bytes!))} | ${f((m.ours.peak_kb * 1024) / budget)} | ${f(m.sk.seconds[0])} | ${f(m.ours.seconds[0])} | ${f(m.ours.cpu[0])} | ${m.sk.n_iter} / ${m.ours.n_iter} |`);
  console.log(`\nload average after: ${load()}`);
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/src/ml/models/hgb/boost.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  const n = env('MLV_BENCH_HGB_ROWS', 100_000, 20_000);
  const reps = env('MLV_BENCH_HGB_REPS', 3, 1);
  const memRows = env('MLV_BENCH_HGB_MEMORY_ROWS', 1_000_000, 200_000);
  const dir = mkdtempSync(join(tmpdir(), 'mlv-bench-hgb-'));
  try {
    console.log(`load average before: ${load()} (${availableParallelism()} cores shared); mlv --jobs ${JOBS}\n`);
    if (n > 0) speed(dir, n, reps);
    if (memRows > 0) memory(dir, memRows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const c = process.argv.indexOf('--child');
if (c > 0) await child(process.argv[c + 1], Number(process.argv[c + 2]), Number(process.argv[c + 3]));
else await main();
