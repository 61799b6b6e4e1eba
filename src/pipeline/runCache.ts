/**
 * The run cache (docs/FORMAT.md, "Run cache"): `.mlv/cache/runs/<key>`, key = SHA-256
 * of a stage's command, dependency hashes and parameter values. An entry records what
 * that run produced; every object it names is in the cache, so a stage run before with
 * the same inputs is restored instead of run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Repo } from '../repo/Repo.js';
import { writeFileAtomic } from '../store/atomic.js';
import { hashBytes, HEX64 } from '../store/hash.js';
import { parseManifest } from '../store/manifest.js';
import type { LockedPath, LockStage } from './types.js';

const canon = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

export function runKey(cmd: string[], deps: LockedPath[], params: Record<string, Record<string, unknown>>): string {
  const d = [...deps].sort((a, b) => (a.path < b.path ? -1 : 1)).map((x) => [x.path, x.kind, x.hash]);
  return hashBytes(canon({ v: 1, cmd, deps: d, params }));
}

function runsDir(repo: Repo): string {
  return join(repo.store.root, 'runs');
}

export function readRun(repo: Repo, key: string): LockStage | undefined {
  const p = join(runsDir(repo), key);
  if (!existsSync(p)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(p, 'utf8')) as { format?: string; stage?: LockStage };
    return entry.format === 'mlv-run' && entry.stage ? entry.stage : undefined;
  } catch {
    return undefined; // a damaged entry is a miss, never an error
  }
}

export function writeRun(repo: Repo, key: string, stage: LockStage): void {
  writeFileAtomic(join(runsDir(repo), key), JSON.stringify({ format: 'mlv-run', version: 1, stage }) + '\n');
}

/** Whether every object an entry names is cached (a gc'd or half-pulled entry is a miss). */
export function runComplete(repo: Repo, stage: LockStage): boolean {
  for (const o of [...stage.outs, ...stage.metrics]) {
    if (!repo.store.has(o.hash)) return false;
    if (o.kind === 'dir') {
      try {
        if (!parseManifest(repo.store.readVerified(o.hash), o.path).every((e) => repo.store.has(e.hash))) return false;
      } catch { return false; }
    }
  }
  return true;
}

/** Objects kept alive by run-cache entries (gc roots). */
export function runCacheObjects(repo: Repo): Set<string> {
  const keep = new Set<string>();
  const dir = runsDir(repo);
  if (!existsSync(dir)) return keep;
  for (const name of readdirSync(dir)) {
    if (!HEX64.test(name)) continue;
    const stage = readRun(repo, name);
    if (!stage) continue;
    for (const o of [...stage.outs, ...stage.metrics]) {
      keep.add(o.hash);
      if (o.kind === 'dir' && repo.store.has(o.hash)) {
        try { for (const e of parseManifest(repo.store.readVerified(o.hash), o.path)) keep.add(e.hash); } catch { /* fsck reports it */ }
      }
    }
  }
  return keep;
}
