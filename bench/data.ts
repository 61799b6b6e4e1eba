/**
 * bench/data: CSV parsing and `mlv explore` on a generated file, against `wc -l` on the
 * same file (and papaparse's streaming parser) in the same run.
 *   node --import tsx bench/data.ts              (1 GiB CSV)
 *   MLV_BENCH_MB=200 node --import tsx bench/data.ts
 * Needs a build (npx tsc) for the `mlv explore` run. Target: explore's peak RSS < 1 GB
 * on the 1 GiB file.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { streamCsvRows } from '../src/ml/csv.js';
import { mulberry32 } from '../src/ml/rng.js';

const MB = Number(process.env.MLV_BENCH_MB ?? 1024);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'mlv.js');
const work = join(tmpdir(), `mlv-bench-data-${process.pid}`);


async function generate(path: string, bytes: number): Promise<number> {
  const r = mulberry32(42);
  const out = createWriteStream(path, { highWaterMark: 4 << 20 });
  const cats = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
  const notes = ['ok', 'late, retried', 'said "fine"', '', 'NA', 'multi\nline'];
  out.write('id,timestamp,station,temp,humidity,count,price,flag,note\n');
  let written = 0;
  let id = 0;
  const t0 = Date.UTC(2020, 0, 1);
  while (written < bytes) {
    let chunk = '';
    for (let k = 0; k < 20000; k++, id++) {
      const ts = new Date(t0 + id * 60000).toISOString().slice(0, 19);
      const temp = r() < 0.02 ? '' : (r() * 40 - 10).toFixed(2);
      const hum = Math.floor(20 + r() * 80);
      const count = Math.floor(r() * r() * 500);
      const price = (5 + r() * 95).toFixed(3);
      let note = notes[Math.floor(r() * notes.length)];
      if (/[",\n]/.test(note)) note = '"' + note.replace(/"/g, '""') + '"';
      chunk += `${id},${ts},${cats[Math.floor(r() * cats.length)]},${temp},${hum},${count},${price},${r() < 0.3},${note}\n`;
    }
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

/** Wall and CPU seconds (the machine is shared: CPU time is the steadier figure). */
function timed(cmd: string, args: string[]): { s: number; cpu: number; rssKb: number; stdout: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, MLV_NO_PROGRESS: '1' } });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  const [rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
  return { s, cpu: user + sys, rssKb: rss, stdout: r.stdout };
}

const cpuSince = (c: NodeJS.CpuUsage) => { const d = process.cpuUsage(c); return (d.user + d.system) / 1e6; };

async function bareParse(path: string): Promise<{ s: number; cpu: number; rows: number }> {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  let rows = 0;
  await streamCsvRows(path, () => { rows++; });
  return { s: Number(process.hrtime.bigint() - t) / 1e9, cpu: cpuSince(c), rows: rows - 1 };
}

async function papaParse(path: string): Promise<{ s: number; cpu: number; rows: number }> {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  let rows = 0;
  await new Promise<void>((done, fail) => {
    Papa.parse(createReadStream(path, { encoding: 'utf8', highWaterMark: 4 << 20 }) as unknown as File, {
      step: () => { rows++; },
      skipEmptyLines: true,
      complete: () => done(),
      error: (e: Error) => fail(e),
    });
  });
  return { s: Number(process.hrtime.bigint() - t) / 1e9, cpu: cpuSince(c), rows: rows - 1 };
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  const file = join(work, 'data.csv');
  try {
    process.stdout.write(`generating ${MB} MB CSV in ${work} ... `);
    const size = await generate(file, MB * 1024 * 1024);
    const mb = size / 1e6;
    console.log(`${(size / 1048576).toFixed(0)} MiB`);
    timed('wc', ['-l', file]); // warm the page cache
    const wc = timed('wc', ['-l', file]);
    const bare = await bareParse(file);
    const papa = await papaParse(file);
    const ex = timed(process.execPath, [BIN, 'explore', file, '--json']);
    const report = JSON.parse(ex.stdout) as { rows: number };
    if (report.rows !== bare.rows) throw new Error(`explore saw ${report.rows} rows, the parser ${bare.rows}`);
    const line = (what: string, r: { s: number; cpu: number }, extra = '') =>
      console.log(`${what.padEnd(26)} ${r.s.toFixed(2).padStart(7)} s wall ${(mb / r.s).toFixed(1).padStart(7)} MB/s  ` +
        `${r.cpu.toFixed(2).padStart(7)} s cpu ${(mb / r.cpu).toFixed(1).padStart(7)} MB/s  ${(r.s / wc.s).toFixed(0).padStart(4)}x wc -l  ${extra}`);
    console.log(`rows: ${bare.rows} (papaparse ${papa.rows}); load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
    line('wc -l', wc);
    line('mlv CSV tokenizer (bare)', bare);
    line('papaparse stream + step', papa);
    line('mlv explore --json', ex, `peak RSS ${(ex.rssKb / 1024).toFixed(0)} MiB (target < 1024 MiB at 1 GiB)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
