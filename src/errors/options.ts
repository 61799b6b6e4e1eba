import { UsageError } from './UsageError.js';

/**
 * A count given as an option (--jobs, -n, --seed, --concurrency …) is checked once, by the
 * library verb that takes it, for every caller; the CLI only turns the text into a number.
 * A bad value is a UsageError (EUSAGE, exit 2) naming the option and the value.
 */
export function checkCount(option: string, value: number | undefined, min = 1): void {
  // -Infinity: any whole number (a seed).
  if (value === undefined) return;
  if (Number.isSafeInteger(value) && value >= min) return;
  throw new UsageError(`${option} ${value}: expected a whole number${min === -Infinity ? '' : `, ${min} or more`}`, { option, value });
}
