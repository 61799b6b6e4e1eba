/**
 * In-memory version sources for the UI tests and bench: a small hand-written
 * history (3 commits, 3 experiments, real artifacts with files inside a directory)
 * and a generator for thousands of experiments.
 */
import type {
  ArtifactChange, ArtifactInfo, FileChange, VersionDetail, VersionDiff, VersionRow, VersionSource,
} from '../../src/compare/types.js';
import { defaultDirection } from '../../src/compare/rows.js';

interface StoredArtifact extends ArtifactInfo {
  contents?: Array<{ path: string; size: number; hash: string }>;
}

export interface FixtureVersion {
  row: VersionRow;
  artifacts: StoredArtifact[];
  confusionMatrix?: VersionDetail['confusionMatrix'];
  featureImportances?: Record<string, number>;
  cost?: VersionDetail['cost'];
}

const sha = (seed: string): string => {
  let h = 2166136261;
  let out = '';
  for (let round = 0; out.length < 40; round++) {
    for (const ch of seed + round) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
};

const raw = (extra: Array<{ path: string; size: number; hash: string }> = []) => {
  const contents = [
    { path: 'data/raw/a.csv', size: 4096, hash: 'h-a' },
    { path: 'data/raw/b.csv', size: 8192, hash: 'h-b' },
    ...extra,
  ];
  return {
    path: 'data/raw', kind: 'dir' as const, files: contents.length,
    size: contents.reduce((s, f) => s + f.size, 0), hash: sha(contents.map((c) => c.hash).join()), contents,
  };
};
const file = (path: string, size: number, tag: string): StoredArtifact =>
  ({ path, kind: 'file', size, hash: sha(path + tag) });

function version(
  name: string, kind: 'commit' | 'exp', date: string, message: string,
  params: VersionRow['params'], metrics: VersionRow['metrics'], artifacts: StoredArtifact[], baseline?: string,
  extra: Partial<FixtureVersion> = {},
): FixtureVersion {
  const rev = sha(name);
  const row: VersionRow = {
    id: kind === 'commit' ? rev : `refs/mlv/exps/${baseline}/${name}`,
    kind, rev, name: kind === 'commit' ? rev.slice(0, 7) : name, date, message, params, metrics, status: 'ok',
  };
  if (baseline) row.baseline = baseline;
  return { row, artifacts, ...extra };
}

/** Newest commit first, each followed by its experiments: the order `rows()` promises. */
export function smallHistory(): FixtureVersion[] {
  const c3 = sha('c3');
  const base = { 'data.split': 0.2, 'train.seed': 42 };
  return [
    version('c3', 'commit', '2024-05-03T10:00:00Z', 'tune forest depth',
      { ...base, 'train.model': 'rf', 'train.n_estimators': 100, 'train.max_depth': 8 },
      { accuracy: 0.912, log_loss: 0.251, f1: 0.905 },
      [raw([{ path: 'data/raw/c.csv', size: 2048, hash: 'h-c' }]), file('data/features.csv', 30_000, 'v2'), file('model.json', 1_500_000, 'c3')],
      undefined,
      {
        confusionMatrix: { labels: ['cat', 'dog'], matrix: [[48, 2], [7, 43]] },
        featureImportances: { petal_width: 0.45, petal_length: 0.3, sepal_length: 0.15, sepal_width: 0.1 },
        cost: { seconds: 12.5, modelBytes: 1_500_000, featureCount: 4 },
      }),
    version('exp-trees-200', 'exp', '2024-05-03T11:00:00Z', 'exp: train.n_estimators=200',
      { ...base, 'train.model': 'rf', 'train.n_estimators': 200, 'train.max_depth': 8 },
      { accuracy: 0.925, log_loss: 0.231, f1: 0.921 },
      [raw([{ path: 'data/raw/c.csv', size: 2048, hash: 'h-c' }]), file('data/features.csv', 30_000, 'v2'), file('model.json', 2_900_000, 'e1')],
      c3),
    version('exp-depth-4', 'exp', '2024-05-03T11:05:00Z', 'exp: train.max_depth=4',
      { ...base, 'train.model': 'rf', 'train.n_estimators': 100, 'train.max_depth': 4 },
      { accuracy: 0.871, log_loss: 0.322, f1: 0.866 },
      [raw([{ path: 'data/raw/c.csv', size: 2048, hash: 'h-c' }]), file('data/features.csv', 30_000, 'v2'), file('model.json', 400_000, 'e2')],
      c3),
    version('c2', 'commit', '2024-05-02T09:30:00Z', 'add petal features',
      { ...base, 'train.model': 'rf', 'train.n_estimators': 50, 'train.max_depth': 8 },
      { accuracy: 0.894, log_loss: 0.28, f1: 0.889 },
      [raw(), file('data/features.csv', 24_000, 'v1'), file('model.json', 800_000, 'c2')]),
    version('exp-linear', 'exp', '2024-05-02T10:00:00Z', 'exp: train.model=linear',
      { ...base, 'train.model': 'linear', 'train.n_estimators': 50, 'train.max_depth': 8 },
      { accuracy: 0.84, log_loss: 0.39, f1: 0.83 },
      [raw(), file('data/features.csv', 24_000, 'v1'), file('model.json', 5_000, 'e3')],
      sha('c2')),
    version('c1', 'commit', '2024-05-01T08:00:00Z', 'baseline model',
      { ...base, 'train.model': 'rf', 'train.n_estimators': 10, 'train.max_depth': 8 },
      { accuracy: 0.81, log_loss: 0.45, f1: 0.8 },
      [raw(), file('model.json', 150_000, 'c1')]),
  ];
}

/**
 * `commits` commits on the branch and `exps` experiments spread over them, with
 * deterministic pseudo-random params and metrics (mulberry32).
 */
export function generatedHistory(commits: number, exps: number, seed = 7): FixtureVersion[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: FixtureVersion[] = [];
  const perCommit = Math.floor(exps / commits);
  let extra = exps - perCommit * commits;
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  for (let c = commits - 1; c >= 0; c--) {
    const name = `gen-c${c}`;
    const when = new Date(t0 + c * 86_400_000).toISOString().replace('.000', '');
    const params = { 'train.n_estimators': 10 + c, 'train.max_depth': 4 + (c % 8), 'data.split': 0.2, 'train.model': 'rf' };
    const acc = 0.7 + 0.25 * (c / Math.max(1, commits - 1)) + rand() * 0.02;
    const commit = version(name, 'commit', when, `commit ${c}`, params,
      { accuracy: acc, log_loss: 1 - acc, f1: acc - 0.01 }, [file('model.json', 1000 + c, name)]);
    out.push(commit);
    const n = perCommit + (extra-- > 0 ? 1 : 0);
    for (let e = 0; e < n; e++) {
      const trees = [50, 100, 200, 400][e % 4];
      const depth = 2 + Math.floor(rand() * 14);
      const a = Math.min(0.999, acc + (rand() - 0.5) * 0.1);
      out.push(version(`exp-${c}-${e}`, 'exp', when, `exp: trees=${trees} depth=${depth}`,
        { ...params, 'train.n_estimators': trees, 'train.max_depth': depth },
        { accuracy: a, log_loss: 1 - a + rand() * 0.01, f1: a - rand() * 0.02 },
        [file('model.json', 1000 + e, `${name}-${e}`)], commit.row.rev));
    }
  }
  return out;
}

const inside = (dir: string, path: string) => path.slice(dir.length + 1);

function diffArtifacts(a: StoredArtifact[], b: StoredArtifact[]): ArtifactChange[] {
  const byPath = new Map(a.map((x) => [x.path, x]));
  const out: ArtifactChange[] = [];
  for (const nb of b) {
    const na = byPath.get(nb.path);
    byPath.delete(nb.path);
    if (!na) { out.push({ path: nb.path, change: 'added', newSize: nb.size }); continue; }
    if (na.hash === nb.hash) continue;
    const change: ArtifactChange = { path: nb.path, change: 'modified', oldSize: na.size, newSize: nb.size };
    if (na.contents || nb.contents) {
      const inner = new Map((na.contents ?? []).map((f) => [f.path, f]));
      const files: FileChange[] = [];
      for (const fb of nb.contents ?? []) {
        const fa = inner.get(fb.path);
        inner.delete(fb.path);
        if (!fa) files.push({ path: inside(nb.path, fb.path), change: 'added', newSize: fb.size });
        else if (fa.hash !== fb.hash) files.push({ path: inside(nb.path, fb.path), change: 'modified', oldSize: fa.size, newSize: fb.size });
      }
      for (const fa of inner.values()) files.push({ path: inside(nb.path, fa.path), change: 'deleted', oldSize: fa.size });
      change.files = files;
    }
    out.push(change);
  }
  for (const na of byPath.values()) out.push({ path: na.path, change: 'deleted', oldSize: na.size });
  return out.sort((x, y) => x.path.localeCompare(y.path));
}

export interface MemorySource extends VersionSource {
  calls: { rows: number; detail: number; diff: number };
}

/** A VersionSource over fixture versions, as the real loader would return them. */
export function memorySource(versions: FixtureVersion[], opts: { delayMs?: number } = {}): MemorySource {
  const byId = new Map(versions.map((v) => [v.row.id, v]));
  const wait = () => new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
  const calls = { rows: 0, detail: 0, diff: 0 };
  return {
    calls,
    async rows() { calls.rows++; await wait(); return versions.map((v) => v.row); },
    async detail(row) {
      calls.detail++;
      await wait();
      const v = byId.get(row.id);
      if (!v) throw new Error(`unknown version ${row.id}`);
      return {
        row: v.row,
        artifacts: v.artifacts.map(({ contents: _c, ...info }) => info),
        confusionMatrix: v.confusionMatrix,
        featureImportances: v.featureImportances,
        cost: v.cost,
        reproCommand: `mlv repro --rev ${v.row.rev.slice(0, 7)}`,
      };
    },
    async diff(a, b): Promise<VersionDiff> {
      calls.diff++;
      await wait();
      const va = byId.get(a.id)!;
      const vb = byId.get(b.id)!;
      const pk = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])].sort();
      const mk = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
      return {
        a: a.id, b: b.id,
        params: pk.filter((k) => a.params[k] !== b.params[k]).map((k) => ({ key: k, a: a.params[k], b: b.params[k] })),
        metrics: mk.map((k) => ({
          key: k, a: a.metrics[k], b: b.metrics[k],
          delta: a.metrics[k] !== undefined && b.metrics[k] !== undefined ? b.metrics[k] - a.metrics[k] : undefined,
        })),
        artifacts: diffArtifacts(va.artifacts, vb.artifacts),
      };
    },
    direction: defaultDirection,
  };
}
