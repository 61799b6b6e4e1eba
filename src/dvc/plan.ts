/**
 * What `mlv import-dvc` will do, decided before anything is written: pointers from
 * `.dvc` files, mlv.yaml from dvc.yaml, remotes from .dvc/config, and every DVC cache
 * object needed, with the ones that are missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors/index.js';
import { gitSync } from '../git/porcelain.js';
import { parsePipeline } from '../pipeline/load.js';
import { yaml } from '../yaml.js';
import { DvcCache } from './cache.js';
import { mlvRemoteUrl, readDvcConfig } from './config.js';
import { readDvcFile, readDvcLock, readDvcYaml, type DvcEntry, type DvcFile, type DvcLockStage, type DvcStageDecl } from './files.js';

export interface PlannedPointer { path: string; from: string; kind: 'file' | 'dir'; md5: string; size?: number; files?: number; desc?: string; legacy: boolean }
export interface MissingObject { path: string; md5: string; pull: string }

export interface ImportPlan {
  root: string;
  cacheDir: string;
  pointers: PlannedPointer[];
  stages: string[];
  /** mlv.yaml text to write (undefined without dvc.yaml). */
  mlvYaml?: string;
  lock: Map<string, DvcLockStage>;
  decls: DvcStageDecl[];
  remotes: Array<{ name: string; url: string; default: boolean; endpointUrl?: string; region?: string }>;
  skipped: string[];
  notes: string[];
  missing: MissingObject[];
  /** DVC objects to verify and store: md5 → whether it is a 2.x object. */
  objects: number;
}

const HEADER = '# mlv.yaml: imported from dvc.yaml by `mlv import-dvc`.\n';

function mlvYamlText(decls: DvcStageDecl[], notes: string[]): string {
  const stages: Record<string, Record<string, unknown>> = {};
  const out = (o: { path: string; cache: boolean; persist: boolean; desc?: string }, cacheDefault: boolean) => {
    const opts: Record<string, unknown> = {};
    if (o.cache !== cacheDefault) opts.cache = o.cache;
    if (o.persist) opts.persist = true;
    if (o.desc) opts.desc = o.desc;
    return Object.keys(opts).length ? { [o.path]: opts } : o.path;
  };
  for (const d of decls) {
    const s: Record<string, unknown> = { cmd: d.cmd.length === 1 ? d.cmd[0] : d.cmd };
    if (d.wdir !== '.') s.wdir = d.wdir;
    if (d.deps.length) s.deps = d.deps;
    if (d.params.length) s.params = d.params;
    // DVC's stage plots are outputs too: they stay outputs here.
    const outs = [...d.outs, ...d.plots].map((o) => out(o, true));
    if (outs.length) s.outs = outs;
    if (d.metrics.length) s.metrics = d.metrics.map((m) => out(m, false));
    if (d.frozen) s.frozen = true;
    if (d.desc) s.desc = d.desc;
    stages[d.name] = s;
    if (d.plots.length) notes.push(`stage '${d.name}': plots ${d.plots.map((p) => p.path).join(', ')} are imported as outputs (mlv has no plots)`);
    if (d.alwaysChanged) notes.push(`stage '${d.name}': always_changed is not imported; mlv runs the stage when its deps, params or command change`);
  }
  return HEADER + yaml().stringify({ stages }, { lineWidth: 0 });
}

