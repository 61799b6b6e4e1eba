/**
 * The run cache (docs/FORMAT.md, "Run cache"): `.mlv/cache/runs/<key>`, key = SHA-256
 * of a stage's command, dependency hashes and parameter values. An entry records what
 * that run produced; every object it names is in the cache, so a stage run before with
 * the same inputs is restored instead of run.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
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

/** A run-cache entry as gc sees it: `stage` is undefined when the entry is damaged. */
export interface RunEntry {
  key: string;
  stage?: LockStage;
  /** When it was written or last restored (the file's mtime). */
  mtimeMs: number;
}

/** Every entry of the run cache, most recent first (ties by key). */
export function listRuns(repo: Repo): RunEntry[] {
  const dir = runsDir(repo);
  if (!existsSync(dir)) return [];
  const out: RunEntry[] = [];
  for (const key of readdirSync(dir)) {
    if (!HEX64.test(key)) continue;
    let mtimeMs: number;
    try { mtimeMs = statSync(join(dir, key)).mtimeMs; } catch { continue; } // removed meanwhile
    out.push({ key, stage: readRun(repo, key), mtimeMs });
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.key < b.key ? -1 : 1));
}

/** A hit makes the entry recent again (gc's `--keep-runs` keeps the most recent). */
export function touchRun(repo: Repo, key: string): void {
  const now = new Date();
  try { utimesSync(join(runsDir(repo), key), now, now); } catch { /* a read-only cache: recency is only a hint */ }
}

export function removeRun(repo: Repo, key: string): void {
  rmSync(join(runsDir(repo), key), { force: true });
}

/** The ids an entry names: its outputs and metrics, and the files of its directory outputs (when their manifest is cached). */
export function runObjects(repo: Repo, stage: LockStage | undefined): Set<string> {
  const ids = new Set<string>();
  for (const o of stage ? [...stage.outs, ...stage.metrics] : []) {
    ids.add(o.hash);
    if (o.kind === 'dir' && repo.store.has(o.hash)) {
      try { for (const e of parseManifest(repo.store.readVerified(o.hash), o.path)) ids.add(e.hash); } catch { /* fsck reports it */ }
    }
  }
  return ids;
}

export interface RunPolicy {
  /** Output hashes (as mlv.lock writes them) that the kept versions record, `cache: false` ones included. */
  referenced: ReadonlySet<string>;
  /** Keep this many most recent entries whatever they hold. */
  keepRuns: number;
  /** Keep entries written at or after this time (runs still in progress), in ms. */
  since?: number;
}

/**
 * gc's run-cache policy: an entry is kept when every output and metric it recorded is
 * one a kept version's mlv.lock records (that version's run), when it is among the
 * `keepRuns` most recent, or when a run still in progress may have written it.
 */
export function runCachePolicy(repo: Repo, policy: RunPolicy): { kept: RunEntry[]; dropped: RunEntry[] } {
  const kept: RunEntry[] = [];
  const dropped: RunEntry[] = [];
  listRuns(repo).forEach((e, i) => {
    const outs = e.stage ? [...e.stage.outs, ...e.stage.metrics] : [];
    const recorded = outs.length > 0 && outs.every((o) => policy.referenced.has(o.hash));
    const recent = i < policy.keepRuns || (policy.since !== undefined && e.mtimeMs >= policy.since);
    (recorded || recent ? kept : dropped).push(e);
  });
  return { kept, dropped };
}
