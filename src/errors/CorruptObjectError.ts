import { MlvError } from './MlvError.js';

/** An object whose bytes do not hash to its name. Exit 1: a check failed. */
export class CorruptObjectError extends MlvError {
  /** `fix`: what repairs it, appended to the message. */
  constructor(hash: string, actual: string, where: string, fix?: string) {
    super('ECORRUPT', `${where}: object ${hash} is corrupt (its content hashes to ${actual})${fix ? `; ${fix}` : ''}`, 1, {
      hash,
      actual,
      where,
    });
  }
}
