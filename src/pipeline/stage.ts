/**
 * One stage: whether it is stale (the stage's own question, as DVC's Stage.changed()),
 * and running its commands.
 */
import { spawn } from 'node:child_process';
import { guardGroup } from './groupGuard.js';
import { InputError } from '../errors/index.js';
import type { Repo } from '../repo/Repo.js';
import { trackedInWorkspace, type Tracked } from '../repo/tracked.js';
import { compareWithWorkspace, hashPath } from '../repo/workspace.js';
import { StageFailedError } from './errors.js';
import { paramValues } from './params.js';
import type { LockedPath, LockStage, StageDef } from './types.js';

export interface Changes {
  /** Why the stage must run; empty when it is up to date. */
  reasons: string[];
  /**
   * Deps and outputs whose data (all or part of it) is recorded but in neither the work
   * tree nor the cache: never pulled here. That alone is no change of the user's, so it
   * is no reason to run; but a stage cannot run with such a dependency.
   */
  notPulled: Array<{ path: string; role: 'dep' | 'out' }>;
  /** Dependencies as hashed now (undefined: missing from the work tree). */
  deps: Array<LockedPath | { path: string; missing: true }>;
  params: Record<string, Record<string, unknown>>;
}

const canon = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

export class Stage {
  constructor(readonly def: StageDef) {}

  get name(): string { return this.def.name; }

  /** Outputs with `persist` make a stage's result depend on its previous run: no run cache. */
  get hasPersist(): boolean {
    return [...this.def.outs, ...this.def.metrics].some((o) => o.persist);
  }

  /** `locked`: the deps as last recorded; a big file recorded whole (format 1) is hashed whole again. */
  async hashDeps(repo: Repo, locked?: LockStage): Promise<Changes['deps']> {
    const out: Changes['deps'] = [];
    for (const path of this.def.deps) {
      const h = await hashPath(repo, path, { like: locked?.deps.find((d) => d.path === path)?.hash });
      out.push(h ? { path, kind: h.kind, hash: h.hash, size: h.size, files: h.files } : { path, missing: true });
    }
    return out;
  }

  /**
   * Stale when never run, or its command, a dependency's hash, a parameter's value or
   * the set of deps/outs changed, or an output is missing or modified. A dependency or
   * output that differs only by data never pulled is listed in `notPulled` instead.
   */
  async changed(repo: Repo, locked: LockStage | undefined): Promise<Changes> {
    const reasons: string[] = [];
    const notPulled: Changes['notPulled'] = [];
    const deps = await this.hashDeps(repo, locked);
    const params = paramValues(repo.root, this.def.params, `stage '${this.name}' (${this.def.where})`);
    const pulled = pullState(repo);
    const lockedDeps = new Map(locked?.deps.map((d) => [d.path, d]));
    const depReasons: string[] = [];
    for (const d of deps) {
      const was = lockedDeps.get(d.path);
      if (was && !('missing' in d) && was.hash === d.hash) continue;
      const np = await pulled(d.path, was?.hash);
      if (np) notPulled.push({ path: d.path, role: 'dep' });
      if (np === 'only') continue;
      if ('missing' in d) depReasons.push(`dependency ${d.path} is missing`);
      else if (!was) depReasons.push(`dependency ${d.path} is new`);
      else depReasons.push(`dependency ${d.path} changed`);
    }
    if (!locked) return { reasons: ['never run (not in mlv.lock)'], notPulled, deps, params };
    if (canon(locked.cmd) !== canon(this.def.cmd)) reasons.push('command changed');
    reasons.push(...depReasons);
    for (const p of lockedDeps.keys()) if (!this.def.deps.includes(p)) reasons.push(`dependency ${p} was removed`);
    for (const [file, values] of Object.entries(params)) {
      for (const [key, v] of Object.entries(values)) {
        const name = file === 'params.yaml' ? key : `${file}:${key}`;
        const recorded = locked.params[file];
        if (!recorded || !(key in recorded)) reasons.push(`param ${name} is new`);
        else if (canon(recorded[key]) !== canon(v)) reasons.push(`param ${name} changed (${canon(recorded[key])} → ${canon(v)})`);
      }
    }
    for (const [file, values] of Object.entries(locked.params)) {
      for (const key of Object.keys(values)) if (!(params[file] && key in params[file])) reasons.push(`param ${file === 'params.yaml' ? key : `${file}:${key}`} was removed`);
    }
    const lockedOuts = new Map([...locked.outs, ...locked.metrics].map((o) => [o.path, o]));
    for (const o of [...this.def.outs, ...this.def.metrics]) {
      const was = lockedOuts.get(o.path);
      if (!was) { reasons.push(`output ${o.path} is new`); continue; }
      const now = await hashPath(repo, o.path, { like: was.hash });
      if (now?.hash === was.hash) continue;
      const np = await pulled(o.path, was.hash);
      if (np) notPulled.push({ path: o.path, role: 'out' });
      if (np === 'only') continue;
      reasons.push(now ? `output ${o.path} was modified` : `output ${o.path} is missing`);
    }
    const declared = new Set([...this.def.outs, ...this.def.metrics].map((o) => o.path));
    for (const p of lockedOuts.keys()) if (!declared.has(p)) reasons.push(`output ${p} was removed`);
    return { reasons, notPulled, deps, params };
  }
}

