/**
 * Long cell text in what explore keeps and prints: a 100 MB value must not be held per
 * distinct value, sampled, or printed whole (docs/ml-data.md, "Limits").
 */
import { createHash } from 'node:crypto';

/** Longest cell or column name explore keeps and shows as it is. */
export const MAX_SHOWN_CHARS = 200;

/**
 * `s` itself when short; else its first MAX_SHOWN_CHARS characters, its length and a
 * short hash, so that two long values that differ after the cut still count as distinct.
 * @example
 *   cutCell('a'.repeat(1e6)) // 'aaaa…aaa… (1,000,000 chars, sha256 41edece42d63)'
 */
export function cutCell(s: string): string {
  if (s.length <= MAX_SHOWN_CHARS) return s;
  const h = createHash('sha256').update(s).digest('hex').slice(0, 12);
  return `${s.slice(0, MAX_SHOWN_CHARS)}… (${s.length.toLocaleString('en-US')} chars, sha256 ${h})`;
}
