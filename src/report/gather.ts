/**
 * A Report (./model.ts) for one commit or experiment: everything is read from git at
 * that commit and from the object cache; nothing in the work tree is used, so a report
 * of an old version is the same whatever is checked out. What cannot be read (an object
 * not pulled, a damaged file) becomes a note in the report, never an exception.
 */
import { listExps, resolveExp, type ExpRef } from '../experiments/refs.js';
import { flatten } from '../experiments/versions.js';
import { gitSync, readFilesAt, resolveRev } from '../git/porcelain.js';
import { loadFeaturizeState } from '../ml/featurize/index.js';
import { envOf, readLockIfValid, type Lock } from '../repo/lockfile.js';
import { canonicalMetricValues } from '../pipeline/metrics.js';
import { parsePipeline, PIPELINE_FILE } from '../pipeline/load.js';
import { readReproNote } from '../pipeline/reproNote.js';
import type { Repo } from '../repo/Repo.js';
import { trackedAtCommit, type Tracked } from '../repo/tracked.js';
import { VERSION } from '../version.js';
import { describeFeatures } from './features.js';
import type { CvMetric, DataItem, ModelInfo, Report, ReproOutcome, ResultsInfo, StageInfo, Value } from './model.js';
import { exploreSummary, objectText, predictionsOf } from './objects.js';
import { plotsOf } from './plots.js';
import { trendOf } from './trend.js';

export interface GatherOptions {
  rev: string;
  compare?: string;
  /** The clock for "generated at" (tests pass a fixed one). */
  now?: () => Date;
  /** Commits of history the metric trend covers (default 30). */
  trendCommits?: number;
}

/** Numbers a report shows from a training metrics file, and the keys that are not metrics. */
const NOT_METRICS = /^(confusion_matrix|feature_importances|importance|explained_variance_ratio|cost)(\.|$)/;

interface Resolved { commit: string; exp?: ExpRef }

export function resolveVersion(root: string, spec: string): Resolved {
  let exps: ExpRef[] = [];
  try { exps = listExps(root); } catch { /* no experiments */ }
  try {
    const exp = resolveExp(root, spec, exps);
    return { commit: exp.commit, exp };
  } catch (e) {
    if ((e as { code?: string }).code === 'EAMBIGUOUS') throw e;
  }
  const commit = resolveRev(root, spec);
  return { commit, exp: exps.find((e) => e.commit === commit) };
}

function commitInfo(root: string, commit: string): { date: string; author: string; subject: string } {
  const [date = '', author = '', subject = ''] = gitSync(root, ['log', '-1', '--format=%cI%x00%an%x00%s', commit, '--']).trim().split('\0');
  return { date, author, subject };
}

export async function gatherReport(repo: Repo, opts: GatherOptions): Promise<Report> {
  const root = repo.root;
  const { commit, exp } = resolveVersion(root, opts.rev);
  const cmp = opts.compare !== undefined ? resolveVersion(root, opts.compare) : undefined;
  const info = commitInfo(root, commit);
  const notes: string[] = [];
  const [yamlBuf, lockBuf, cmpLockBuf] = await readFilesAt(root, [`${commit}:${PIPELINE_FILE}`, `${commit}:mlv.lock`, ...(cmp ? [`${cmp.commit}:mlv.lock`] : [])]);
  const lock = readLockIfValid(lockBuf?.toString('utf8'));
  if (lockBuf && !lock) notes.push('mlv.lock: could not be read (see mlv repro); the pipeline results are left out.');
  const failed = exp?.status === 'failed';

  const tracked = await trackedAtCommit(root, commit);
  const before = cmp ? new Map((await trackedAtCommit(root, cmp.commit)).map((t) => [t.path, t])) : undefined;
  const data = tracked.map((t) => dataItem(repo, t, before));
  for (const d of data) {
    if (!d.cached) notes.push(`${d.path}: not in the local cache (not pulled; run mlv pull) — shown from its ${d.source === 'pointer' ? 'pointer' : 'mlv.lock entry'} only.`);
  }
  const explore = [];
  for (const d of data.filter((x) => x.source === 'pointer' && x.kind === 'file' && x.cached && /\.(csv|tsv)$/i.test(x.path))) {
    const s = await exploreSummary(repo, d, notes);
    if (!s) continue;
    if (d.change === 'modified' && d.previousHash && repo.store.has(d.previousHash)) {
      const p = await exploreSummary(repo, { ...d, hash: d.previousHash, size: d.previousSize ?? 0 }, []);
      if (p) s.previous = { rows: p.rows, columns: p.columns, missingShare: p.missingShare };
    }
    explore.push(s);
  }

  const stages = stagesOf(root, yamlBuf?.toString('utf8'), lock, notes);
  const report: Report = {
    title: `${exp ? `Experiment ${exp.name}` : info.subject || commit.slice(0, 7)}`,
    rev: opts.rev, commit, subject: info.subject, date: info.date, author: info.author,
    ...(exp ? { experiment: { name: exp.name, status: exp.status, ...(exp.error ? { error: exp.error } : {}), overrides: exp.overrides } } : {}),
    ...(cmp ? { compare: { rev: opts.compare!, commit: cmp.commit } } : {}),
    generated: { mlv: VERSION, date: (opts.now ?? (() => new Date()))().toISOString() },
    data, explore, hasPipeline: yamlBuf !== undefined, stages, models: [],
    results: { lockMetrics: [], heldOut: [], gaps: [] },
    plots: [], trend: undefined,
    reproduction: { command: `mlv repro --rev ${exp ? exp.name : commit.slice(0, 7)}` },
    notes,
  };
  const last = readReproNote(root, commit);
  if (last === 'unreadable') notes.push(`refs/notes/mlv-repro: the note on ${commit.slice(0, 7)} is not an mlv reproduction record; ignored.`);
  else if (last) report.reproduction.last = outcomeOf(last);

  if (failed) {
    // A failed experiment's lock and metrics are its baseline's: showing them as its own would mislead.
    notes.push(`This experiment failed; the results of its baseline ${exp!.baseline.slice(0, 7)} are not repeated here.`);
    return report;
  }
  if (!lock) return report;

  const cmpLock = readLockIfValid(cmpLockBuf?.toString('utf8'));
  await modelsAndFeatures(repo, commit, lock, cmp?.commit, cmpLock, report);
  report.results = await resultsOf(repo, commit, lock, cmpLock, notes);
  const training = report.results.training;
  if (training?.cost || report.models.length) {
    const c = training?.cost ?? {};
    const m = report.models[0];
    report.cost = { modelBytes: c.model_bytes ?? m?.bytes, features: c.n_features ?? m?.features.length, rows: c.n_rows, fits: c.n_fits };
  }
  const preds = await predictionsOf(repo, lock, report.models[0]?.task ?? report.results.training?.task, notes);
  report.trend = await trendOf(root, commit, report.results, opts.trendCommits ?? 30);
  report.plots = plotsOf(report, preds);
  return report;
}

