/**
 * Starting a worker thread from a module next to the caller, built (.js) or run through
 * tsx (.ts, tests and benchmarks), for the forest's tree pool and boosting's histograms.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** Starts the worker module `name` (no extension) that sits next to the module `callerUrl`. */
export function startWorker(callerUrl: string, name: string, resourceLimits?: ResourceLimits): Worker {
  const ext = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  const url = new URL(`./${name}${ext}`, callerUrl);
  if (ext === '.js') return new Worker(url, { resourceLimits });
  // Under tsx the worker registers the TypeScript loader itself (execArgv --import does not reach it on Node 20).
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, resourceLimits });
}
