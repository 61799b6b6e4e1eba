/** A job of the experiment queue by id, or one clear error naming the queue. */
import { NotFoundError } from '../errors/index.js';
import { bullmq, type ExpJob, type ExpQueue } from './bull.js';
import type { QueueSettings } from './settings.js';

export async function findJob(queue: ExpQueue, s: QueueSettings, id: string): Promise<ExpJob> {
  const { Job } = await bullmq();
  const job = (await Job.fromId(queue, id)) as ExpJob | undefined;
  if (!job) throw new NotFoundError('job', `job ${id}: not in queue '${s.name}' (mlv queue status lists the jobs)`, { job: id });
  return job;
}
