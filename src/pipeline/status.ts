/** Which pipeline stages of a work tree would run now, and why: the pipeline's part of `mlv status`. */
import { openRepoAt } from '../repo/Repo.js';
import { hasPipeline, loadPipeline } from './load.js';
import { loadLock } from '../repo/lockfile.js';

/**
 * A stage whose inputs changed, for `mlv status`: `reasons` why it must run (empty when
 * it is listed only for `notPulled`: deps or outputs never pulled, no change of the user's).
 */
export type StageStatus = { stage: string; reasons: string[]; notPulled?: string[] };

/**
 * Stages of a work tree that would run now, with why; and stages whose deps or outputs
 * are only not pulled (empty `reasons`, `notPulled` paths), which would not.
 */
export async function staleStages(root: string): Promise<StageStatus[]> {
  if (!hasPipeline(root)) return [];
  // Loaded only for a work tree with a pipeline: what checks a stage (its params, its
  // command's process group) is five modules every plain `mlv status` would load.
  const { Stage } = await import('./stage.js');
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
