/**
 * What experiments need from the pipeline module: `reproduce()`, `setParam()` and the
 * params files a pipeline reads. Experiments reuse repro through its API, never a copy;
 * `expRun`'s `hooks` option can replace them (the default is defaultHooks()).
 */
import { reproduce, setParam, loadPipeline, type StageEvent } from '../pipeline/reproduce.js';
import { DEFAULT_PARAMS } from '../pipeline/load.js';
import type { OverrideValue } from './overrides.js';

export type { StageEvent };

export interface PipelineHooks {
  reproduce: (opts: { root: string; signal?: AbortSignal; onStage?: (e: StageEvent) => void; onOutput?: (stage: string, chunk: Buffer, stream: 'stdout' | 'stderr') => void }) => Promise<unknown>;
  setParam: (root: string, key: string, value: OverrideValue) => void | Promise<void>;
  /** Params files the pipeline of a work tree reads (params.yaml and any other it names). */
  paramsFiles: (root: string) => string[];
}

export function paramsFilesOf(root: string): string[] {
  const files = new Set<string>([DEFAULT_PARAMS]);
  try {
    for (const s of loadPipeline(root).stages.values()) for (const p of s.params) files.add(p.file);
  } catch {
    // A broken or missing mlv.yaml is reported by reproduce() in the run itself.
  }
  return [...files];
}

export function defaultHooks(): PipelineHooks {
  return {
    reproduce: (o) => reproduce(o),
    // Keys must exist: a typo in -S would otherwise run the baseline under a new name.
    setParam: (root, key, value) => setParam(root, key, value),
    paramsFiles: paramsFilesOf,
  };
}
