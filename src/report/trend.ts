/** One metric over the commits leading to a version, read from each commit's mlv.lock. */
import { canonicalMetricValues } from '../pipeline/metrics.js';
import { readLockIfValid } from '../repo/lockfile.js';
import { gitSync, readFilesAt } from '../git/porcelain.js';
import type { Report, ResultsInfo } from './model.js';

/** Metrics worth a trend, best first; the first one the version records is drawn. */
const PREFERRED = ['roc_auc', 'accuracy', 'f1', 'f1_macro', 'r2', 'rmse', 'mae'];

export function trendMetric(r: ResultsInfo): { file: string; key: string; name: string } | undefined {
  for (const name of PREFERRED) {
    const h = r.heldOut.find((x) => typeof x.values[name] === 'number');
    if (h) return { file: h.file, key: name, name: `${h.file}:${name}` };
  }
  for (const name of PREFERRED) {
    const t = r.training?.metrics.find((m) => m.name === name);
    if (t) return { file: r.training!.file, key: name, name: `${r.training!.file}:${name} (cross-validated mean)` };
  }
  return undefined;
}

export async function trendOf(root: string, commit: string, results: ResultsInfo, commits: number): Promise<Report['trend']> {
  const m = trendMetric(results);
  if (!m) return undefined;
  const log = gitSync(root, ['log', '-n', String(commits), '--first-parent', '--format=%H%x00%s', commit, '--']).trim().split('\n').filter(Boolean)
    .map((l) => { const [sha, subject] = l.split('\0'); return { sha, subject }; });
  const locks = await readFilesAt(root, log.map((c) => `${c.sha}:mlv.lock`));
  const points: Array<{ commit: string; subject: string; value: number }> = [];
  log.forEach((c, i) => {
    const lock = readLockIfValid(locks[i]?.toString('utf8'));
    const values = Object.values(lock?.stages ?? {}).flatMap((s) => s.metrics).find((x) => x.path === m.file)?.values;
    const v = values === undefined ? undefined : canonicalMetricValues(values)[m.key];
    if (typeof v === 'number') points.push({ commit: c.sha, subject: c.subject, value: v });
  });
  return { metric: m.name, points: points.reverse() };
}
