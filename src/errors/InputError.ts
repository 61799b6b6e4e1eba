import { MlvError } from './MlvError.js';

/** Bad input from the user: a file, line or key at fault. Exit 2. */
export class InputError extends MlvError {
  constructor(message: string, data: Record<string, unknown> = {}, code = 'EINPUT') {
    super(code, message, 2, data);
  }
}
