/**
 * Pathological inputs of issue 11 (item 6), at full size, against a reference measured in
 * the same run: CPU time (user + sys) and peak RSS of the real CLI.
 *
 *   node --import tsx bench/limits.ts                      # full sizes (~400 MB of temp files)
 *   MLV_BENCH_SCALE=0.1 node --import tsx bench/limits.ts  # a tenth of each
 *
 * Cases and their references:
 * - explore of a CSV whose one cell is 100 MB, against node reading the same file into
 *   one string (what any reader must at least do);
 * - explore of a 10-million-column header and of a 50-million-field row (both refused),
 *   against explore of a 3-column, 10-row CSV (the fixed cost of starting mlv);
 * - the first `mlv status` (no parse cache) with a 6 MB params.yaml of which the stage
 *   uses one key, against the same with a params.yaml holding only that key.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCALE = Number(process.env.MLV_BENCH_SCALE ?? '1');
const BIN = resolve('bin/mlv.js');
const ROOT = mkdtempSync(join(tmpdir(), 'mlv-bench-limits-'));
const ENV = { ...process.env, MLV_NO_PROGRESS: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };

interface Run { code: number; cpu: number; rssMiB: number; stderr: string }

function timed(cmd: string, args: string[], cwd = ROOT): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { cwd, env: ENV, encoding: 'utf8', maxBuffer: 1 << 28 });
  const last = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { code: r.status ?? -1, rssMiB: last[0] / 1024, cpu: last[1] + last[2], stderr: r.stderr.trim().split('\n').slice(0, -1).join('\n') };
}

const mlv = (args: string[], cwd?: string) => timed(process.execPath, [BIN, ...args], cwd);

function write(name: string, head: string, unit: string, count: number, tail: string): string {
  const p = join(ROOT, name);
  const fd = openSync(p, 'w');
  const per = Math.max(1, Math.floor((4 << 20) / unit.length));
  const block = unit.repeat(per);
  writeSync(fd, head);
  let left = count;
  for (; left >= per; left -= per) writeSync(fd, block);
  if (left) writeSync(fd, unit.repeat(left));
  writeSync(fd, tail);
  closeSync(fd);
  return p;
}

function row(what: string, r: Run, ref: Run): void {
  const note = r.code === 0 ? 'ok' : `exit ${r.code}: ${r.stderr.slice(0, 90)}`;
  console.log(`${what.padEnd(50)} ${r.cpu.toFixed(2).padStart(6)} s CPU ${r.rssMiB.toFixed(0).padStart(5)} MiB   ref ${ref.cpu.toFixed(2).padStart(5)} s ${ref.rssMiB.toFixed(0).padStart(4)} MiB   ${(r.cpu / ref.cpu).toFixed(2)}x CPU  ${note}`);
}

try {
  console.log(`scale ${SCALE}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const cellMB = Math.round(100 * SCALE);
  const cell = write('cell.csv', 'text\n', 'a', cellMB * 1_000_000, '\n');
  row(`explore, one ${cellMB} MB cell`, mlv(['explore', cell, '--json']), timed(process.execPath, ['-e', `require('fs').readFileSync(${JSON.stringify(cell)}, 'utf8').length`]));
  rmSync(cell);

  const small = join(ROOT, 'small.csv');
  writeFileSync(small, 'a,b,c\n' + Array.from({ length: 10 }, (_, i) => `${i},${i * 2},x${i}`).join('\n') + '\n');
  const ref = mlv(['explore', small]);
  const cols = Math.round(10_000_000 * SCALE);
  const wide = join(ROOT, 'wide.csv');
  const fd = openSync(wide, 'w');
  for (let i = 0; i < cols; i += 100_000) writeSync(fd, (i ? ',' : '') + Array.from({ length: Math.min(100_000, cols - i) }, (_, k) => `c${i + k}`).join(','));
  writeSync(fd, '\n');
  closeSync(fd);
  row(`explore, a ${cols.toLocaleString('en-US')}-column header`, mlv(['explore', wide]), ref);
  rmSync(wide);
  const fields = Math.round(50_000_000 * SCALE);
  const long = write('long.csv', 'a,b,c\n1,2,3\n', '1,', fields - 1, '1\n');
  row(`explore, a ${fields.toLocaleString('en-US')}-field row`, mlv(['explore', long]), ref);
  rmSync(long);

  const repo = join(ROOT, 'repo');
  spawnSync('git', ['init', '-q', repo]);
  spawnSync(process.execPath, [BIN, 'init'], { cwd: repo, env: ENV });
  writeFileSync(join(repo, 'mlv.yaml'), 'stages:\n  s:\n    cmd: echo run > out.txt\n    params: [k77.a]\n    outs: [out.txt]\n');
  const entries = Math.round(100_000 * SCALE);
  const big = Array.from({ length: entries }, (_, i) => `k${i}:\n  a: ${i}\n  b: [1, 2, 3]\n  c: "text value ${i}"\n`).join('');
  writeFileSync(join(repo, 'params.yaml'), 'k77:\n  a: 77\n');
  const refStatus = mlv(['status'], repo);
  writeFileSync(join(repo, 'params.yaml'), big);
  rmSync(join(repo, '.mlv', 'tmp', 'parsed'), { recursive: true, force: true });
  row(`first status, ${(big.length / 1e6).toFixed(1)} MB params.yaml, one key used`, mlv(['status'], repo), refStatus);
  console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  rmSync(ROOT, { recursive: true, force: true });
}
