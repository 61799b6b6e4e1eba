/**
 * Registering `mlv merge-driver` with git: the driver in .git/config (git never copies
 * it with a clone, so each clone runs `mlv install-hooks`) and the attributes that
 * route `*.mlv` and `mlv.lock` to it in the committed .gitattributes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitSync } from '../git/porcelain.js';
import { writeFileAtomic } from '../store/atomic.js';

export const DRIVER = 'mlv';
export const ATTRIBUTES = ['*.mlv merge=mlv', 'mlv.lock merge=mlv'];

export interface MergeDriverSetup {
  /** .git/config was changed. */
  config: boolean;
  /** Lines added to .gitattributes. */
  attributes: string[];
}

/** Idempotent: only what is missing or different is written. */
export function registerMergeDriver(root: string, mlvCommand: string): MergeDriverSetup {
  const want: Record<string, string> = {
    [`merge.${DRIVER}.name`]: 'mlv: three-way merge of data pointers and mlv.lock',
    [`merge.${DRIVER}.driver`]: `${mlvCommand} merge-driver %O %A %B %P`,
  };
  let config = false;
  for (const [k, v] of Object.entries(want)) {
    if (gitSync(root, ['config', '--local', '--get', k], { allowFail: true }).replace(/\n$/, '') === v) continue;
    gitSync(root, ['config', '--local', k, v]);
    config = true;
  }
  const file = join(root, '.gitattributes');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const have = new Set(text.split('\n').map((l) => l.trim().split(/\s+/).join(' ')));
  const add = ATTRIBUTES.filter((l) => !have.has(l));
  if (add.length) {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    const head = text === '' ? '# mlv merge driver (mlv install-hooks registers it in each clone)\n' : '';
    writeFileAtomic(file, text + sep + head + add.join('\n') + '\n', { mode: 0o666 });
  }
  return { config, attributes: add };
}
