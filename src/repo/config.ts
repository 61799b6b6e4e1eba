/**
 * `.mlv/config` (committed) and `.mlv/config.local` (git-ignored), docs/FORMAT.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { toJSOf, yaml } from '../yaml.js';
import { cachedParse } from './parseCache.js';
import { InputError } from '../errors/index.js';
import { writeFileAtomic } from '../store/atomic.js';
import { LINK_TYPES, type LinkType } from '../store/ObjectStore.js';

export interface RemoteConfig {
  url: string;
  endpoint_url?: string;
  region?: string;
  profile?: string;
  jobs?: number;
}

/** The experiment queue (src/queue/): Redis URL without secrets, BullMQ queue name. */
export interface QueueConfig {
  url: string;
  name: string;
  git_remote?: string;
  attempts?: number;
  /** Milliseconds; BullMQ's stalledInterval and lockDuration. */
  stalled_interval?: number;
}

export interface Config {
  format: number;
  hash: 'sha256';
  link: LinkType[];
  /** fsync objects before they are renamed into place (docs/FORMAT.md). */
  fsync: boolean;
  default_remote?: string;
  remotes: Record<string, RemoteConfig>;
  /** Seconds a writer waits for `.mlv/lock` (repo/lock.ts); the environment's MLV_LOCK_TIMEOUT wins. */
  lock_timeout?: number;
  queue?: QueueConfig;
}

export const DEFAULT_CONFIG: Config = { format: 1, hash: 'sha256', link: ['reflink', 'copy'], fsync: false, remotes: {} };

const TOP_KEYS = new Set(['format', 'hash', 'link', 'fsync', 'default_remote', 'remotes', 'lock_timeout', 'queue']);
const QUEUE_KEYS = new Set(['url', 'name', 'git_remote', 'attempts', 'stalled_interval']);
const REMOTE_KEYS = new Set(['url', 'endpoint_url', 'region', 'profile', 'jobs']);

function readYaml(path: string, label: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  // <root>/.mlv/config*: the work tree's parse cache serves it.
  const v = cachedParse(dirname(dirname(path)), basename(path), text, () => {
    const doc = yaml().parseDocument(text, { prettyErrors: true });
    if (doc.errors.length) {
      const e = doc.errors[0];
      throw new InputError(`${label}: line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`, { file: label });
    }
    return toJSOf(doc, label) ?? {};
  });
  if (typeof v !== 'object' || Array.isArray(v)) throw new InputError(`${label}: expected a mapping of settings`, { file: label });
  return v as Record<string, unknown>;
}

function validate(raw: Record<string, unknown>, label: string): Partial<Config> {
  for (const k of Object.keys(raw)) if (!TOP_KEYS.has(k)) throw new InputError(`${label}: unknown key '${k}'`, { file: label, key: k });
  const out: Partial<Config> = {};
  if (raw.format !== undefined) {
    if (raw.format !== 1) throw new InputError(`${label}: format ${String(raw.format)} is not supported by this mlv (1)`, { file: label, key: 'format' });
    out.format = 1;
  }
  if (raw.hash !== undefined && raw.hash !== 'sha256') throw new InputError(`${label}: hash '${String(raw.hash)}' is not supported (sha256)`, { file: label, key: 'hash' });
  if (raw.link !== undefined) {
    const list = (Array.isArray(raw.link) ? raw.link : String(raw.link).split(',')).map((s) => String(s).trim());
    for (const l of list) if (!LINK_TYPES.includes(l as LinkType)) throw new InputError(`${label}: link type '${l}' is not one of ${LINK_TYPES.join(', ')}`, { file: label, key: 'link' });
    out.link = list as LinkType[];
  }
  if (raw.fsync !== undefined) {
    if (typeof raw.fsync !== 'boolean') throw new InputError(`${label}: fsync must be true or false`, { file: label, key: 'fsync' });
    out.fsync = raw.fsync;
  }
  if (raw.lock_timeout !== undefined) {
    if (typeof raw.lock_timeout !== 'number' || !Number.isFinite(raw.lock_timeout) || raw.lock_timeout < 0) throw new InputError(`${label}: lock_timeout must be a number of seconds, 0 or more`, { file: label, key: 'lock_timeout' });
    out.lock_timeout = raw.lock_timeout;
  }
  if (raw.default_remote !== undefined) out.default_remote = String(raw.default_remote);
  if (raw.remotes !== undefined) {
    if (typeof raw.remotes !== 'object' || raw.remotes === null) throw new InputError(`${label}: remotes must be a mapping`, { file: label, key: 'remotes' });
    out.remotes = {};
    for (const [name, r] of Object.entries(raw.remotes as Record<string, unknown>)) {
      const rc = (r ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(rc)) if (!REMOTE_KEYS.has(k)) throw new InputError(`${label}: remotes.${name}: unknown key '${k}'`, { file: label, key: `remotes.${name}.${k}` });
      out.remotes[name] = rc as unknown as RemoteConfig;
    }
  }
  if (raw.queue !== undefined) out.queue = validateQueue(raw.queue, label) as QueueConfig;
  return out;
}