export function planImport(root: string, opts: { cache?: string }): ImportPlan {
  if (!existsSync(join(root, '.dvc'))) throw new UsageError(`${root}: not a DVC repository (no .dvc directory)`, { root }, 'ENOTDVC');
  for (const f of ['mlv.yaml', 'mlv.lock']) {
    if (existsSync(join(root, f)) && existsSync(join(root, 'dvc.yaml'))) throw new UsageError(`${f} exists already; mlv import-dvc writes it from dvc.yaml and does not overwrite it (move it away first)`, { file: f });
  }
  const config = readDvcConfig(root);
  const cacheDir = opts.cache ?? config.cacheDir ?? join(root, '.dvc', 'cache');
  const cache = new DvcCache(cacheDir);
  const notes: string[] = [];
  const skipped: string[] = [];

  const dvcFiles: DvcFile[] = gitSync(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.dvc', ':!:.dvc/**'])
    .split('\0').filter((f) => f.endsWith('.dvc') && !f.startsWith('.dvc/') && existsSync(join(root, f)))
    .filter((f, i, a) => a.indexOf(f) === i)
    .sort()
    .map((f) => readDvcFile(readFileSync(join(root, f), 'utf8'), f));

  const pointers: PlannedPointer[] = [];
  for (const f of dvcFiles) {
    if (f.deps.length) notes.push(`${f.file}: imported from ${f.deps.join(', ')} (dvc import); the data is imported, its source is not tracked by mlv`);
    for (const o of f.outs) {
      if (!o.cache) { skipped.push(`${o.path} (${f.file}): cache: false, so git keeps it; nothing to import`); continue; }
      if (!o.md5) { skipped.push(`${o.path} (${f.file}): no md5 recorded (dvc add or dvc commit it first)`); continue; }
      if (existsSync(join(root, o.path + '.mlv'))) throw new UsageError(`${o.path}.mlv exists already; mlv import-dvc does not overwrite pointers (remove it first)`, { path: o.path });
      pointers.push({ path: o.path, from: f.file, kind: o.md5.endsWith('.dir') ? 'dir' : 'file', md5: o.md5, size: o.size, files: o.nfiles, desc: o.desc, legacy: !o.v3 });
    }
  }

  let decls: DvcStageDecl[] = [];
  let lock = new Map<string, DvcLockStage>();
  let mlvYaml: string | undefined;
  if (existsSync(join(root, 'dvc.yaml'))) {
    const y = readDvcYaml(readFileSync(join(root, 'dvc.yaml'), 'utf8'));
    decls = y.stages;
    notes.push(...y.notes);
    const wdirs = new Map(decls.map((d) => [d.name, d.wdir]));
    if (existsSync(join(root, 'dvc.lock'))) lock = readDvcLock(readFileSync(join(root, 'dvc.lock'), 'utf8'), (n) => wdirs.get(n) ?? '.');
    mlvYaml = mlvYamlText(decls, notes);
    // What mlv would refuse to load is refused now, before anything is written.
    const produced = new Set(pointers.map((p) => p.path));
    parsePipeline(mlvYaml, 'mlv.yaml (from dvc.yaml)', root, (p) => existsSync(join(root, p)) || produced.has(p) || [...produced].some((q) => p.startsWith(q + '/')));
  }
  for (const extra of gitSync(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*/dvc.yaml']).split('\0').filter(Boolean)) {
    skipped.push(`${extra}: only the root dvc.yaml is imported`);
  }

  const remotes: ImportPlan['remotes'] = [];
  for (const r of config.remotes) {
    const m = mlvRemoteUrl(r, root);
    if ('skip' in m) { skipped.push(`remote '${r.name}' (${r.url}): ${m.skip}`); continue; }
    remotes.push({ name: r.name, url: m.url, default: r.name === config.defaultRemote, ...(r.endpointUrl ? { endpointUrl: r.endpointUrl } : {}), ...(r.region ? { region: r.region } : {}) });
  }

  // Every cached object the import needs: pointers' data and cached stage outputs.
  const missing: MissingObject[] = [];
  let objects = 0;
  const need = (e: { path: string; md5: string }, pull: string) => {
    if (!cache.has(e.md5)) { missing.push({ path: e.path, md5: e.md5, pull }); return; }
    objects++;
    if (!e.md5.endsWith('.dir')) return;
    for (const c of cache.readDir(e.md5)) {
      if (cache.has(c.md5)) objects++;
      else missing.push({ path: `${e.path}/${c.relpath}`, md5: c.md5, pull });
    }
  };
  for (const p of pointers) need(p, `dvc pull ${p.from}`);
  for (const d of decls) {
    const l = lock.get(d.name);
    if (!l) { notes.push(`stage '${d.name}': not in dvc.lock, so not recorded; mlv repro will run it`); continue; }
    const cached = new Set([...d.outs, ...d.metrics, ...d.plots].filter((o) => o.cache).map((o) => (d.wdir === '.' ? o.path : `${d.wdir}/${o.path}`)));
    for (const o of l.outs) if (o.md5 && cached.has(o.path)) need({ path: o.path, md5: o.md5 }, `dvc pull ${d.name}`);
  }
  return { root, cacheDir, pointers, stages: decls.map((d) => d.name), mlvYaml, lock, decls, remotes, skipped, notes, missing, objects };
}

export type { DvcEntry };
