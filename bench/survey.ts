/**
 * What a push costs before it sends anything, on a local remote holding many objects:
 * the listing with sizes (`LocalRemote.listSizes`) that lets a push redo an object of
 * the wrong size. Reference, measured in the same run: the plain listing (one readdir
 * per 2-hex prefix, no stat), the least any listing can cost.
 *
 *   node --import tsx bench/survey.ts                          # 20,000 objects on the remote
 *   MLV_BENCH_OBJECTS=2000 node --import tsx bench/survey.ts   # short
 *   MLV_BENCH_WANTED=1000                                      # objects the push sends (default 1,000)
 *
 * Prints wall and CPU ms per call (best of MLV_BENCH_REPEATS, default 5) and the load average.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { LocalRemote } from '../src/remote/local.js';

const N = Number(process.env.MLV_BENCH_OBJECTS ?? 20_000);
const WANTED = Math.min(N, Number(process.env.MLV_BENCH_WANTED ?? 1_000));
const REPEATS = Number(process.env.MLV_BENCH_REPEATS ?? 5);
const root = mkdtempSync(join(tmpdir(), 'mlv-bench-survey-'));

async function best(label: string, fn: () => Promise<unknown>): Promise<number> {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  console.log(`${label.padEnd(44)} ${wall.toFixed(1).padStart(8)} ms wall ${cpu.toFixed(1).padStart(8)} ms CPU`);
  return wall;
}

try {
  const hashes: string[] = [];
  for (let i = 0; i < N; i++) {
    const body = `object ${i}\n`;
    const h = createHash('sha256').update(body).digest('hex');
    hashes.push(h);
    mkdirSync(join(root, 'sha256', h.slice(0, 2)), { recursive: true });
    writeFileSync(join(root, 'sha256', h.slice(0, 2), h.slice(2)), body);
  }
  const remote = new LocalRemote('bench', root, root);
  const wanted = new Set(hashes.slice(0, WANTED));
  console.log(`local remote of ${N} objects; a push of ${WANTED} of them; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const ref = await best('reference: list() (readdir only)', () => remote.list());
  const all = await best('listSizes() (a size for every object)', () => remote.listSizes());
  const ask = remote.listSizes as (need?: (h: string) => boolean) => Promise<Map<string, number>>;
  const some = await best(`listSizes(need) (sizes of the ${WANTED} pushed)`, () => ask.call(remote, (h) => wanted.has(h)));
  console.log(`ratios to the reference: all sizes ${(all / ref).toFixed(2)}x, only the pushed ${(some / ref).toFixed(2)}x; only-pushed vs all ${(all / some).toFixed(2)}x faster`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
