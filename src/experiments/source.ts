/**
 * The data behind `mlv ui`: the same loader as `mlv exp show`
 * (experiments/versions.ts), plus per-version detail and pairwise diffs. The I/O behind
 * the pure rows of src/compare/.
 */
import { diffVersions } from './compare.js';
import { readFilesAt } from '../git/porcelain.js';
import { loadVersions } from './versions.js';
import { LOCK_FILE, readLockIfValid } from '../repo/lockfile.js';
import { SEARCH_FILE } from './search.js';
import { openRepoAt, type Repo } from '../repo/Repo.js';
import { trackedAtCommit } from '../repo/tracked.js';
import { defaultDirection } from '../compare/rows.js';
import type { ArtifactInfo, VersionDetail, VersionRow, VersionSource } from '../compare/types.js';

export interface SourceOptions {
  /** Commits of the current branch to list (default 200). */
  limit?: number;
}

/**
 * A VersionSource over a repository's commits and experiments.
 * @example
 *   const source = await openVersionSource('/repo');
 *   const rows = await source.rows();
 */
export async function openVersionSource(repoRoot: string, opts: SourceOptions = {}): Promise<VersionSource> {
  let repo: Repo | undefined;
  const repoOf = () => (repo ??= openRepoAt(repoRoot));
  return {
    rows: async () => (await loadVersions(repoRoot, { commits: opts.limit ?? 200, branchTips: false })).rows,
    detail: (row) => versionDetail(repoRoot, row, () => repoOf()),
    diff: (a, b) => diffVersions(repoOf(), a, b),
    direction: defaultDirection,
  };
}

/** Artifacts of a version, and the training report its metrics files carry (if any). */
export async function versionDetail(root: string, row: VersionRow, repoOf: () => Repo): Promise<VersionDetail> {
  const tracked = await trackedAtCommit(root, row.rev);
  const artifacts: ArtifactInfo[] = tracked.map((t) => ({
    path: t.path, kind: t.kind, size: t.size, hash: t.hash,
    ...(t.kind === 'dir' ? { files: t.files } : {}),
    ...(t.desc ? { desc: t.desc } : {}),
  }));
  // A search trial's commit holds its spec and report (mlv-search.json), no pipeline: it is rebuilt by mlv train.
  const search = 'search.algorithm' in row.params ? await searchSpec(root, row.rev) : undefined;
  const detail: VersionDetail = { row, artifacts, reproCommand: search ? trainCommand(search) : `mlv repro --rev ${row.rev.slice(0, 7)}` };
  for (const doc of search ? [search] : await metricsDocuments(root, row.rev, repoOf)) {
    const cm = doc.confusion_matrix as { labels?: unknown; matrix?: unknown } | undefined;
    if (!detail.confusionMatrix && cm && Array.isArray(cm.labels) && Array.isArray(cm.matrix)) {
      detail.confusionMatrix = { labels: cm.labels as Array<string | number>, matrix: cm.matrix as number[][] };
    }
    const fi = importances(doc.feature_importances);
    if (!detail.featureImportances && fi) {
      detail.featureImportances = fi;
      const how = doc.importance as { method?: unknown; scoring?: unknown } | undefined;
      if (how && how.method === 'permutation') detail.importanceMethod = `permutation (${typeof how.scoring === 'string' ? how.scoring : 'score'} drop)`;
    }
    const cost = doc.cost as Record<string, unknown> | undefined;
    if (!detail.cost && cost && typeof cost === 'object') {
      const num = (...keys: string[]) => keys.map((k) => cost[k]).find((v): v is number => typeof v === 'number');
      const c = { seconds: num('seconds', 'train_seconds', 'fit_seconds'), modelBytes: num('modelBytes', 'model_bytes'), featureCount: num('featureCount', 'feature_count', 'n_features') };
      detail.cost = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
    }
  }
  return detail;
}

function importances(v: unknown): Record<string, number> | undefined {
  if (!v || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    // [{feature, importance}] or bare numbers (named by position)
    const out: Record<string, number> = {};
    v.forEach((x, i) => {
      if (typeof x === 'number') out[`f${i}`] = x;
      else if (x && typeof x === 'object' && typeof (x as { importance?: unknown }).importance === 'number') out[String((x as { feature?: unknown }).feature ?? i)] = (x as { importance: number }).importance;
    });
    return Object.keys(out).length ? out : undefined;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number');
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** A search trial's mlv-search.json, when its commit holds a readable one. */
async function searchSpec(root: string, rev: string): Promise<Record<string, unknown> | undefined> {
  const [bytes] = await readFilesAt(root, [`${rev}:${SEARCH_FILE}`]);
  if (!bytes) return undefined;
  try {
    const doc = JSON.parse(bytes.toString('utf8'));
    return doc && typeof doc === 'object' && !Array.isArray(doc) && typeof doc.algorithm === 'string' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** The `mlv train` command that fits a search trial's model again (its data, target, algorithm, hyperparameters, validation and seed). */
function trainCommand(spec: Record<string, unknown>): string {
  const word = (v: unknown) => {
    const s = v === null ? 'null' : String(v);
    return /^[\w./:=,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
  };
  const params = spec.params && typeof spec.params === 'object' ? Object.entries(spec.params as Record<string, unknown>) : [];
  return [
    'mlv train', word(spec.data), '--target', word(spec.target), '--task', word(spec.task), '--algorithm', word(spec.algorithm),
    ...params.flatMap(([k, v]) => ['-p', word(`${k}=${v === null ? 'null' : v}`)]),
    '--validation', word(spec.validation), '--seed', word(spec.seed),
  ].join(' ');
}

/** The JSON metrics files a version's lock records: from git, or from the cache when cached. */
async function metricsDocuments(root: string, rev: string, repoOf: () => Repo): Promise<Array<Record<string, unknown>>> {
  const [lockText] = await readFilesAt(root, [`${rev}:${LOCK_FILE}`]);
  const lock = readLockIfValid(lockText?.toString('utf8'));
  const metrics = Object.values(lock?.stages ?? {}).flatMap((s) => s.metrics ?? []);
  if (metrics.length === 0) return [];
  const inGit = await readFilesAt(root, metrics.map((m) => `${rev}:${m.path}`));
  const docs: Array<Record<string, unknown>> = [];
  metrics.forEach((m, i) => {
    let bytes = inGit[i];
    if (!bytes && m.kind === 'file') {
      try { const store = repoOf().store; if (store.has(m.hash)) bytes = store.readVerified(m.hash); } catch { /* not an mlv repo or not cached */ }
    }
    if (!bytes) return;
    try {
      const doc = JSON.parse(bytes.toString('utf8'));
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) docs.push(doc as Record<string, unknown>);
    } catch { /* YAML or other metrics files carry no report */ }
  });
  return docs;
}
