import { MlvError } from './MlvError.js';

/** A command used the wrong way (flags, arguments, not in a repository). Exit 2. */
export class UsageError extends MlvError {
  constructor(message: string, data: Record<string, unknown> = {}, code = 'EUSAGE') {
    super(code, message, 2, data);
  }
}