function validateQueue(q: unknown, label: string): Partial<QueueConfig> {
  if (typeof q !== 'object' || q === null || Array.isArray(q)) throw new InputError(`${label}: queue must be a mapping (url, name)`, { file: label, key: 'queue' });
  const rq = q as Record<string, unknown>;
  for (const k of Object.keys(rq)) if (!QUEUE_KEYS.has(k)) throw new InputError(`${label}: queue: unknown key '${k}' (${[...QUEUE_KEYS].join(', ')})`, { file: label, key: `queue.${k}` });
  const out: Partial<QueueConfig> = {};
  for (const k of ['url', 'name', 'git_remote'] as const) {
    if (rq[k] === undefined) continue;
    if (typeof rq[k] !== 'string' || !rq[k]) throw new InputError(`${label}: queue.${k} must be a non-empty string`, { file: label, key: `queue.${k}` });
    out[k] = rq[k] as string;
  }
  for (const k of ['attempts', 'stalled_interval'] as const) {
    if (rq[k] === undefined) continue;
    if (!Number.isInteger(rq[k]) || (rq[k] as number) < 1) throw new InputError(`${label}: queue.${k} must be a positive whole number`, { file: label, key: `queue.${k}` });
    out[k] = rq[k] as number;
  }
  if (out.url !== undefined && !/^rediss?:\/\//.test(out.url)) throw new InputError(`${label}: queue.url must start with redis:// or rediss://`, { file: label, key: 'queue.url' });
  // The committed file is shared with everyone who clones: a password there leaks.
  if (out.url !== undefined && label === '.mlv/config' && /^rediss?:\/\/[^/@]*:[^/@]*@/.test(out.url)) {
    throw new InputError(`${label}: queue.url holds a password; put it in MLV_QUEUE_PASSWORD or in queue.url of .mlv/config.local (not committed)`, { file: label, key: 'queue.url' });
  }
  return out;
}

export function configPaths(mlvDir: string): { shared: string; local: string } {
  return { shared: join(mlvDir, 'config'), local: join(mlvDir, 'config.local') };
}

export function loadConfig(mlvDir: string): Config {
  const { shared, local } = configPaths(mlvDir);
  const a = validate(readYaml(shared, '.mlv/config'), '.mlv/config');
  const b = validate(readYaml(local, '.mlv/config.local'), '.mlv/config.local');
  const remotes: Record<string, RemoteConfig> = { ...(a.remotes ?? {}) };
  for (const [name, r] of Object.entries(b.remotes ?? {})) remotes[name] = { ...(remotes[name] ?? {}), ...r };
  const queue = a.queue || b.queue ? { ...(a.queue ?? {}), ...(b.queue ?? {}) } as QueueConfig : undefined;
  return { ...DEFAULT_CONFIG, ...a, ...b, remotes, ...(queue ? { queue } : {}) };
}

/** Read one of the two files raw, change it, write it back atomically. */
export function updateConfigFile(mlvDir: string, which: 'shared' | 'local', change: (raw: Record<string, unknown>) => void): void {
  const path = configPaths(mlvDir)[which];
  const label = which === 'shared' ? '.mlv/config' : '.mlv/config.local';
  const raw = readYaml(path, label);
  change(raw);
  if (!existsSync(path) && Object.values(raw).every((v) => v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0))) return;
  validate(raw, label);
  writeFileAtomic(path, renderConfig(raw, which));
}

export function renderConfig(raw: Record<string, unknown>, which: 'shared' | 'local'): string {
  const head = which === 'shared'
    ? '# mlv settings, committed with the repository (docs/FORMAT.md).\n# Machine-specific settings go in .mlv/config.local (not committed).\n'
    : '# mlv settings for this machine only (git-ignored). Never put credentials here.\n';
  // Key order is fixed so the committed file does not churn.
  const ordered: Record<string, unknown> = {};
  for (const k of ['format', 'hash', 'link', 'fsync', 'lock_timeout', 'default_remote', 'remotes', 'queue']) if (raw[k] !== undefined) ordered[k] = raw[k];
  const lines: string[] = [];
  for (const [k, v] of Object.entries(ordered)) {
    if (k === 'link') lines.push(`link: [${(v as string[]).join(', ')}]`);
    else if (k === 'remotes') {
      const names = Object.keys(v as object).sort();
      if (names.length === 0) { lines.push('remotes: {}'); continue; }
      lines.push('remotes:');
      for (const name of names) {
        lines.push(`  ${name}:`);
        for (const [rk, rv] of Object.entries((v as Record<string, Record<string, unknown>>)[name])) lines.push(`    ${rk}: ${JSON.stringify(rv)}`);
      }
    } else if (k === 'queue') {
      lines.push('queue:');
      for (const [qk, qv] of Object.entries(v as Record<string, unknown>)) lines.push(`  ${qk}: ${JSON.stringify(qv)}`);
    } else lines.push(`${k}: ${JSON.stringify(v)}`);
  }
  return head + lines.join('\n') + '\n';
}
