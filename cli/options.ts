/**
 * Option text → values. The CLI only parses here; the library verb checks the value
 * (src/errors/options.ts), so a mistake reads the same from every verb.
 */
import { UsageError } from '../src/errors/index.js';

const parse = (option: string, text: string, what: string, ok: (n: number) => boolean): number => {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!ok(n)) throw new UsageError(`${option} ${text}: expected ${what}`, { option, value: text });
  return n;
};

/** commander parser: the option's text as a number ("--tolerance abc" is a UsageError naming it). */
export const number = (option: string) => (text: string): number => parse(option, text, 'a number', (n) => !Number.isNaN(n));

/**
 * commander parser for a count: text that is no number at all ("-j two") is refused here;
 * its range (a whole number, 1 or more) is the library's to check.
 */
export const count = (option: string) => (text: string): number => parse(option, text, 'a whole number', (n) => !Number.isNaN(n));
