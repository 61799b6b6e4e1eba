/**
 * Carrying out an import plan: DVC objects verified and stored as mlv objects first,
 * then the files that point to them (pointers, mlv.lock, mlv.yaml, remotes), so an
 * interrupted import leaves at most unreferenced objects behind.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipeline } from '../pipeline/load.js';
import { fingerprint } from '../pipeline/env.js';
import { readMetricFile } from '../pipeline/metrics.js';
import { paramValues } from '../pipeline/params.js';
import type { StageDef } from '../pipeline/types.js';
import { updateConfigFile } from '../repo/config.js';
import { ignoreInGit } from '../repo/gitignore.js';
import { renderLock, type Lock, type LockedMetric, type LockedOut, type LockedPath, type LockStage } from '../repo/lockfile.js';
import { renderPointer } from '../repo/pointer.js';
import type { Repo } from '../repo/Repo.js';
import { hashPath } from '../repo/workspace.js';
import { writeFileAtomic } from '../store/atomic.js';
import { serializeManifest, type ManifestEntry } from '../store/manifest.js';
import { DvcCache, md5OfFile } from './cache.js';
import type { DvcEntry } from './files.js';
import type { ImportPlan } from './plan.js';

export interface ImportResult {
  pointers: string[];
  /** Stages recorded in mlv.lock. */
  recorded: string[];
  /** Stages left out of mlv.lock, with why: mlv repro runs them, as DVC would. */
  stale: Array<{ stage: string; reason: string }>;
  remotes: string[];
  objects: number;
}

type Resolved = { kind: 'file' | 'dir'; hash: string; size: number; files: number };

