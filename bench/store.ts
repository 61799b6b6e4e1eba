/**
 * bench/store: mlv's store against references measured in the same run.
 *   node --import tsx bench/store.ts          (1 GiB file, 20,000 small files)
 *   MLV_BENCH_MB=256 MLV_BENCH_FILES=5000 node --import tsx bench/store.ts
 * Prints seconds, throughput and ratios; targets from issue 2 are printed beside them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

mkdirSync(work, { recursive: true });
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
