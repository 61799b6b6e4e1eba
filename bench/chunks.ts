/**
 * bench/chunks: chunked big files (issue 15, docs/FORMAT.md "Chunked files"), each figure
 * against a reference measured in the same run, with the load average beside it.
 *   node --import tsx bench/chunks.ts                      (512 MiB, 200 MB CSV, 1 GiB)
 *   MLV_BENCH_MB=64 MLV_BENCH_CSV_MB=20 MLV_BENCH_BIG_MB=128 MLV_BENCH_RUNS=1 node --import tsx bench/chunks.ts
 * Parts: `add` and copy `checkout` of one file vs a bare Node SHA-256 pass and git lfs;
 * new bytes stored and pushed after edits (a)–(d) of a CSV vs git lfs and git-annex;
 * add/checkout/push/pull of a big file vs format 1 (mlv as it was before chunking, built
 * from git history into a temp dir). MLV_BENCH_ONLY=add,edits,format1 picks parts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, symlinkSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const MB = Number(process.env.MLV_BENCH_MB ?? 512);
const CSV_MB = Number(process.env.MLV_BENCH_CSV_MB ?? 200);
const BIG_MB = Number(process.env.MLV_BENCH_BIG_MB ?? 1024);
const RUNS = Number(process.env.MLV_BENCH_RUNS ?? 3);
const ONLY = new Set((process.env.MLV_BENCH_ONLY ?? 'add,edits,format1').split(','));
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'mlv.js');
const work = join(tmpdir(), `mlv-bench-chunks-${process.pid}`);
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', MLV_NO_PROGRESS: '1', MLV_TEST_CHUNKING: '' };

const load = () => loadavg()[0].toFixed(1);
const sh = (cwd: string, script: string) => execFileSync('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

/** One timed run of a shell script (after `prep`, untimed): seconds. */
function once(cwd: string, script: string, prep = ''): number {
  if (prep) sh(cwd, prep);
  const t = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return s;
}

interface Timing { min: number; median: number; loads: string[] }

/** Tools interleaved run by run, so load swings hit each alike; min and median of each. */
function compare(jobs: Record<string, { cwd: string; run: string; prep?: string }>): Record<string, Timing> {
  const times: Record<string, number[]> = {};
  const loads: Record<string, string[]> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [name, j] of Object.entries(jobs)) {
      (loads[name] ??= []).push(load());
      (times[name] ??= []).push(once(j.cwd, j.run, j.prep));
    }
  }
  const out: Record<string, Timing> = {};
  for (const [name, t] of Object.entries(times)) {
    const s = [...t].sort((a, b) => a - b);
    out[name] = { min: s[0], median: s[Math.floor(s.length / 2)], loads: loads[name] };
  }
  return out;
}

function row(what: string, t: Timing, ref: Timing, refName: string, target = ''): void {
  console.log(`${what.padEnd(44)} min ${t.min.toFixed(2)} s, median ${t.median.toFixed(2)} s | ${refName} min ${ref.min.toFixed(2)} s, median ${ref.median.toFixed(2)} s | ratio (min) ${(t.min / ref.min).toFixed(2)}x ${target} [load ${t.loads.join(' ')}]`);
}

function repo(name: string, mlvBin = BIN): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  sh(d, `git init -q -b main && git config user.name b && git config user.email b@b && ${process.execPath} ${mlvBin} init >/dev/null`);
  return d;
}

function randomFile(path: string, mb: number): void {
  const fd = openSync(path, 'w');
  const block = randomBytes(4 << 20);
  for (let i = 0; i < mb / 4; i++) writeSync(fd, block.map((b, j) => (b * 31 + i + j) & 0xff));
  closeSync(fd);
}

/** Bytes of every file under dir. */
function du(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).size;
  return n;
}