export async function applyImport(repo: Repo, plan: ImportPlan, runtime: { node: string; platform: string; arch: string }): Promise<ImportResult> {
  const cache = new DvcCache(plan.cacheDir);
  const memo = new Map<string, Resolved>();
  let objects = 0;

  /** A DVC object (file or .dir) as mlv data, every object verified by md5 and stored. */
  const fromCache = async (path: string, md5: string, legacy: boolean): Promise<Resolved> => {
    const known = memo.get(`${path}\0${md5}`);
    if (known) return known;
    let r: Resolved;
    if (!md5.endsWith('.dir')) {
      const o = await cache.importFile(md5, repo.store, legacy);
      objects++;
      r = { kind: 'file', hash: o.hash, size: o.size, files: 1 };
    } else {
      const entries: ManifestEntry[] = [];
      for (const e of cache.readDir(md5)) {
        const o = await cache.importFile(e.md5, repo.store, legacy);
        objects++;
        // The work tree's exec bit, where the file is there: mlv's manifest records it.
        const abs = join(repo.root, path, e.relpath);
        const exec = existsSync(abs) ? (statSync(abs).mode & 0o111) !== 0 : e.isexec === true;
        entries.push({ path: e.relpath, hash: o.hash, size: o.size, exec });
      }
      const m = repo.store.addBytes(serializeManifest(entries));
      r = { kind: 'dir', hash: m.hash, size: entries.reduce((s, e) => s + e.size, 0), files: entries.length };
    }
    memo.set(`${path}\0${md5}`, r);
    return r;
  };

  /**
   * A dvc.lock entry as mlv would hash it now: from the DVC cache when the object is
   * there, otherwise from the work tree, which must still have DVC's md5.
   */
  const resolve = async (e: DvcEntry): Promise<Resolved | string> => {
    if (!e.md5) return `${e.path} has no md5 in dvc.lock`;
    if (cache.has(e.md5)) return fromCache(e.path, e.md5, !e.v3);
    const abs = join(repo.root, e.path);
    if (!existsSync(abs)) return `${e.path} is neither in the work tree nor in the DVC cache`;
    if (e.md5.endsWith('.dir')) return `${e.path}: its DVC listing (${e.md5}) is not in the DVC cache`;
    if (!md5OfFile(abs, !e.v3).includes(e.md5)) return `${e.path} changed since dvc.lock`;
    const h = await hashPath(repo, e.path);
    return h ? { kind: h.kind, hash: h.hash, size: h.size, files: h.files } : `${e.path} is missing`;
  };

  // 1. Pointers' data.
  const pointerTexts: Array<[string, string]> = [];
  for (const p of plan.pointers) {
    const r = await fromCache(p.path, p.md5, p.legacy);
    pointerTexts.push([p.path, renderPointer({ kind: r.kind, hash: r.hash, size: r.size, files: r.files, ...(p.desc ? { desc: p.desc } : {}) })]);
  }

  // 2. The lock, stage by stage; a stage DVC would run again is left out (never a guessed hash).
  const lock: Lock = { stages: {} };
  const stale: ImportResult['stale'] = [];
  const defs = plan.mlvYaml ? parsePipeline(plan.mlvYaml, 'mlv.yaml', repo.root).stages : new Map<string, StageDef>();
  for (const [name, def] of defs) {
    const l = plan.lock.get(name);
    if (!l) { stale.push({ stage: name, reason: 'not in dvc.lock' }); continue; }
    const why = await lockStage(def, l);
    if (typeof why === 'string') stale.push({ stage: name, reason: why });
    else lock.stages[name] = why;
  }

  async function lockStage(def: StageDef, l: import('./files.js').DvcLockStage): Promise<LockStage | string> {
    if (JSON.stringify(def.cmd) !== JSON.stringify(l.cmd)) return 'cmd changed since dvc.lock';
    const find = (list: DvcEntry[], path: string) => list.find((e) => e.path === path);
    const paths = async (want: string[], list: DvcEntry[], what: string): Promise<LockedPath[] | string> => {
      const out: LockedPath[] = [];
      for (const p of want) {
        const e = find(list, p);
        if (!e) return `${what} ${p} is not in dvc.lock`;
        const r = await resolve(e);
        if (typeof r === 'string') return r;
        out.push({ path: p, ...r });
      }
      return out;
    };
    const deps = await paths(def.deps, l.deps, 'dep');
    if (typeof deps === 'string') return deps;
    let params: Record<string, Record<string, unknown>> = {};
    try { params = paramValues(repo.root, def.params, `stage '${def.name}'`); } catch (e) { return (e as Error).message; }
    for (const [file, kv] of Object.entries(params)) {
      for (const [k, v] of Object.entries(kv)) {
        if (JSON.stringify(l.params[file]?.[k]) !== JSON.stringify(v)) return `param ${file}:${k} changed since dvc.lock`;
      }
    }
    const outs = await paths(def.outs.map((o) => o.path), l.outs, 'output');
    if (typeof outs === 'string') return outs;
    const metricPaths = await paths(def.metrics.map((m) => m.path), l.outs, 'metric');
    if (typeof metricPaths === 'string') return metricPaths;
    const metrics: LockedMetric[] = [];
    for (const [i, m] of metricPaths.entries()) {
      const abs = existsSync(join(repo.root, m.path)) ? join(repo.root, m.path) : repo.store.path(m.hash);
      let values: Record<string, number> = {};
      try { values = readMetricFile(abs, m.path); } catch (e) { return (e as Error).message; }
      metrics.push({ ...m, cache: def.metrics[i].cache, values });
    }
    return {
      cmd: def.cmd,
      deps,
      params,
      outs: outs.map((o, i): LockedOut => ({ ...o, cache: def.outs[i].cache })),
      metrics,
      env: fingerprint(repo.root, def, runtime),
    };
  }

  // 3. Everything that points at the objects, written last.
  for (const [path, text] of pointerTexts) {
    writeFileAtomic(join(repo.root, path + '.mlv'), text);
    ignoreInGit(repo.root, path);
  }
  for (const def of defs.values()) for (const o of [...def.outs, ...def.metrics]) if (o.cache) ignoreInGit(repo.root, o.path);
  if (plan.remotes.length) {
    updateConfigFile(repo.mlvDir, 'shared', (raw) => {
      const remotes = (raw.remotes ?? {}) as Record<string, Record<string, unknown>>;
      for (const r of plan.remotes) {
        remotes[r.name] = { url: r.url, ...(r.endpointUrl ? { endpoint_url: r.endpointUrl } : {}), ...(r.region ? { region: r.region } : {}) };
        if (r.default || (!raw.default_remote && plan.remotes.length === 1)) raw.default_remote = r.name;
      }
      raw.remotes = remotes;
    });
  }
  if (plan.mlvYaml !== undefined) {
    writeFileAtomic(join(repo.root, 'mlv.lock'), renderLock(lock));
    writeFileAtomic(join(repo.root, 'mlv.yaml'), plan.mlvYaml);
  }
  return { pointers: plan.pointers.map((p) => p.path), recorded: Object.keys(lock.stages).sort(), stale, remotes: plan.remotes.map((r) => r.name), objects };
}
