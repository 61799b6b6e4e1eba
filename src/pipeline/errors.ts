import { MlvError } from '../errors/index.js';

/**
 * A stage's command failed (or was stopped). Exit 1: the pipeline did not pass. The
 * message names the stage and ends with the tail of its stderr.
 */
export class StageFailedError extends MlvError {
  constructor(stage: string, message: string, data: Record<string, unknown> = {}) {
    super('ESTAGE', message, 1, { stage, ...data });
  }
}
