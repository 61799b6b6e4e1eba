/**
 * bench/store: mlv's store against references measured in the same run.
 *   node --import tsx bench/store.ts          (1 GiB file, 20,000 small files)
 *   MLV_BENCH_MB=256 MLV_BENCH_FILES=5000 node --import tsx bench/store.ts
 *   MLV_BENCH_SCALE=20000,100000,200000 node --import tsx bench/store.ts   (status at scale only)
 * Prints seconds, throughput and ratios; targets from issue 2 are printed beside them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const MB = Number(process.env.MLV_BENCH_MB ?? 1024);
const FILES = Number(process.env.MLV_BENCH_FILES ?? 20000);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'mlv.js');
const work = join(tmpdir(), `mlv-bench-store-${process.pid}`);
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', MLV_NO_PROGRESS: '1' };

function time(label: string, cmd: string, args: string[], cwd: string, runs = 1): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], shell: false });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`${label}: ${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    best = Math.min(best, s);
  }
  return best;
}
const sh = (cwd: string, script: string) => execFileSync('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
const mlv = (args: string[]) => [process.execPath, [BIN, ...args]] as const;
function repo(name: string): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  sh(d, 'git init -q -b main && git config user.name b && git config user.email b@b');
  return d;
}
const row = (what: string, s: number, ref: number, refName: string, target = '') =>
  console.log(`${what.padEnd(46)} ${s.toFixed(3).padStart(8)} s   ${refName} ${ref.toFixed(3)} s   ratio ${(s / ref).toFixed(2)}x ${target}`);

/** Wall and CPU (user + sys, children included) of one run, through /usr/bin/time. */
function timed(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): { wall: number; cpu: number } {
  const out = join(work, 'time.out');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', out, cmd, ...args], { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const [wall, user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: user + sys };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `min ${Math.min(...xs).toFixed(3)} med ${median(xs).toFixed(3)}`;

/** Runs of several commands interleaved (a, b, a, b, …): the load changes for all alike. */
function interleaved(runs: number, cmds: Record<string, () => { wall: number; cpu: number }>): Record<string, { wall: number[]; cpu: number[] }> {
  const out: Record<string, { wall: number[]; cpu: number[] }> = {};
  for (const k of Object.keys(cmds)) out[k] = { wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) for (const [k, f] of Object.entries(cmds)) { const t = f(); out[k].wall.push(t.wall); out[k].cpu.push(t.cpu); }
  return out;
}
function ratios(label: string, r: Record<string, { wall: number[]; cpu: number[] }>, ours: string, ref: string, target = ''): void {
  for (const k of [ours, ref]) console.log(`  ${(label + ' ' + k).padEnd(44)} wall ${fmt(r[k].wall)} s   cpu ${fmt(r[k].cpu)} s`);
  const w = Math.min(...r[ours].wall) / Math.min(...r[ref].wall);
  const c = Math.min(...r[ours].cpu) / Math.min(...r[ref].cpu);
  console.log(`  ${label.padEnd(44)} ratio (min/min): wall ${w.toFixed(2)}x, cpu ${c.toFixed(2)}x ${target}`);
}

function makeSmallFiles(d: string, n: number): void {
  mkdirSync(join(d, 'ds'));
  for (let i = 0; i < n; i++) {
    const sub = join(d, 'ds', String(i % 100));
    if (i < 100) mkdirSync(sub);
    writeFileSync(join(sub, `f${i}.txt`), `row ${i} ${'x'.repeat(i % 200)}\n`);
  }
}

/** No-op status, status after 10 edits, and add, at each size, against git over the same files. */
function statusAtScale(sizes: number[], runs: number): void {
  console.log(`bench/store status at scale: ${sizes.join(', ')} files, ${runs} runs interleaved, node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const mlvCmd = (cwd: string, args: string[], e: Record<string, string> = {}) => () => timed(process.execPath, [BIN, ...args], cwd, e);
  const gitCmd = (cwd: string, args: string[]) => () => timed('git', args, cwd);
  for (const n of sizes) {
    const rm = repo(`scale-mlv-${n}`);
    const rg = repo(`scale-git-${n}`);
    makeSmallFiles(rm, n);
    sh(work, `cp -r ${rm}/ds ${rg}/ds && sync`);
    execFileSync(...mlv(['init']), { cwd: rm, env, stdio: 'ignore' });
    const add = interleaved(1, { 'mlv add': mlvCmd(rm, ['add', 'ds']), 'git add': gitCmd(rg, ['add', 'ds']) });
    console.log(`${n} files (load ${loadavg()[0].toFixed(1)})`);
    ratios('add', add, 'mlv add', 'git add', '(target ≤ 1.0x)');
    sh(rm, 'git add -A && git commit -qm ds');
    sh(rg, 'git commit -qm ds');
    // Warm both (the first mlv status after add records the cache fingerprint).
    mlvCmd(rm, ['status'])(); gitCmd(rg, ['status', '--porcelain'])();
    const noop = interleaved(runs, {
      'mlv status': mlvCmd(rm, ['status']),
      'mlv status (1 thread)': mlvCmd(rm, ['status'], { MLV_STAT_THREADS: '1' }),
      // The default takes a second thread only for an idle core by the load average: this row shows what one gives.
      'mlv status (2 threads)': mlvCmd(rm, ['status'], { MLV_STAT_THREADS: '2' }),
      'git status': gitCmd(rg, ['status', '--porcelain']),
    });
    ratios('no-op status', noop, 'mlv status', 'git status', '(target ≤ 2x)');
    ratios('no-op status', noop, 'mlv status (1 thread)', 'git status');
    ratios('no-op status', noop, 'mlv status (2 threads)', 'git status');
    for (let i = 0; i < 10; i++) {
      const j = (i * 997 + 13) % n;
      const rel = `ds/${j % 100}/f${j}.txt`;
      for (const d of [rm, rg]) writeFileSync(join(d, rel), `edited ${i}\n`);
    }
    const edited = interleaved(runs, { 'mlv status': mlvCmd(rm, ['status']), 'git status': gitCmd(rg, ['status', '--porcelain']) });
    ratios('status after 10 edits', edited, 'mlv status', 'git status', '(target ≤ 3x)');
    console.log(`  load after ${n}: ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    rmSync(rm, { recursive: true, force: true });
    rmSync(rg, { recursive: true, force: true });
  }
  const startup = interleaved(Math.max(runs, 5), {
    'mlv --version': () => timed(process.execPath, [BIN, '--version'], work),
    'node -e 0': () => timed(process.execPath, ['-e', '0'], work),
  });
  ratios('start-up', startup, 'mlv --version', 'node -e 0');
}

mkdirSync(work, { recursive: true });
const SCALE = process.env.MLV_BENCH_SCALE;
if (SCALE) {
  try { statusAtScale(SCALE.split(',').map(Number), Number(process.env.MLV_BENCH_RUNS ?? 3)); } finally { rmSync(work, { recursive: true, force: true }); }
  process.exit(0);
}
try {
  console.log(`bench/store: ${MB} MiB file, ${FILES} small files, node ${process.version}\n`);
  // One big file of random bytes, written once, then warmed into the page cache.
  const big = join(work, 'big.bin');
  const fd = openSync(big, 'w');
  const chunk = randomBytes(4 * 1024 * 1024);
  for (let i = 0; i < MB / 4; i++) writeSync(fd, chunk.map((b, j) => (b + i + j) & 0xff));
  closeSync(fd);
  const bytes = MB * 1024 * 1024;
  time('warm', 'cat', [big], work);
  const cat = time('cat', 'bash', ['-c', `cat ${big} >/dev/null`], work, 3);
  const sha = time('sha256sum', 'sha256sum', [big], work, 1);

  const r1 = repo('add-big');
  execFileSync(...mlv(['init']), { cwd: r1, env, stdio: 'ignore' });
  // sync first: pending write-back of the files just made would otherwise throttle the
  // cache's writes to disk speed (~220 MB/s here) and measure the disk, not mlv.
  sh(r1, `cp ${big} data.bin && sync && cat data.bin >/dev/null`);
  const add = time('mlv add', ...mlv(['add', 'data.bin']), r1);
  const gbs = bytes / add / 1e9;
  console.log(`mlv add ${MB} MiB: ${add.toFixed(3)} s = ${gbs.toFixed(2)} GB/s (target ≥ 1 GB/s)`);
  row('mlv add vs cat >/dev/null', add, cat, 'cat', '(target ≤ 3x)');
  row('mlv add vs sha256sum', add, sha, 'sha256sum');

  // Checkout of the big file: copy against hardlink (reflink is not supported on ext4).
  const co: Record<string, number> = {};
  for (const link of ['copy', 'hardlink']) {
    writeFileSync(join(r1, '.mlv/config.local'), `link: [${link}]\n`);
    rmSync(join(r1, 'data.bin'));
    sh(r1, 'sync');
    co[link] = time(`checkout ${link}`, ...mlv(['checkout']), r1);
  }
  row('mlv checkout, hardlink vs copy', co.hardlink, co.copy, 'copy');

  // Add + commit against git lfs.
  const lfsOk = spawnSync('git', ['lfs', 'version']).status === 0;
  const r2 = repo('lfs');
  if (lfsOk) {
    sh(r2, `git lfs install --local >/dev/null && git lfs track '*.bin' >/dev/null && git add .gitattributes && git commit -qm attrs && cp ${big} data.bin && cat data.bin >/dev/null`);
    const lfs = time('git lfs add+commit', 'bash', ['-c', 'git add data.bin && git commit -qm data'], r2);
    const r3 = repo('mlv-commit');
    execFileSync(...mlv(['init']), { cwd: r3, env, stdio: 'ignore' });
    sh(r3, `cp ${big} data.bin && cat data.bin >/dev/null`);
    const ours = time('mlv add+commit', 'bash', ['-c', `${process.execPath} ${BIN} add data.bin && git add -A && git commit -qm data`], r3);
    row('mlv add + git commit vs git lfs add + commit', ours, lfs, 'git-lfs');
  } else console.log('git lfs: not installed (apt-get install git-lfs) — skipped');
  rmSync(big);

  // Many small files.
  const r4 = repo('small-mlv');
  const r5 = repo('small-git');
  for (const d of [r4, r5]) {
    mkdirSync(join(d, 'ds'));
    for (let i = 0; i < FILES; i++) {
      const sub = join(d, 'ds', String(i % 100));
      if (i < 100) mkdirSync(sub);
      writeFileSync(join(sub, `f${i}.txt`), `row ${i} ${'x'.repeat(i % 200)}\n`);
    }
  }
  execFileSync(...mlv(['init']), { cwd: r4, env, stdio: 'ignore' });
  sh(work, 'sync');
  const addSmall = time('mlv add small', ...mlv(['add', 'ds']), r4);
  sh(work, 'sync');
  const gitAdd = time('git add small', 'git', ['add', 'ds'], r5);
  row(`mlv add of ${FILES} files vs git add`, addSmall, gitAdd, 'git add');
  sh(r4, 'git add -A && git commit -qm ds');
  sh(r5, 'git commit -qm ds');
  const st = time('mlv status', ...mlv(['status']), r4, 5);
  const gst = time('git status', 'git', ['status', '--porcelain'], r5, 5);
  row(`mlv status of ${FILES} unchanged files vs git status`, st, gst, 'git status', '(target ≤ 2x)');
  const node = time('node startup', process.execPath, ['-e', '0'], work, 5);
  console.log(`(node's own start-up here: ${node.toFixed(3)} s)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
