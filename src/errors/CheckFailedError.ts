import { MlvError } from './MlvError.js';

/**
 * Exit 1: the command was right but what it met was not — objects that failed to push or
 * pull or are not on the remote, a network or server error of a remote, an upload the
 * server stored wrongly, a damaged input of repro --rev. (status --check, fsck and a
 * repro --rev mismatch report their findings and set exit 1 without throwing.)
 */
export class CheckFailedError extends MlvError {
  constructor(message: string, data: Record<string, unknown> = {}, code = 'ECHECK') {
    super(code, message, 1, data);
  }
}
