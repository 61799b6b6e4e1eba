import { MlvError } from './MlvError.js';

/** Something named by the user does not exist: a path, revision, object or remote. Exit 2. */
export class NotFoundError extends MlvError {
  constructor(what: string, message: string, data: Record<string, unknown> = {}) {
    super('ENOTFOUND', message, 2, { what, ...data });
  }
}