const SHA_PASS = `${process.execPath} -e "const h=require('crypto').createHash('sha256');require('fs').createReadStream(process.argv[1],{highWaterMark:4<<20}).on('data',c=>h.update(c)).on('end',()=>h.digest())"`;
/** The tightest bare pass: one reused 16 MiB buffer, read synchronously and hashed. */
const SHA_TIGHT = `${process.execPath} -e "const fs=require('fs'),h=require('crypto').createHash('sha256'),fd=fs.openSync(process.argv[1],'r'),b=Buffer.allocUnsafeSlow(16<<20);let n;while((n=fs.readSync(fd,b,0,b.length,null))>0)h.update(b.subarray(0,n));h.digest()"`;

mkdirSync(work, { recursive: true });
try {
  console.log(`bench/chunks: node ${process.version}, ${RUNS} run(s) each, load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

  if (ONLY.has('add')) {
    const src = join(work, 'big.bin');
    randomFile(src, MB);
    const m = repo('add');
    sh(m, `cp ${src} data.bin && sync && cat data.bin >/dev/null`);
    const lfsRepo = join(work, 'lfs');
    mkdirSync(lfsRepo);
    sh(lfsRepo, `git init -q -b main && git config user.name b && git config user.email b@b && git lfs install --local >/dev/null && git lfs track '*.bin' >/dev/null && git add .gitattributes && git commit -qm attrs && cp ${src} data.bin`);
    const t = compare({
      sha: { cwd: m, run: `${SHA_PASS} data.bin` },
      tight: { cwd: m, run: `${SHA_TIGHT} data.bin` },
      add: { cwd: m, run: `${process.execPath} ${BIN} add data.bin`, prep: 'rm -rf .mlv/cache .mlv/state data.bin.mlv' },
      addCommit: { cwd: m, run: `${process.execPath} ${BIN} add data.bin && git add -A && git commit -qm d`, prep: 'rm -rf .mlv/cache .mlv/state data.bin.mlv; git rm -q --cached -f data.bin.mlv .gitignore 2>/dev/null; git commit -qm rm >/dev/null 2>&1; true' },
      lfs: { cwd: lfsRepo, run: 'git add data.bin && git commit -qm d', prep: 'git rm -q --cached data.bin 2>/dev/null; git commit -qm rm >/dev/null 2>&1; rm -rf .git/lfs/objects; true' },
    });
    console.log(`== ${MB} MiB of random bytes`);
    row(`mlv add vs a bare Node SHA-256 pass (stream)`, t.add, t.sha, 'sha pass', `(speed ${(t.sha.min / t.add.min).toFixed(2)}x of the pass; target ≥ 0.8x)`);
    row(`mlv add vs a tight SHA-256 pass (one buffer)`, t.add, t.tight, 'tight pass', `(speed ${(t.tight.min / t.add.min).toFixed(2)}x of the pass)`);
    row(`mlv add + commit vs git lfs add + commit`, t.addCommit, t.lfs, 'git lfs', `(${(t.lfs.min / t.addCommit.min).toFixed(1)}x faster; target ≥ 5x)`);
    sh(m, `rm -rf .mlv/cache .mlv/state; ${process.execPath} ${BIN} add data.bin >/dev/null`);
    const c = compare({
      sha: { cwd: m, run: `${SHA_PASS} data.bin` },
      tight: { cwd: m, run: `${SHA_TIGHT} data.bin` },
      checkout: { cwd: m, run: `${process.execPath} ${BIN} checkout`, prep: 'rm -f data.bin' },
    });
    row(`mlv checkout (assembled, verified) vs SHA pass`, c.checkout, c.sha, 'sha pass', '(target ≤ 1.5x)');
    row(`mlv checkout vs a tight SHA-256 pass`, c.checkout, c.tight, 'tight pass');
    rmSync(src);
  }

  if (ONLY.has('edits')) {
    // A CSV of about CSV_MB: id, a date, a category, numbers.
    const csvPath = join(work, 'base.csv');
    const fd = openSync(csvPath, 'w');
    writeSync(fd, 'id,date,category,amount,score,comment\n');
    let rows = 0;
    let a = 12345;
    let buf = '';
    for (let bytes = 0; bytes < CSV_MB * 1e6;) {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      const line = `${rows},2024-${String(1 + (a % 12)).padStart(2, '0')}-${String(1 + (a % 28)).padStart(2, '0')},cat${a % 50},${(a % 100000) / 100},${(a >>> 8) % 1000},note ${a.toString(36)}\n`;
      buf += line;
      bytes += line.length;
      rows++;
      if (buf.length > 1 << 20) { writeSync(fd, buf); buf = ''; }
    }
    writeSync(fd, buf);
    closeSync(fd);
    const size = statSync(csvPath).size;
    // The edits, as awk/shell over the base file.
    const edits: Record<string, string> = {
      '(a) 1% of rows edited in the middle': `awk -F, -v OFS=, 'NR>${Math.floor(rows * 0.495)} && NR<=${Math.floor(rows * 0.505)} {$4=$4+1} {print}' base.csv > v2.csv`,
      '(b) one row inserted at the top': `{ head -1 base.csv; echo '-1,2024-01-01,new,0,0,inserted'; tail -n +2 base.csv; } > v2.csv`,
      '(c) 1% of rows appended': `{ cat base.csv; tail -n ${Math.floor(rows * 0.01)} base.csv; } > v2.csv`,
      '(d) columns reordered': `awk -F, -v OFS=, '{print $6,$5,$4,$3,$2,$1}' base.csv > v2.csv`,
    };
    console.log(`\n== edits of a ${(size / 1e6).toFixed(0)} MB CSV (${rows} rows): new bytes stored and pushed by the second version [load ${load()}]`);
    for (const [what, script] of Object.entries(edits)) {
      sh(work, `cd ${work} && ${script}`);
      const v2 = statSync(join(work, 'v2.csv')).size;
      // mlv: add v1, push, add v2, push; stored = new cache bytes, pushed = the push's bytes.
      const m = repo('e-mlv');
      const remote = join(work, 'e-remote');
      sh(m, `${process.execPath} ${BIN} remote add o ${remote} --default >/dev/null && cp ../base.csv d.csv && ${process.execPath} ${BIN} add d.csv >/dev/null && ${process.execPath} ${BIN} push >/dev/null`);
      const c1 = du(join(m, '.mlv/cache/objects'));
      sh(m, `cp ../v2.csv d.csv && ${process.execPath} ${BIN} add d.csv >/dev/null`);
      const stored = du(join(m, '.mlv/cache/objects')) - c1;
      const pushed = JSON.parse(sh(m, `${process.execPath} ${BIN} push --json`)).bytes as number;
      // git lfs: its object store grows by the whole new file; a push sends that object.
      const l = join(work, 'e-lfs');
      mkdirSync(l);
      sh(l, `git init -q -b main && git config user.name b && git config user.email b@b && git lfs install --local >/dev/null && git lfs track '*.csv' >/dev/null && cp ../base.csv d.csv && git add -A && git commit -qm v1`);
      const l1 = du(join(l, '.git/lfs/objects'));
      sh(l, 'cp ../v2.csv d.csv && git add -A && git commit -qm v2');
      const lfsStored = du(join(l, '.git/lfs/objects')) - l1;
      // git-annex: its object store, and a copy to a directory special remote.
      const g = join(work, 'e-annex');
      const gr = join(work, 'e-annex-remote');
      mkdirSync(g);
      mkdirSync(gr);
      sh(g, `git init -q -b main && git config user.name b && git config user.email b@b && git annex init -q b >/dev/null 2>&1 && git annex initremote -q d type=directory directory=${gr} encryption=none >/dev/null 2>&1 && cp ../base.csv d.csv && git annex add -q d.csv >/dev/null 2>&1 && git commit -qm v1 && git annex copy -q --to d d.csv >/dev/null 2>&1`);
      const g1 = du(join(g, '.git/annex/objects'));
      const r1 = du(gr);
      sh(g, `git annex unlock d.csv >/dev/null 2>&1; rm -f d.csv; cp ../v2.csv d.csv && git annex add -q d.csv >/dev/null 2>&1 && git commit -qm v2 && git annex copy -q --to d d.csv >/dev/null 2>&1`);
      const annexStored = du(join(g, '.git/annex/objects')) - g1;
      const annexPushed = du(gr) - r1;
      const pct = (n: number) => `${((100 * n) / v2).toFixed(2)}%`.padStart(7);
      console.log(`${what.padEnd(38)} mlv stored ${pct(stored)} pushed ${pct(pushed)} | git lfs stored ${pct(lfsStored)} pushed ${pct(lfsStored)} | git-annex stored ${pct(annexStored)} pushed ${pct(annexPushed)} (of ${(v2 / 1e6).toFixed(1)} MB; target (a)–(c) ≤ 5%) [load ${load()}]`);
      for (const d of [m, remote, l, g, gr]) { sh(work, `chmod -R u+w ${d} 2>/dev/null; true`); rmSync(d, { recursive: true, force: true }); }
    }
  }

  if (ONLY.has('format1')) {
    // mlv as it was before chunking: the commit before docs/FORMAT.md described it.
    const before = sh(ROOT, `git log --format=%H -1 --grep='FORMAT.md: chunked files'`).trim();
    const old = join(work, 'format1');
    mkdirSync(old);
    sh(old, `git -C ${ROOT} archive ${before}^ | tar -x -C ${old}`);
    symlinkSync(join(ROOT, 'node_modules'), join(old, 'node_modules'));
    sh(old, 'npx tsc -p tsconfig.json');
    const OLD = join(old, 'bin', 'mlv.js');
    const src = join(work, 'big1.bin');
    randomFile(src, BIG_MB);
    const side: Record<string, { repo: string; remote: string; clone: string }> = {};
    for (const [name, bin] of [['format2', BIN], ['format1', OLD]] as const) {
      const r = repo(`f-${name}`, bin);
      const remote = join(work, `f-${name}-remote`);
      sh(r, `${process.execPath} ${bin} remote add o ${remote} --default >/dev/null && cp ${src} d.bin && git add .mlv/config && git commit -qm remote`);
      side[name] = { repo: r, remote, clone: join(work, `f-${name}-clone`) };
    }
    const step = (what: string, run: (bin: string, s: { repo: string; remote: string; clone: string }) => { cwd: string; run: string; prep?: string }) => {
      const t = compare({
        format2: run(BIN, side.format2),
        format1: run(OLD, side.format1),
      });
      row(`${BIG_MB} MiB ${what}, format 2 vs format 1`, t.format2, t.format1, 'format 1');
    };
    console.log(`\n== ${BIG_MB} MiB file: chunked (format 2) against format 1`);
    step('add', (bin, s) => ({ cwd: s.repo, run: `${process.execPath} ${bin} add d.bin`, prep: 'rm -rf .mlv/cache .mlv/state d.bin.mlv' }));
    for (const s of Object.values(side)) sh(s.repo, 'git add -A && git commit -qm d');
    step('checkout (copy)', (bin, s) => ({ cwd: s.repo, run: `${process.execPath} ${bin} checkout`, prep: 'rm -f d.bin' }));
    step('push', (bin, s) => ({ cwd: s.repo, run: `${process.execPath} ${bin} push`, prep: `rm -rf ${s.remote}` }));
    step('pull (clone)', (bin, s) => ({ cwd: work, run: `cd ${s.clone} && ${process.execPath} ${bin} pull`, prep: `rm -rf ${s.clone} && git clone -q ${s.repo} ${s.clone}` }));
    rmSync(src);
  }
} finally {
  sh(work, `chmod -R u+w ${work} 2>/dev/null; true`);
  rmSync(work, { recursive: true, force: true });
}

