import { MlvError } from './MlvError.js';

/** The queue's Redis cannot be reached or refuses mlv. Exit 2: the setup needs fixing, nothing in mlv broke. */
export class QueueUnavailableError extends MlvError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('EQUEUE', message, 2, data);
  }
}
