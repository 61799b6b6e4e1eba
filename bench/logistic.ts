/**
 * Logistic regression benchmark: mlv's `logistic` against scikit-learn's
 * make_pipeline(StandardScaler(), LogisticRegression()) (lbfgs), the reference, measured
 * in the same run on the same data (make_classification, 100k × 20, 2 and 3 classes).
 * Needs `npx tsc -p tsconfig.json` first: the timed fits use the built library in dist/.
 *
 *   node --import tsx bench/logistic.ts [--reps 5]
 *
 * Each side loads the CSV once, then fits `reps` times; prints min and median seconds
 * per side and their ratios mlv / sklearn (target: <= 2), iterations and training
 * accuracy, and the load average before and after (the machine is shared). Then 5-fold
 * accuracy on wine, breast cancer and digits, on the same stratified folds (target: within
 * 1 point of sklearn).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PY = '/usr/bin/python3';
const SK = join(ROOT, 'bench/logistic_sklearn.py');
const dist = (p: string) => pathToFileURL(join(ROOT, 'dist/src/ml', p)).href;

interface Timing { seconds: number[]; n_iter: number; accuracy: number }

async function child(csv: string, reps: number): Promise<void> {
  const { readCsv } = await import(dist('csv.js'));
  const { fitLogistic, probaLogistic } = await import(dist('models/logistic.js'));
  const frame = await readCsv(csv);
  const cols = frame.columns.filter((c: { name: string }) => c.name !== 'y').map((c: { values: Float64Array }) => c.values);
  const yv = frame.columns.find((c: { name: string }) => c.name === 'y').values as Float64Array;
  const yClass = Int32Array.from(yv);
  const K = Math.max(...yClass) + 1;
  const rows = Int32Array.from({ length: frame.nRows }, (_, i) => i);
  const data = { columns: cols, p: cols.length, labels: Array.from({ length: K }, (_, k) => k), yClass };
  const seconds: number[] = [];
  let fit;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fit = fitLogistic(data, rows, { C: 1, penalty: 'l2', fit_intercept: true, max_iter: 100, tol: 1e-4, class_weight: null });
    seconds.push((performance.now() - t) / 1000);
  }
  let right = 0;
  const x = new Float64Array(cols.length);
  for (let i = 0; i < frame.nRows; i++) {
    for (let f = 0; f < cols.length; f++) x[f] = cols[f][i];
    const pr = probaLogistic(fit.state, x);
    let b = 0;
    for (let k = 1; k < pr.length; k++) if (pr[k] > pr[b]) b = k;
    if (b === yClass[i]) right++;
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

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/src/ml/models/logistic.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  const i = process.argv.indexOf('--reps');
  const reps = i > 0 ? Number(process.argv[i + 1]) : 5;
  const dir = mkdtempSync(join(tmpdir(), 'mlv-bench-logistic-'));
  try {
    run(PY, [SK, 'make', dir]);
    console.log(`load average before: ${load()} (2 cores shared)\n`);
    console.log(`## logistic fit, 100k × 20, ${reps} repetitions per side (CSV parsing excluded)\n`);
    console.log('| data | sklearn min s | sklearn median s | mlv min s | mlv median s | ratio min | ratio median | sklearn iter | mlv iter | sklearn acc | mlv acc |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const name of ['bin100k', 'multi100k']) {
      const csv = join(dir, `${name}.csv`);
      const sk: Timing = JSON.parse(run(PY, [SK, 'time', csv, String(reps)]));
      const us: Timing = JSON.parse(run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', csv, String(reps)]));
      console.log(`| ${name} | ${min(sk.seconds).toFixed(3)} | ${median(sk.seconds).toFixed(3)} | ${min(us.seconds).toFixed(3)} | ${median(us.seconds).toFixed(3)} | **${(min(us.seconds) / min(sk.seconds)).toFixed(2)}** | ${(median(us.seconds) / median(sk.seconds)).toFixed(2)} | ${sk.n_iter} | ${us.n_iter} | ${sk.accuracy.toFixed(4)} | ${us.accuracy.toFixed(4)} |`);
    }
    console.log(`\nload average after: ${load()}`);

    console.log('\n## 5-fold accuracy, same stratified folds (seed 0)\n');
    console.log('| data | sklearn | mlv | difference (points) |');
    console.log('|---|---|---|---|');
    const { readCsv } = await import(dist('csv.js'));
    const { train } = await import(dist('train.js'));
    const { folds, parseValidation } = await import(dist('validation.js'));
    const { compareLabels } = await import(dist('metrics.js'));
    for (const [file, target] of [['wine', 'cultivar'], ['breast_cancer', 'diagnosis'], ['digits', 'digit']]) {
      const path = join(ROOT, 'fixtures/ml', `${file}.csv`);
      const frame = await readCsv(path);
      const r = await train(frame, { target, algorithm: 'logistic', validation: 'kfold:5', seed: 0 });
      const vals = Array.from(frame.columns.find((c: { name: string }) => c.name === target).values as ArrayLike<string | number>);
      const labels = [...new Set(vals)].sort(compareLabels);
      const fold = new Int32Array(frame.nRows);
      let k = 0;
      for (const f of folds(parseValidation('kfold:5'), frame.nRows, 0, Int32Array.from(vals, (v) => labels.indexOf(v)))) { for (const i of f.test) fold[i] = k; k++; }
      const fpath = join(dir, `${file}.folds`);
      writeFileSync(fpath, Array.from(fold).join('\n') + '\n');
      const sk = JSON.parse(run(PY, [SK, 'cv', path, target, fpath])).mean;
      const a = r.metrics.accuracy.mean;
      console.log(`| ${file} | ${(sk * 100).toFixed(2)}% | ${(a * 100).toFixed(2)}% | ${((a - sk) * 100).toFixed(2)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
else await main();
