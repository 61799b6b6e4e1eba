/**
 * Where the experiment queue lives: `queue:` of `.mlv/config` (url without secrets,
 * name), completed from `.mlv/config.local` and the environment, which alone may hold
 * the password. Only `where` (the URL with any password masked) is ever shown.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, InputError } from '../errors/index.js';
import { loadConfig, type Config } from '../repo/config.js';

export const DEFAULT_ATTEMPTS = 2;
export const DEFAULT_STALLED_INTERVAL = 30_000;

export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

export interface QueueSettings {
  /** BullMQ queue name. */
  name: string;
  /** The queue's URL with any password masked: the only form printed or logged. */
  where: string;
  connection: RedisConnection;
  /** git remote the baselines come from and experiment refs go to. */
  gitRemote: string;
  attempts: number;
  /** ms: BullMQ's stalledInterval and lockDuration. */
  stalledInterval: number;
}

export type Env = Record<string, string | undefined>;

/** A Redis URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^/@]*)@/, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon >= 0 ? `${auth.slice(0, colon)}:***` : auth}@`;
  });
}

/** Remove a password from any text (an error message) that might quote it. */
export function scrub(text: string, s: Pick<QueueSettings, 'connection'>): string {
  const pw = s.connection.password;
  return pw ? text.split(pw).join('***') : text;
}

/**
 * The queue settings of a workspace's config and environment.
 * Env: MLV_QUEUE_URL replaces queue.url; MLV_QUEUE_USERNAME / MLV_QUEUE_PASSWORD set
 * the credentials.
 */
export function queueSettings(config: Config, env: Env): QueueSettings {
  const q = config.queue;
  const url = env.MLV_QUEUE_URL || q?.url;
  if (!url) throw new UsageError('no queue configured: add `queue: {url: redis://host:6379/0, name: <project>}` to .mlv/config (or set MLV_QUEUE_URL)', { key: 'queue.url' }, 'ENOQUEUE');
  if (!q?.name) throw new UsageError('.mlv/config: queue.name is missing (the BullMQ queue name, one per project)', { key: 'queue.name' }, 'ENOQUEUE');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`queue url ${redactUrl(url)}: not a URL (redis://host:port/db)`, { key: 'queue.url' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new InputError(`queue url ${redactUrl(url)}: must start with redis:// or rediss://`, { key: 'queue.url' });
  const dbText = parsed.pathname.replace(/^\//, '') || '0';
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new InputError(`queue url ${redactUrl(url)}: database '${dbText}' is not a number`, { key: 'queue.url' });
  const username = env.MLV_QUEUE_USERNAME || decodeURIComponent(parsed.username) || undefined;
  const password = env.MLV_QUEUE_PASSWORD || decodeURIComponent(parsed.password) || undefined;
  const connection: RedisConnection = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const where = `${parsed.protocol}//${username ? `${username}${password ? ':***' : ''}@` : password ? ':***@' : ''}${parsed.host}/${db}`;
  return {
    name: q.name,
    where,
    connection,
    gitRemote: q.git_remote ?? 'origin',
    attempts: q.attempts ?? DEFAULT_ATTEMPTS,
    stalledInterval: q.stalled_interval ?? DEFAULT_STALLED_INTERVAL,
  };
}

/**
 * Whether the workspace's .mlv/config (or config.local) has a `queue:` section: readers
 * that show the queue beside something else (`exp show`, `ui`) load nothing more without one.
 */
export function queueConfigured(root: string): boolean {
  const mlvDir = join(root, '.mlv');
  if (!existsSync(mlvDir)) return false;
  try {
    return loadConfig(mlvDir).queue !== undefined;
  } catch {
    return false;
  }
}
