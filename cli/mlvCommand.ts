import { join } from 'node:path';
import { mlvPackageRoot } from '../src/api/installHooks.js';

/** This mlv as a shell command (absolute node + script), so git hooks and drivers run without PATH. */
export function mlvCommand(): string {
  const bin = join(mlvPackageRoot(), 'bin', 'mlv.js');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `${q(process.execPath)} ${q(bin)}`;
}
