/**
 * The one loader behind `mlv exp show` and `mlv ui`: commits (recent history of the
 * current branch, branch tips, every baseline that has experiments) and their
 * experiments, each with flattened params and metrics. Reads refs with one
 * `git for-each-ref` and every small file with one `git cat-file --batch`.
 */
import { parseDocument } from 'yaml';
import type { ParamValue, VersionRow } from '../compare/types.js';
import { gitSync, readFilesAt } from '../git/porcelain.js';
import { LOCK_FILE, readLockIfValid } from '../repo/lockfile.js';
import type { Lock } from '../pipeline/types.js';
import { DEFAULT_PARAMS as PARAMS_FILE } from '../pipeline/load.js';
import { canonicalMetricValues } from '../pipeline/metrics.js';
import { listExps, type ExpRef } from './refs.js';

export interface ExpVersionRow extends VersionRow {
  /** For an experiment: its ref, error and the overrides it was run with. */
  ref?: string;
  error?: string;
  overrides?: Record<string, unknown>;
  /** Branches whose tip is this commit. */
  branches?: string[];
}

export interface LoadOptions {
  /** Commits of the current branch's history to show (default 10). */
  commits?: number;
  /** Also show the tips of the other local branches (default true). */
  branchTips?: boolean;
}

export interface LoadedVersions {
  rows: ExpVersionRow[];
  head?: string;
  exps: ExpRef[];
}

interface CommitInfo { sha: string; date: string; subject: string; branches: string[] }

const SEP = '%x00';
function parseLog(out: string): CommitInfo[] {
  return out.split('\n').filter(Boolean).map((line) => {
    const [sha, date, subject, refs] = line.split('\0');
    return { sha, date, subject, branches: branchesOf(refs ?? '') };
  });
}

function branchesOf(decoration: string): string[] {
  return decoration.split(', ').map((d) => d.replace(/^HEAD -> /, '')).filter((d) => d && d !== 'HEAD' && !d.startsWith('tag: ') && !d.includes('refs/'));
}

/** Flatten nested mappings with dots; lists and other values that are not scalars become JSON text. */
export function flatten(value: unknown, prefix = '', out: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value === undefined ? null : typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as ParamValue);
  }
  return out;
}

function parseYamlLoose(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    const doc = parseDocument(text);
    return doc.errors.length ? undefined : doc.toJS();
  } catch { return undefined; }
}

/**
 * Params: every key of params.yaml, plus keys of other params files recorded in the
 * lock as `file:key` (the `-S` spelling).
 */
export function paramsOf(paramsText: string | undefined, lock: Lock | undefined): Record<string, ParamValue> {
  const params = flatten(parseYamlLoose(paramsText) ?? {});
  for (const stage of Object.values(lock?.stages ?? {})) {
    for (const [file, values] of Object.entries(stage.params ?? {})) {
      if (file === PARAMS_FILE) {
        if (paramsText === undefined) for (const [k, v] of Object.entries(flatten(values))) params[k] = v;
        continue;
      }
      for (const [k, v] of Object.entries(flatten(values))) params[`${file}:${k}`] = v;
    }
  }
  return params;
}

/** Per-feature, per-fold and per-cell numbers of a training report: shown in detail views, not as columns. */
const REPORT_KEYS = /^(feature_importances|importance|confusion_matrix|explained_variance_ratio|folds)(\.|$)/;

/**
 * Metrics recorded in the lock, flattened, each named `<file>:<key>` (docs/FORMAT.md):
 * two files never share a column, and a short name is resolved where it is typed.
 */
export function metricsOf(lock: Lock | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const stage of Object.values(lock?.stages ?? {})) {
    for (const m of stage.metrics ?? []) {
      for (const [k, v] of Object.entries(canonicalMetricValues(m.values ?? {}))) {
        if (typeof v !== 'number' || REPORT_KEYS.test(k)) continue;
        out[`${m.path}:${k}`] ??= v;
      }
    }
  }
  return out;
}

/** The file search trials keep their scores in (api/expSearch.ts). */
const SEARCH_FILE = 'mlv-search.json';

/**
 * Trailer metrics written before names carried their file (`accuracy` rather than
 * `eval.json:accuracy`): a search trial's are its `mlv-search.json` scores; a run's are
 * read again from its mlv.lock (undefined here).
 */
function trailerMetrics(e: ExpRef): Record<string, number> | undefined {
  if (!e.metrics) return undefined;
  const keys = Object.keys(e.metrics);
  if (keys.every((k) => k.includes(':'))) return e.metrics;
  if (!('search.algorithm' in e.overrides)) return undefined;
  return Object.fromEntries(Object.entries(e.metrics).map(([k, v]) => [k.includes(':') ? k : `${SEARCH_FILE}:${k}`, v]));
}

