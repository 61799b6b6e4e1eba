import { isAbsolute, resolve } from 'node:path';
import { NotFoundError, UsageError } from '../errors/index.js';
import type { Config } from '../repo/config.js';
import { LocalRemote } from './local.js';
import type { Remote, RemoteFactory } from './Remote.js';

const factories = new Map<string, RemoteFactory>();

/** Schemes other than local paths (s3:) register here. */
export function registerRemoteScheme(scheme: string, factory: RemoteFactory): void {
  factories.set(scheme, factory);
}

export function remoteName(config: Config, name?: string): string {
  const n = name ?? config.default_remote ?? (Object.keys(config.remotes).length === 1 ? Object.keys(config.remotes)[0] : undefined);
  if (!n) throw new UsageError('no remote given and no default remote set (mlv remote add <name> <url> --default)', {}, 'ENOREMOTE');
  return n;
}

export async function openRemote(config: Config, root: string, name?: string): Promise<Remote> {
  const n = remoteName(config, name);
  const cfg = config.remotes[n];
  if (!cfg) throw new NotFoundError('remote', `remote '${n}' is not configured (.mlv/config); see mlv remote list`, { remote: n });
  const m = /^([a-z][a-z0-9+.-]*):\/\//.exec(cfg.url);
  if (m && m[1] !== 'file') {
    if (!factories.has(m[1])) await import(`./${m[1]}.js`).catch(() => undefined);
    const f = factories.get(m[1]);
    if (!f) throw new UsageError(`remote '${n}': URL scheme '${m[1]}:' is not supported (use a local path or s3://bucket/prefix)`, { remote: n });
    return f(n, cfg, root);
  }
  const path = cfg.url.replace(/^file:\/\//, '');
  return new LocalRemote(n, cfg.url, isAbsolute(path) ? path : resolve(root, path));
}
