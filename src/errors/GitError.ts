import { MlvError } from './MlvError.js';

/**
 * git itself failed for a reason that is not the user's input: a broken repository,
 * a missing object, no git binary. Exit 3 (internal), with git's own message.
 */
export class GitError extends MlvError {
  constructor(message: string, data: Record<string, unknown> = {}, code = 'EGIT') {
    super(code, message, 3, data);
  }
}
