/**
 * The stage graph: an edge from the stage that writes a path to every stage that reads
 * it (the same path, or one inside the other). Rejects what cannot be run: two writers
 * of one output, a stage reading its own output, and cycles.
 */
import { InputError } from '../errors/index.js';
import type { Pipeline, StageDef } from './types.js';

export function overlaps(a: string, b: string): boolean {
  return a === b || a === '.' || b === '.' || a.startsWith(b + '/') || b.startsWith(a + '/');
}

export function outPaths(s: StageDef): string[] {
  return [...s.outs, ...s.metrics].map((o) => o.path);
}

export function buildGraph(root: string, file: string, stages: Map<string, StageDef>): Pipeline {
  const writers: Array<{ path: string; stage: StageDef }> = [];
  for (const s of stages.values()) {
    for (const path of outPaths(s)) {
      const other = writers.find((w) => overlaps(w.path, path));
      if (other && other.stage !== s) {
        throw new InputError(`${s.where}: stages '${other.stage.name}' and '${s.name}' both write '${other.path === path ? path : `${other.path}' and '${path}`}'; an output belongs to one stage`, { file, stage: s.name, out: path }, 'EOUTCONFLICT');
      }
      writers.push({ path, stage: s });
    }
  }
  const upstream = new Map<string, Set<string>>();
  for (const s of stages.values()) {
    const ups = new Set<string>();
    for (const d of s.deps) {
      for (const w of writers) {
        if (!overlaps(w.path, d)) continue;
        if (w.stage === s) throw new InputError(`${s.where}: stage '${s.name}' depends on '${d}', which is its own output '${w.path}'`, { file, stage: s.name, dep: d }, 'ESELFDEP');
        ups.add(w.stage.name);
      }
    }
    upstream.set(s.name, ups);
  }
  return { root, file, stages, order: topoOrder(file, stages, upstream), upstream };
}

/** Depth-first order, upstream first; ties keep declaration order. A cycle is named in full. */
function topoOrder(file: string, stages: Map<string, StageDef>, upstream: Map<string, Set<string>>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    const st = state.get(name);
    if (st === 'done') return;
    if (st === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new InputError(`${stages.get(name)!.where}: the stages form a cycle: ${cycle.join(' → ')}`, { file, cycle }, 'ECYCLE');
    }
    state.set(name, 'visiting');
    for (const u of upstream.get(name) ?? []) visit(u, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of stages.keys()) visit(name, []);
  return order;
}

/** `targets` and everything upstream of them, in dependency order. */
export function selectStages(p: Pipeline, targets?: string[]): string[] {
  if (!targets?.length) return p.order;
  const want = new Set<string>();
  const add = (n: string) => {
    if (want.has(n)) return;
    want.add(n);
    for (const u of p.upstream.get(n) ?? []) add(u);
  };
  for (const t of targets) add(t);
  return p.order.filter((n) => want.has(n));
}
