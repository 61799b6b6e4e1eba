import { MlvError } from './MlvError.js';

/** A check the user asked for did not pass (status --check, repro --rev mismatch). Exit 1. */
export class CheckFailedError extends MlvError {
  constructor(message: string, data: Record<string, unknown> = {}, code = 'ECHECK') {
    super(code, message, 1, data);
  }
}
