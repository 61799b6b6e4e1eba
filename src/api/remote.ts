import { InputError, NotFoundError } from '../errors/index.js';
import { updateConfigFile, loadConfig } from '../repo/config.js';
import { checkEndpointUrl, parseS3Url } from '../remote/urls.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';

export interface RemoteAddOptions extends RepoOptions {
  name: string;
  url: string;
  default?: boolean;
  /** S3 settings; machine-specific ones (profile) go to config.local. */
  endpointUrl?: string;
  region?: string;
  profile?: string;
  local?: boolean;
  force?: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Configure a remote in `.mlv/config` (or `.mlv/config.local` with `local`).
 * @example
 *   await remoteAdd({ cwd, name: 'origin', url: '/mnt/shared/mlv', default: true })
 */
export async function remoteAdd(opts: RemoteAddOptions): Promise<{ name: string; url: string; default: boolean }> {
  const repo = openRepo(opts);
  if (!NAME.test(opts.name)) throw new InputError(`remote name '${opts.name}' may use letters, digits, '.', '_' and '-'`, { key: 'name' });
  if (!opts.url) throw new InputError('remote url is empty');
  if (opts.url.startsWith('s3://')) parseS3Url(opts.url);
  const s3 = opts.url.startsWith('s3://');
  if (!s3 && (opts.endpointUrl || opts.region || opts.profile)) {
    throw new InputError(`--endpoint-url, --region and --profile apply to s3:// remotes only, not ${opts.url}`, { key: 'url' });
  }
  if (opts.endpointUrl) checkEndpointUrl(opts.endpointUrl, '--endpoint-url');
  if (repo.config.remotes[opts.name] && !opts.force) throw new InputError(`remote '${opts.name}' exists already (${repo.config.remotes[opts.name].url}); use --force to replace it`, { key: opts.name });
  const which = opts.local ? 'local' : 'shared';
  updateConfigFile(repo.mlvDir, which, (raw) => {
    const remotes = (raw.remotes ?? {}) as Record<string, Record<string, unknown>>;
    const entry: Record<string, unknown> = { url: opts.url };
    if (opts.endpointUrl) entry.endpoint_url = opts.endpointUrl;
    if (opts.region) entry.region = opts.region;
    remotes[opts.name] = entry;
    raw.remotes = remotes;
    const isFirst = Object.keys(repo.config.remotes).length === 0;
    if (opts.default || (isFirst && !raw.default_remote)) raw.default_remote = opts.name;
  });
  if (opts.force && !opts.local) {
    // A replaced remote must not inherit the old one's machine-specific settings.
    updateConfigFile(repo.mlvDir, 'local', (raw) => {
      const remotes = raw.remotes as Record<string, unknown> | undefined;
      if (remotes?.[opts.name]) delete remotes[opts.name];
    });
  }
  if (opts.profile) {
    updateConfigFile(repo.mlvDir, 'local', (raw) => {
      const remotes = (raw.remotes ?? {}) as Record<string, Record<string, unknown>>;
      remotes[opts.name] = { ...(remotes[opts.name] ?? {}), profile: opts.profile };
      raw.remotes = remotes;
    });
  }
  const cfg = loadConfig(repo.mlvDir);
  return { name: opts.name, url: opts.url, default: cfg.default_remote === opts.name };
}

export async function remoteList(opts: RepoOptions): Promise<Array<{ name: string; url: string; default: boolean }>> {
  const repo = openRepo(opts);
  return Object.entries(repo.config.remotes)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, r]) => ({ name, url: r.url, default: repo.config.default_remote === name }));
}

export async function remoteRemove(opts: RepoOptions & { name: string }): Promise<void> {
  const repo = openRepo(opts);
  if (!repo.config.remotes[opts.name]) throw new NotFoundError('remote', `remote '${opts.name}' is not configured`, { remote: opts.name });
  for (const which of ['shared', 'local'] as const) {
    updateConfigFile(repo.mlvDir, which, (raw) => {
      const remotes = (raw.remotes ?? {}) as Record<string, unknown>;
      delete remotes[opts.name];
      if (raw.remotes) raw.remotes = remotes;
      if (raw.default_remote === opts.name) delete raw.default_remote;
    });
  }
}

export async function remoteDefault(opts: RepoOptions & { name: string }): Promise<void> {
  const repo = openRepo(opts);
  if (!repo.config.remotes[opts.name]) throw new NotFoundError('remote', `remote '${opts.name}' is not configured`, { remote: opts.name });
  updateConfigFile(repo.mlvDir, 'shared', (raw) => { raw.default_remote = opts.name; });
}
