/**
 * The `yaml` package, loaded on first use. Loading it costs 25–60 ms of start-up here
 * (more than commander), and a command whose YAML files are all in the parse cache
 * (src/repo/parseCache.ts) or in mlv's canonical pointer form never needs it.
 */
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';
import { InputError } from './errors/index.js';

export type { Document, Node, Pair } from 'yaml';

const requireLazy = createRequire(import.meta.url);
let loaded: typeof YamlModule | undefined;

export function yaml(): typeof YamlModule {
  return (loaded ??= requireLazy('yaml') as typeof YamlModule);
}

/**
 * A parsed document as plain values. `yaml` stops a document whose aliases would expand
 * without bound (a "billion laughs" bomb) with a ReferenceError; that is bad input in
 * `file`, not a bug of mlv, so it becomes one InputError line naming the file.
 */
export function toJSOf(doc: { toJS(): unknown }, file: string): unknown {
  try {
    return doc.toJS();
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new InputError(`${file}: too many YAML aliases (expanding them would exhaust memory); write the values out`, { file }, 'EYAMLALIAS');
    }
    throw e;
  }
}
