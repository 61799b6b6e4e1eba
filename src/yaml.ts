/**
 * The `yaml` package, loaded on first use. Loading it costs 25–60 ms of start-up here
 * (more than commander), and a command whose YAML files are all in the parse cache
 * (src/repo/parseCache.ts) or in mlv's canonical pointer form never needs it.
 */
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

export type { Document, Node, Pair } from 'yaml';

const requireLazy = createRequire(import.meta.url);
let loaded: typeof YamlModule | undefined;

export function yaml(): typeof YamlModule {
  return (loaded ??= requireLazy('yaml') as typeof YamlModule);
}
