/**
 * Parsed YAML, kept as JSON in `.mlv/tmp/parsed/<name>.json` beside the SHA-256 of the
 * text it came from (docs/FORMAT.md, "Local state"). A fresh process pays ~10 ms per
 * stage to parse mlv.yaml or mlv.lock with the `yaml` package, plus loading it; a hit
 * costs one small JSON read. Only a cache: every failure falls back to parsing, and
 * errors are never cached (a bad file is parsed, and reported, every time).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { hashBytes } from '../store/hash.js';

/**
 * JSON keeps it: no NaN/Infinity/-0, Dates, Maps or class instances, no undefined in
 * arrays. An object property set to undefined is dropped, which reads back the same.
 */
export function jsonSafe(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(jsonSafe);
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as object).every((x) => x === undefined || jsonSafe(x));
  }
  return false;
}

/**
 * `parse()`'s result for `text`, from the cache when the text is unchanged.
 * @param root the work tree (its `.mlv/` holds the cache); none → no caching
 * @param name one cache file per source, e.g. `mlv.yaml`, `params:params.yaml`
 */
export function cachedParse<T>(root: string | undefined, name: string, text: string, parse: () => T): T {
  if (root === undefined || !existsSync(join(root, '.mlv'))) return parse();
  const file = join(root, '.mlv', 'tmp', 'parsed', `${encodeURIComponent(name)}.json`);
  const hash = hashBytes(text);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { hash?: string; value?: T };
    if (cached.hash === hash && 'value' in cached) return cached.value as T;
  } catch { /* none yet, or damaged: parse */ }
  const value = parse();
  if (jsonSafe(value)) {
    try {
      writeFileAtomic(file, JSON.stringify({ hash, value }));
    } catch { /* read-only or full: the cache is optional */ }
  }
  return value;
}
