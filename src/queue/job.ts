/**
 * What a queued experiment carries (BullMQ job data) and what its worker returns (job
 * result). The data names a commit, not a workspace: everything else the worker needs
 * comes from the git remote and the mlv remote.
 */
import type { Point } from '../experiments/overrides.js';

/** BullMQ job name of a queued experiment. */
export const EXP_JOB = 'exp';

export interface ExpJobData {
  /** Layout version of this record. */
  v: 1;
  /** Id of the `exp run --queue` that made the job; job ids are `<sweep>-<n>`. */
  sweep: string;
  /** Full commit id the experiment starts from (reachable on the git remote). */
  baseline: string;
  /** Experiment name: the ref is refs/mlv/exps/<baseline>/<name>. */
  name: string;
  point: Point;
  message?: string;
  /** `user@host` of whoever queued it. */
  submitter: string;
  /** ISO 8601. */
  submitted: string;
  /** Set by `mlv queue cancel` on a running job: its worker stops it and fails it as cancelled. */
  cancel?: { by: string; at: string };
}

export interface ExpJobTimings {
  /** git: fetching the baseline, checking and pushing the experiment ref. */
  git: number;
  /** mlv remote: pulling inputs and pushing outputs. */
  objects: number;
  /** The run itself: worktree, reproduce, experiment commit. */
  run: number;
  total: number;
}

export interface ExpJobResult {
  name: string;
  baseline: string;
  status: 'ok';
  ref: string;
  commit: string;
  metrics: Record<string, number>;
  params: Point;
  /** Seconds of the run (as in a local sweep's table). */
  seconds: number;
  host: string;
  worker: string;
  /** True when an earlier attempt had already pushed this job's ref: nothing ran again. */
  reused: boolean;
  timings: ExpJobTimings;
  objects: { pulled: number; pushed: number };
}

/** The trailer value that ties an experiment commit to its job. */
export function jobTag(queueName: string, jobId: string): string {
  return `${queueName}/${jobId}`;
}