function dataItem(repo: Repo, t: Tracked, before: Map<string, Tracked> | undefined): DataItem {
  const item: DataItem = {
    path: t.path, kind: t.kind, size: t.size, files: t.files, hash: t.hash,
    ...(t.desc ? { desc: t.desc } : {}),
    source: t.source.type === 'pointer' ? 'pointer' : 'stage',
    ...(t.source.type === 'lock' ? { stage: t.source.stage } : {}),
    cached: repo.store.has(t.hash),
  };
  if (before) {
    const b = before.get(t.path);
    item.change = !b ? 'added' : b.hash === t.hash ? 'unchanged' : 'modified';
    if (b && b.hash !== t.hash) { item.previousSize = b.size; item.previousHash = b.hash; }
  }
  return item;
}

function stagesOf(root: string, yamlText: string | undefined, lock: Lock | undefined, notes: string[]): StageInfo[] {
  const fromLock = (name: string) => lock?.stages[name];
  if (yamlText !== undefined) {
    try {
      const p = parsePipeline(yamlText, PIPELINE_FILE, root);
      return p.order.map((name) => {
        const s = p.stages.get(name)!;
        const l = fromLock(name);
        return {
          name, cmd: s.cmd, deps: s.deps, outs: s.outs.map((o) => o.path), metrics: s.metrics.map((m) => m.path),
          upstream: [...(p.upstream.get(name) ?? [])], ...(s.desc ? { desc: s.desc } : {}), ...(l ? { env: envOf(l.env) } : {}),
        };
      });
    } catch (e) {
      notes.push(`${PIPELINE_FILE}: ${(e as Error).message}; stages are shown from mlv.lock.`);
    }
  }
  return Object.entries(lock?.stages ?? {}).map(([name, l]) => ({
    name, cmd: l.cmd, deps: l.deps.map((d) => d.path), outs: l.outs.map((o) => o.path), metrics: l.metrics.map((m) => m.path), upstream: [], env: envOf(l.env),
  }));
}

function outcomeOf(n: Exclude<ReturnType<typeof readReproNote>, 'unreadable' | undefined>): ReproOutcome {
  return { date: n.date, match: n.match, outputs: n.outputs, mismatched: n.mismatched, mlv: n.mlv, ...(n.seconds !== undefined ? { seconds: n.seconds } : {}), envDiffers: n.env_differs, ...(n.error ? { error: n.error } : {}) };
}

