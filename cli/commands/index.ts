import type { Program } from '../program.js';

/**
 * Command modules are loaded on demand: `mlv status` loads only status.ts and what it
 * imports, not the ML built-ins or the UI, so start-up stays short. To add a command:
 * one entry in `modules`, and its top-level names in `names`.
 */
type Module = { register: (program: Program) => void };
const modules: Record<string, () => Promise<Module>> = {
  init: () => import('./init.js'),
  add: () => import('./add.js'),
  status: () => import('./status.js'),
  checkout: () => import('./checkout.js'),
  get: () => import('./get.js'),
  diff: () => import('./diff.js'),
  gc: () => import('./gc.js'),
  fsck: () => import('./fsck.js'),
  remote: () => import('./remote.js'),
  push: () => import('./push.js'),
  installHooks: () => import('./installHooks.js'),
  mergeDriver: () => import('./mergeDriver.js'),
  importDvc: () => import('./importDvc.js'),
  repro: () => import('./repro.js'),
  params: () => import('./params.js'),
  metrics: () => import('./metrics.js'),
  exp: () => import('./exp.js'),
  explore: () => import('./explore.js'),
  split: () => import('./split.js'),
  featurize: () => import('./featurize.js'),
  train: () => import('./train.js'),
  predict: () => import('./predict.js'),
  evaluate: () => import('./evaluate.js'),
  importModel: () => import('./importModel.js'),
  ui: () => import('./ui.js'),
  report: () => import('./report.js'),
  queue: () => import('./queue.js'),
  worker: () => import('./worker.js'),
};

/** Top-level command name → the module that registers it (where they differ). */
const names: Record<string, string> = { pull: 'push', fetch: 'push', 'install-hooks': 'installHooks', 'import-model': 'importModel', 'merge-driver': 'mergeDriver', 'import-dvc': 'importDvc' };

export async function registerAll(program: Program, argv: string[]): Promise<void> {
  const word = argv.slice(2).find((a) => !a.startsWith('-'));
  const key = word === undefined ? undefined : names[word] ?? (word in modules ? word : undefined);
  if (!word && (argv.includes('-V') || argv.includes('--version'))) return;
  // Help, a typo or no command: register everything so commander can list or suggest.
  const keys = key ? [key] : Object.keys(modules);
  const loaded = await Promise.all(keys.map((k) => modules[k]()));
  for (const m of loaded) m.register(program);
}
