import { MlvError } from './MlvError.js';

/** An operation would overwrite uncommitted user data or collide with a lock. Exit 2. */
export class ConflictError extends MlvError {
  constructor(message: string, data: Record<string, unknown> = {}, code = 'ECONFLICT') {
    super(code, message, 2, data);
  }
}
