/**
 * Experiment refs: `refs/mlv/exps/<baseline sha>/<name>`, each pointing at a commit
 * whose parent is the baseline. Listed with one `git for-each-ref` (messages
 * included), so thousands of experiments cost one process.
 */
import { gitSync, resolveRev } from '../git/porcelain.js';
import { InputError, NotFoundError } from '../errors/index.js';

export const EXP_PREFIX = 'refs/mlv/exps/';

export type ExpStatus = 'ok' | 'failed';

export interface ExpRef {
  ref: string;
  name: string;
  /** The baseline commit, from the ref's path. */
  baseline: string;
  /** The experiment commit. */
  commit: string;
  /** ISO 8601 committer date. */
  date: string;
  subject: string;
  status: ExpStatus;
  error?: string;
  /** The `-S` overrides the run applied, as given. */
  overrides: Record<string, unknown>;
  /**
   * Metrics and every param, carried in the message: `exp show` reads thousands of
   * experiments from one `for-each-ref` instead of parsing each one's YAML (bench/exp.ts).
   * mlv.lock and params.yaml stay the authority; commits without these are read from them.
   */
  metrics?: Record<string, number>;
  params?: Record<string, string | number | boolean | null>;
}

export function expRefName(baseline: string, name: string): string {
  return `${EXP_PREFIX}${baseline}/${name}`;
}

/** Trailers at the end of an experiment commit's message (git interpret-trailers syntax). */
export const TRAILER = { name: 'Mlv-Exp-Name', status: 'Mlv-Exp-Status', params: 'Mlv-Exp-Params', error: 'Mlv-Exp-Error', metrics: 'Mlv-Exp-Metrics', values: 'Mlv-Exp-All-Params', job: 'Mlv-Exp-Job' } as const;

export function expMessage(opts: { name: string; summary: string; status: ExpStatus; overrides: Record<string, unknown>; error?: string; message?: string; metrics?: Record<string, number>; params?: Record<string, unknown>; trailers?: Record<string, string> }): string {
  const subject = opts.message?.trim() || `mlv exp ${opts.name}${opts.summary ? `: ${opts.summary}` : ''}`;
  const body = opts.status === 'failed' && opts.error ? `\nThe run failed:\n${opts.error.trim()}\n` : '';
  const errLine = opts.error ? `${TRAILER.error}: ${opts.error.split('\n')[0].slice(0, 300)}\n` : '';
  const metricsLine = opts.metrics ? `${TRAILER.metrics}: ${JSON.stringify(opts.metrics)}\n` : '';
  const paramsLine = opts.params ? `${TRAILER.values}: ${JSON.stringify(opts.params)}\n` : '';
  const extra = Object.entries(opts.trailers ?? {}).map(([k, v]) => `${k}: ${v.replace(/\n/g, ' ')}\n`).join('');
  return `${subject}\n${body}\n${TRAILER.name}: ${opts.name}\n${TRAILER.status}: ${opts.status}\n${TRAILER.params}: ${JSON.stringify(opts.overrides)}\n${metricsLine}${paramsLine}${errLine}${extra}`;
}

/**
 * `Key: value` lines of a message's last paragraph, read once (5,000 messages: no regex
 * per key). Only the last paragraph: the body quotes a failed stage's stderr, whose own
 * `Mlv-Exp-Metrics:` line must not pass for mlv's.
 */
function trailers(message: string): Map<string, string> {
  const out = new Map<string, string>();
  const text = message.replace(/\n+$/, '');
  for (const line of text.slice(text.lastIndexOf('\n\n') + 1).split('\n')) {
    if (!line.startsWith('Mlv-Exp-')) continue;
    const colon = line.indexOf(': ');
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 2));
  }
  return out;
}

function json<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try { return JSON.parse(text) as T; } catch { return undefined; } // a hand-made commit
}

export function parseExpMessage(message: string): Pick<ExpRef, 'subject' | 'status' | 'error' | 'overrides' | 'metrics' | 'params'> & { name?: string; job?: string } {
  const t = trailers(message);
  const metrics = json<Record<string, number>>(t.get(TRAILER.metrics));
  const params = json<NonNullable<ExpRef['params']>>(t.get(TRAILER.values));
  const status = t.get(TRAILER.status) === 'failed' ? 'failed' : 'ok';
  const failedBody = status === 'failed' ? /\nThe run failed:\n([\s\S]*?)\n\nMlv-Exp-Name:/.exec(message)?.[1] : undefined;
  return {
    subject: message.slice(0, message.indexOf('\n') >>> 0),
    status,
    error: failedBody ?? t.get(TRAILER.error),
    overrides: json<Record<string, unknown>>(t.get(TRAILER.params)) ?? {},
    ...(metrics ? { metrics } : {}),
    ...(params ? { params } : {}),
    name: t.get(TRAILER.name),
    ...(t.has(TRAILER.job) ? { job: t.get(TRAILER.job) } : {}),
  };
}

/** Every experiment, optionally only those of one baseline. */
export function listExps(root: string, baseline?: string): ExpRef[] {
  const pattern = baseline ? `${EXP_PREFIX}${baseline}/` : EXP_PREFIX;
  const out = gitSync(root, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(committerdate:iso-strict)%00%(contents)%01', pattern]);
  const list: ExpRef[] = [];
  for (const rec of out.split('\x01\n')) {
    if (!rec.trim()) continue;
    const [ref, commit, date, message] = rec.split('\0');
    const rest = ref.slice(EXP_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const parsed = parseExpMessage(message ?? '');
    list.push({ ref, name: rest.slice(slash + 1), baseline: rest.slice(0, slash), commit, date, ...parsed });
  }
  return list;
}

/**
 * An experiment by full ref, `<baseline prefix>/<name>`, name, or commit prefix. A
 * name used under several baselines resolves to HEAD's when HEAD has it.
 */
export function resolveExp(root: string, spec: string, all: ExpRef[] = listExps(root)): ExpRef {
  if (spec.startsWith(EXP_PREFIX)) {
    const hit = all.find((e) => e.ref === spec);
    if (hit) return hit;
  }
  let hits = all.filter((e) => e.name === spec);
  if (hits.length === 0 && spec.includes('/')) {
    const [base, name] = [spec.slice(0, spec.lastIndexOf('/')), spec.slice(spec.lastIndexOf('/') + 1)];
    hits = all.filter((e) => e.name === name && e.baseline.startsWith(base));
  }
  if (hits.length === 0 && /^[0-9a-f]{7,40}$/.test(spec)) hits = all.filter((e) => e.commit.startsWith(spec));
  if (hits.length === 1) return hits[0];
  if (hits.length === 0) throw new NotFoundError('experiment', `${spec}: no such experiment (see mlv exp show)`, { spec }, );
  let head: string | undefined;
  try { head = resolveRev(root, 'HEAD'); } catch { /* no commits */ }
  const onHead = hits.filter((e) => e.baseline === head);
  if (onHead.length === 1) return onHead[0];
  throw new InputError(`${spec}: ambiguous, experiments of several baselines have this name (${hits.map((e) => `${e.baseline.slice(0, 7)}/${e.name}`).join(', ')}); give <baseline>/<name>`, { spec }, 'EAMBIGUOUS');
}

/** Delete experiment refs in one `git update-ref --stdin` transaction. */
export function deleteExpRefs(root: string, exps: ExpRef[]): void {
  if (exps.length === 0) return;
  gitSync(root, ['update-ref', '--stdin'], { input: exps.map((e) => `delete ${e.ref} ${e.commit}\n`).join('') });
}
