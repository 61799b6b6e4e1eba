/**
 * Hooks the pipeline adds to the data verbs, imported for its side effect by those
 * verbs: status lists stale stages; diff gains params and metrics sections; gc keeps
 * run-cache objects. (mlv.lock outputs count as tracked data through repo/tracked.ts.)
 */
import { registerDiffSection, registerGcRoots, registerStatusHook, type StageStatus } from '../api/hooks.js';
import { openRepoAt } from '../repo/Repo.js';
import { hasPipeline, loadPipeline } from './load.js';
import { loadLock } from '../repo/lockfile.js';
import { metricsDiffRows, paramsDiffRows } from './compare.js';
import { runCacheObjects } from './runCache.js';
import { Stage } from './stage.js';

/**
 * Stages of a work tree that would run now, with why; and stages whose deps or outputs
 * are only not pulled (empty `reasons`, `notPulled` paths), which would not.
 */
export async function staleStages(root: string): Promise<StageStatus[]> {
  if (!hasPipeline(root)) return [];
  const pipeline = loadPipeline(root);
  const lock = loadLock(root);
  const repo = openRepoAt(root);
  const out: StageStatus[] = [];
  for (const name of pipeline.order) {
    const def = pipeline.stages.get(name)!;
    if (def.frozen) continue;
    const { reasons, notPulled } = await new Stage(def).changed(repo, lock.stages[name]);
    if (reasons.length || notPulled.length) out.push({ stage: name, reasons, ...(notPulled.length ? { notPulled: notPulled.map((n) => n.path) } : {}) });
  }
  repo.state().save();
  return out;
}

registerStatusHook(staleStages);
registerDiffSection(async (repo, a, b) => ({
  params: await paramsDiffRows(repo.root, a, b),
  metrics: await metricsDiffRows(repo.root, a, b),
}));
registerGcRoots(async (root) => runCacheObjects(openRepoAt(root)));