/** Overrides that no params file holds (search trials) still show as params. */
export function expParams(params: Record<string, ParamValue>, e: ExpRef): Record<string, ParamValue> {
  const out = { ...params };
  for (const [key, v] of Object.entries(flatten(e.overrides))) {
    const k = key.startsWith(`${PARAMS_FILE}:`) ? key.slice(PARAMS_FILE.length + 1) : key;
    if (!(k in out)) out[k] = v;
  }
  return out;
}

/** A failed run has no metrics of its own (its lock is the baseline's); a search trial carries its scores in the message. */
export function expMetrics(metrics: Record<string, number>, e: ExpRef): Record<string, number> {
  const carried = trailerMetrics(e);
  if (carried) return carried;
  return e.status === 'failed' ? {} : metrics;
}

export interface VersionValues { params: Record<string, ParamValue>; metrics: Record<string, number> }

/** Params and metrics of commits, in the order given, read with one `git cat-file --batch`. */
export async function versionValues(root: string, revs: string[]): Promise<VersionValues[]> {
  const files = await readFilesAt(root, revs.flatMap((r) => [`${r}:${LOCK_FILE}`, `${r}:${PARAMS_FILE}`]));
  return revs.map((_, i) => {
    const lock = readLockIfValid(files[2 * i]?.toString('utf8'));
    return { params: paramsOf(files[2 * i + 1]?.toString('utf8'), lock), metrics: metricsOf(lock) };
  });
}

/**
 * Rows for the table: each baseline commit followed by its experiments (newest
 * first). Commits come from HEAD's history, then other branch tips, then baselines of
 * experiments found nowhere else (e.g. the pre-rebase commit).
 * @example
 *   const { rows } = await loadVersions('/repo', { commits: 20 });
 */
export async function loadVersions(root: string, opts: LoadOptions = {}): Promise<LoadedVersions> {
  const format = `--format=%H${SEP}%cI${SEP}%s${SEP}%D`;
  const hasHead = gitSync(root, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { allowFail: true }).trim();
  const history = hasHead ? parseLog(gitSync(root, ['log', '-n', String(opts.commits ?? 10), '--decorate=short', format, 'HEAD', '--'])) : [];
  const commits = new Map(history.map((c) => [c.sha, c]));
  if (opts.branchTips !== false && hasHead) {
    const tips = gitSync(root, ['for-each-ref', '--format=%(objectname)%00%(committerdate:iso-strict)%00%(subject)%00%(refname:short)', 'refs/heads/']);
    for (const line of tips.split('\n').filter(Boolean)) {
      const [sha, date, subject, branch] = line.split('\0');
      const known = commits.get(sha);
      if (known) { if (!known.branches.includes(branch)) known.branches.push(branch); continue; }
      commits.set(sha, { sha, date, subject, branches: [branch] });
    }
  }
  const exps = listExps(root);
  const orphans = [...new Set(exps.map((e) => e.baseline))].filter((b) => !commits.has(b));
  if (orphans.length) {
    const out = gitSync(root, ['log', '--no-walk=unsorted', '--stdin', '--decorate=short', format], { input: orphans.join('\n') + '\n', allowFail: true });
    for (const c of parseLog(out)) commits.set(c.sha, c);
  }

  // Experiments mlv wrote carry their values in the message; only others need their files read.
  const carried = (e: ExpRef) => e.params !== undefined && (trailerMetrics(e) !== undefined || e.status === 'failed');
  const revs = [...commits.keys(), ...exps.filter((e) => !carried(e)).map((e) => e.commit)];
  const values = await versionValues(root, revs);
  const info = new Map<string, VersionValues>();
  revs.forEach((rev, i) => { if (!info.has(rev)) info.set(rev, values[i]); });

  const byBaseline = new Map<string, ExpRef[]>();
  for (const e of exps) {
    const list = byBaseline.get(e.baseline) ?? [];
    list.push(e);
    byBaseline.set(e.baseline, list);
  }
  const rows: ExpVersionRow[] = [];
  for (const c of commits.values()) {
    const i = info.get(c.sha) ?? { params: {}, metrics: {} };
    rows.push({ id: c.sha, kind: 'commit', rev: c.sha, name: c.branches[0] ?? c.sha.slice(0, 7), date: c.date, message: c.subject, params: i.params, metrics: i.metrics, branches: c.branches });
    const list = (byBaseline.get(c.sha) ?? []).sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.name < b.name ? -1 : 1));
    for (const e of list) {
      const x = carried(e) ? { params: e.params!, metrics: e.metrics ?? {} } : info.get(e.commit) ?? { params: {}, metrics: {} };
      rows.push({
        id: e.ref, kind: 'exp', rev: e.commit, name: e.name, baseline: e.baseline, date: e.date, message: e.subject,
        params: expParams(x.params, e), metrics: expMetrics(x.metrics, e), status: e.status, ref: e.ref, overrides: e.overrides,
        ...(e.error ? { error: e.error } : {}),
      });
    }
  }
  return { rows, head: hasHead || undefined, exps };
}