/** Model files and featurize states among the stages' JSON outputs. */
async function modelsAndFeatures(repo: Repo, commit: string, lock: Lock, cmpCommit: string | undefined, cmpLock: Lock | undefined, report: Report): Promise<void> {
  const outs = Object.entries(lock.stages).flatMap(([stage, s]) => s.outs.map((o) => ({ ...o, stage })));
  for (const o of outs.filter((x) => x.kind === 'file' && x.path.endsWith('.json'))) {
    const text = await objectText(repo, commit, o, report.notes);
    if (text === undefined) continue;
    let doc: Record<string, unknown>;
    try { doc = JSON.parse(text) as Record<string, unknown>; } catch { continue; }
    if (doc.format === 'mlv-featurize' && !report.features) {
      try { report.features = describeFeatures(loadFeaturizeState(doc, o.path), o.path); } catch (e) { report.notes.push(`${o.path}: ${(e as Error).message}`); }
    }
    if (doc.format !== 'mlv-model') continue;
    let previous: Record<string, unknown> | undefined;
    const before = cmpLock && Object.values(cmpLock.stages).flatMap((s) => s.outs).find((x) => x.path === o.path);
    if (before && cmpCommit) {
      const t = before.hash === o.hash ? text : await objectText(repo, cmpCommit, before, report.notes);
      try { if (t) previous = (JSON.parse(t) as { params?: Record<string, unknown> }).params; } catch { /* not a model then */ }
    }
    const params = flatten(doc.params ?? {});
    const prev = previous ? flatten(previous) : undefined;
    const fi = doc.feature_importances;
    const features = Array.isArray(doc.features) ? (doc.features as string[]) : [];
    const model: ModelInfo = {
      path: o.path, algorithm: String(doc.algorithm), task: String(doc.task), target: (doc.target as string | null) ?? null, features,
      ...(Array.isArray(doc.labels) ? { labels: doc.labels as Value[] } : {}),
      params: Object.keys({ ...params, ...prev }).sort().map((key) => ({
        key, value: params[key] ?? null, ...(prev ? { previous: prev[key] ?? null, changed: prev[key] !== params[key] } : { changed: false }),
      })),
      seed: (doc.seed as Value) ?? null, bytes: o.size,
      ...(Array.isArray(fi) && fi.every((v) => typeof v === 'number') ? { importances: (fi as number[]).map((value, i) => ({ name: features[i] ?? `f${i}`, value })) } : {}),
    };
    report.models.push(model);
    if (!report.features && doc.featurize && typeof doc.featurize === 'object') {
      try { report.features = describeFeatures(loadFeaturizeState(doc.featurize, o.path), `${o.path} (embedded)`); } catch { /* described elsewhere or not at all */ }
    }
  }
}

/**
 * The cross-validated metrics of an `mlv train --metrics` file: `{<m>: value, <m>_std,
 * folds: {<m>: [...]}}` (docs/FORMAT.md), or the older `metrics: {<m>: {mean, std, folds}}`.
 */
function trainingMetrics(doc: Record<string, unknown> | undefined): Record<string, { mean?: unknown; std?: unknown; folds?: unknown }> | undefined {
  if (!doc) return undefined;
  if (doc.metrics && typeof doc.metrics === 'object') return doc.metrics as Record<string, { mean?: unknown; std?: unknown; folds?: unknown }>;
  const folds = doc.folds;
  if (!folds || typeof folds !== 'object' || Array.isArray(folds)) return undefined;
  return Object.fromEntries(Object.entries(folds as Record<string, unknown>).map(([name, f]) => [name, { mean: doc[name], std: doc[`${name}_std`], folds: f }]));
}

async function resultsOf(repo: Repo, commit: string, lock: Lock, cmpLock: Lock | undefined, notes: string[]): Promise<ResultsInfo> {
  const r: ResultsInfo = { lockMetrics: [], heldOut: [], gaps: [] };
  for (const [stage, s] of Object.entries(lock.stages)) {
    for (const m of s.metrics) {
      r.lockMetrics.push({ file: m.path, stage, values: m.values });
      const text = await objectText(repo, commit, m, notes);
      let doc: Record<string, unknown> | undefined;
      try { doc = text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>); } catch { /* YAML metrics: numbers from the lock */ }
      const cv = trainingMetrics(doc);
      if (doc && cv && typeof cv === 'object' && typeof doc.validation === 'string' && !r.training) {
        const metrics: CvMetric[] = Object.entries(cv).filter(([, v]) => typeof v?.mean === 'number').map(([name, v]) => ({
          name, mean: v.mean as number, std: typeof v.std === 'number' ? v.std : NaN, folds: Array.isArray(v.folds) ? (v.folds as number[]) : [],
        }));
        const cost = doc.cost && typeof doc.cost === 'object' ? Object.fromEntries(Object.entries(doc.cost).filter((e): e is [string, number] => typeof e[1] === 'number')) : undefined;
        r.training = { file: m.path, validation: doc.validation, task: String(doc.task ?? ''), algorithm: String(doc.algorithm ?? ''), metrics, ...(cost ? { cost } : {}) };
        continue;
      }
      const values = Object.fromEntries(Object.entries(m.values).filter(([k]) => !NOT_METRICS.test(k)));
      if (Object.keys(values).length) r.heldOut.push({ file: m.path, values });
    }
  }
  for (const cv of r.training?.metrics ?? []) {
    for (const h of r.heldOut) {
      const v = h.values[cv.name];
      if (typeof v === 'number') r.gaps.push({ metric: cv.name, validation: cv.mean, heldOut: v, gap: v - cv.mean, file: h.file });
    }
  }
  if (cmpLock) {
    r.previous = {};
    for (const s of Object.values(cmpLock.stages)) for (const m of s.metrics) for (const [k, v] of Object.entries(canonicalMetricValues(m.values))) r.previous[`${m.path}:${k}`] = v;
  }
  return r;
}
