/**
 * `.dvc/config` (configobj INI): the remotes, the default remote and the cache
 * directory. Local and S3 remotes carry over to mlv; others are named as skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from '../errors/index.js';

export interface DvcRemote {
  name: string;
  url: string;
  /** S3 only. */
  endpointUrl?: string;
  region?: string;
}

export interface DvcConfig {
  remotes: DvcRemote[];
  defaultRemote?: string;
  /** Absolute path of `[cache] dir`, when set. */
  cacheDir?: string;
}

/** Sections and their keys; `['remote "x"']` and `[remote "x"]` both name section `remote "x"`. */
export function parseIni(text: string, file: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const sec = /^\[\s*(?:'([^']*)'|"([^"]*)"|([^\]]*))\s*\]$/.exec(line);
    if (sec) {
      const name = (sec[1] ?? sec[2] ?? sec[3]).trim();
      current = sections.get(name) ?? {};
      sections.set(name, current);
      return;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!kv || !current) throw new InputError(`${file}:${i + 1}: cannot read '${line}' (expected [section] or key = value)`, { file, line: i + 1 });
    current[kv[1].trim()] = kv[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  });
  return sections;
}

/** `.dvc/config` then `.dvc/config.local` (machine-specific values override, key by key). */
export function readDvcConfig(root: string): DvcConfig {
  const merged = new Map<string, Record<string, string>>();
  for (const name of ['config', 'config.local']) {
    const p = join(root, '.dvc', name);
    if (!existsSync(p)) continue;
    for (const [sec, kv] of parseIni(readFileSync(p, 'utf8'), `.dvc/${name}`)) merged.set(sec, { ...(merged.get(sec) ?? {}), ...kv });
  }
  const remotes: DvcRemote[] = [];
  for (const [sec, kv] of merged) {
    const m = /^remote\s+"(.+)"$/.exec(sec);
    if (!m || !kv.url) continue;
    remotes.push({ name: m[1], url: kv.url, ...(kv.endpointurl ? { endpointUrl: kv.endpointurl } : {}), ...(kv.region ? { region: kv.region } : {}) });
  }
  const dir = merged.get('cache')?.dir;
  // A relative cache dir is relative to .dvc/, where the config lives.
  const cacheDir = dir ? (isAbsolute(dir) ? dir : resolve(root, '.dvc', dir)) : undefined;
  return { remotes, defaultRemote: merged.get('core')?.remote, cacheDir };
}

/** An mlv remote URL for a DVC remote, or why it is skipped. */
export function mlvRemoteUrl(r: DvcRemote, root: string): { url: string } | { skip: string } {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(r.url)?.[1]?.toLowerCase();
  if (scheme === 's3') return { url: r.url };
  if (scheme === undefined || scheme === 'file') {
    const path = r.url.replace(/^file:\/\//, '');
    // DVC resolves a relative remote path against .dvc/; mlv against the repository root.
    return { url: isAbsolute(path) ? path : relative(root, resolve(root, '.dvc', path)).split('\\').join('/') || '.' };
  }
  return { skip: `${scheme}: remotes are not supported by mlv (local paths and s3:// are)` };
}
