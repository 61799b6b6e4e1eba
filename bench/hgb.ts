/**
 * Gradient boosting benchmark: mlv's `gradient_boosting` against scikit-learn's
 * HistGradientBoostingClassifier() (defaults), the reference, measured in the same run on
 * the same data (make_classification, 100k × 20, binary; early stopping "auto" is on for
 * both at this size). Needs `npx tsc -p tsconfig.json` first (the timed fits use dist/).
 *
 *   node --import tsx bench/hgb.ts [--reps 3] [--rows 100000]
 *
 * Each side loads the data once, then fits `reps` times; prints min and median seconds
 * per side, their ratios mlv / sklearn (target: <= 1), iterations, training accuracy and
 * the load average before and after (the machine is shared).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PY = '/usr/bin/python3';
const dist = (p: string) => pathToFileURL(join(ROOT, 'dist/src/ml', p)).href;

const SKLEARN = `
import sys, json, time, numpy as np
from sklearn.datasets import make_classification
mode, path = sys.argv[1], sys.argv[2]
if mode == 'make':
    X, y = make_classification(n_samples=int(sys.argv[3]), n_features=20, n_informative=10, random_state=0)
    np.savetxt(path, np.column_stack([X, y]), delimiter=',', header=','.join([f'x{i}' for i in range(20)] + ['y']), comments='', fmt='%.17g')
else:
    from sklearn.ensemble import HistGradientBoostingClassifier
    d = np.loadtxt(path, delimiter=',', skiprows=1); X, y = d[:, :-1], d[:, -1].astype(int)
    secs = []
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter(); m = HistGradientBoostingClassifier(random_state=0).fit(X, y); secs.append(time.perf_counter() - t)
    print(json.dumps({'seconds': secs, 'n_iter': int(m.n_iter_), 'accuracy': float(m.score(X, y))}))
`;

interface Timing { seconds: number[]; n_iter: number; accuracy: number }

async function child(csv: string, reps: number): Promise<void> {
  const { readCsv } = await import(dist('csv.js'));
  const { fitBoosting } = await import(dist('models/hgb/boost.js'));
  const { treeFromState, treeValue } = await import(dist('models/hgb/predictor.js'));
  const frame = await readCsv(csv);
  const cols: Float64Array[] = frame.columns.filter((c: { name: string }) => c.name !== 'y').map((c: { values: Float64Array }) => c.values);
  const yClass = Int32Array.from(frame.columns.find((c: { name: string }) => c.name === 'y').values as Float64Array);
  const rows = Int32Array.from({ length: frame.nRows }, (_, i) => i);
  const params = {
    learning_rate: 0.1, max_iter: 100, max_leaf_nodes: 31, max_depth: null, min_samples_leaf: 20, l2_regularization: 0,
    max_bins: 255, early_stopping: 'auto', validation_fraction: 0.1, n_iter_no_change: 10, tol: 1e-7,
  };
  const seconds: number[] = [];
  let fit;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fit = fitBoosting({ columns: cols, yClass, K: 2, seed: 0 }, rows, params);
    seconds.push((performance.now() - t) / 1000);
  }
  const trees = fit.state.trees.map((s: unknown, i: number) => treeFromState(s, cols.length, `tree ${i}`));
  let right = 0;
  const x = new Float64Array(cols.length);
  for (let i = 0; i < frame.nRows; i++) {
    for (let f = 0; f < cols.length; f++) x[f] = cols[f][i];
    let raw = fit.state.baseline[0];
    for (const t of trees) raw += treeValue(t, x);
    if ((raw > 0 ? 1 : 0) === yClass[i]) right++;
  }
  process.stdout.write(JSON.stringify({ seconds, n_iter: fit.state.n_iter, accuracy: right / frame.nRows }) + '\n');
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const min = (a: number[]) => Math.min(...a);
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/src/ml/models/hgb/boost.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  const reps = arg('--reps', 3);
  const n = arg('--rows', 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'mlv-bench-hgb-'));
  try {
    const csv = join(dir, 'data.csv');
    run(PY, ['-c', SKLEARN, 'make', csv, String(n)]);
    console.log(`load average before: ${load()} (2 cores shared)\n`);
    console.log(`## gradient_boosting fit, ${n} × 20, binary, ${reps} repetitions per side (CSV parsing excluded)\n`);
    console.log('| sklearn min s | sklearn median s | mlv min s | mlv median s | ratio min | ratio median | sklearn iter | mlv iter | sklearn acc | mlv acc |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    const sk: Timing = JSON.parse(run(PY, ['-c', SKLEARN, 'time', csv, String(reps)]));
    const ours: Timing = JSON.parse(run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', csv, String(reps)]));
    const f = (v: number) => v.toFixed(2);
    console.log(`| ${f(min(sk.seconds))} | ${f(median(sk.seconds))} | ${f(min(ours.seconds))} | ${f(median(ours.seconds))} | ${f(min(ours.seconds) / min(sk.seconds))} | ${f(median(ours.seconds) / median(sk.seconds))} | ${sk.n_iter} | ${ours.n_iter} | ${sk.accuracy.toFixed(4)} | ${ours.accuracy.toFixed(4)} |`);
    console.log(`\nload average after: ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const c = process.argv.indexOf('--child');
if (c > 0) await child(process.argv[c + 1], Number(process.argv[c + 2]));
else await main();
