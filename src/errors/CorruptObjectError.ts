import { MlvError } from './MlvError.js';

/** An object whose bytes do not hash to its name. Exit 1: a check failed. */
export class CorruptObjectError extends MlvError {
  constructor(hash: string, actual: string, where: string) {
    super('ECORRUPT', `${where}: object ${hash} is corrupt (its content hashes to ${actual})`, 1, {
      hash,
      actual,
      where,
    });
  }
}