/**
 * For a dep or output that is absent or differs from `lockedHash`: does it lack data
 * that `mlv pull` would fetch (files recorded by the pointer or mlv.lock entry that
 * covers it, in neither the work tree nor the cache)? `only`: that is its only
 * difference, and the record is the one the stage used; `also`: it differs otherwise
 * too. Paths no pointer or cached output covers (git files, `cache: false` outputs)
 * can never be pulled: undefined. The tracked list is read once, on the first question.
 */
function pullState(repo: Repo): (path: string, lockedHash: string | undefined) => Promise<'only' | 'also' | undefined> {
  let tracked: Tracked[] | undefined;
  return async (path, lockedHash) => {
    tracked ??= trackedInWorkspace(repo.root);
    const t = tracked.find((x) => x.path === path || path.startsWith(x.path + '/'));
    if (!t) return undefined;
    const r = await compareWithWorkspace(repo, t.path, t);
    if (!r.notPulled) return undefined;
    // Inside a directory that differs only by files not pulled, the path can differ no other way.
    const sameRecord = lockedHash !== undefined && (t.path !== path || t.hash === lockedHash);
    return r.state === 'not-pulled' && sameRecord ? 'only' : 'also';
  };
}

export interface RunContext {
  root: string;
  /** Absolute directory the command runs in (the stage's wdir). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onOutput?: (stage: string, chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

const TAIL = 2000;

/** Run a stage's commands in order with `sh -c`, each in its own process group. */
export async function runCommands(def: StageDef, ctx: RunContext): Promise<void> {
  for (const cmd of def.cmd) {
    if (ctx.signal?.aborted) throw new StageFailedError(def.name, `stage '${def.name}': stopped before '${cmd}'`, { aborted: true });
    await new Promise<void>((resolve, reject) => {
      // detached: its own process group, so an abort stops the command and its children.
      const child = spawn('sh', ['-c', cmd], { cwd: ctx.cwd, env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const stopGuard = child.pid === undefined ? () => undefined : guardGroup(child.pid);
      let tail = '';
      child.stdout.on('data', (c: Buffer) => ctx.onOutput?.(def.name, c, 'stdout'));
      child.stderr.on('data', (c: Buffer) => {
        ctx.onOutput?.(def.name, c, 'stderr');
        tail = (tail + c.toString('utf8')).slice(-TAIL);
      });
      const kill = () => { try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ } };
      ctx.signal?.addEventListener('abort', kill, { once: true });
      child.on('error', (e) => { stopGuard(); ctx.signal?.removeEventListener('abort', kill); reject(new InputError(`stage '${def.name}': cannot run '${cmd}': ${e.message}`, { stage: def.name })); });
      child.on('close', (code, sig) => {
        stopGuard();
        ctx.signal?.removeEventListener('abort', kill);
        if (code === 0) return resolve();
        const lines = tail.trimEnd().split('\n').slice(-10).join('\n');
        const how = ctx.signal?.aborted ? 'was stopped' : sig ? `was killed by ${sig}` : `exited with code ${code}`;
        reject(new StageFailedError(def.name, `stage '${def.name}' failed: '${cmd}' ${how}${lines ? `\n--- stderr (tail) ---\n${lines}` : ''}`, { cmd, code, signal: sig, aborted: Boolean(ctx.signal?.aborted) }));
      });
    });
  }
}
