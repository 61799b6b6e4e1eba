/**
 * The outcome of `repro --rev`, kept as a git note on the rebuilt commit in
 * refs/notes/mlv-repro (docs/FORMAT.md, "Reproduction records"), so `mlv report` can say
 * when a version was last proven to rebuild, and plain git can show it.
 */
import { gitSync } from '../git/porcelain.js';
import { VERSION } from '../version.js';
import type { VerifyResult } from './verify.js';

export const REPRO_NOTES_REF = 'refs/notes/mlv-repro';
const MAX_NAMES = 20;

export interface ReproNote {
  format: 'mlv-repro';
  version: 1;
  date: string;
  match: boolean;
  outputs: number;
  mismatched: string[];
  env_differs: string[];
  mlv: string;
  seconds?: number;
  error?: string;
}

/** The note for a finished comparison (or for a rebuild that failed with `error`). */
export function noteOf(r: VerifyResult | undefined, now: Date, error?: unknown): ReproNote {
  const note: ReproNote = {
    format: 'mlv-repro', version: 1, date: now.toISOString(), match: Boolean(r?.match) && error === undefined,
    outputs: r?.rows.length ?? 0,
    mismatched: (r?.rows ?? []).filter((x) => !x.match).slice(0, MAX_NAMES).map((x) => x.name),
    env_differs: [...new Set((r?.envDiffers ?? []).map((e) => `${e.key} ${e.recorded ?? '—'} → ${e.now ?? '—'}`))].slice(0, MAX_NAMES),
    mlv: VERSION,
  };
  if (r) note.seconds = Math.round(r.seconds.total * 100) / 100;
  if (error !== undefined) note.error = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return note;
}

/**
 * Write the note (replacing an earlier one). Returns why it could not, instead of
 * throwing: the rebuild's result matters more than its record.
 */
export function recordReproNote(root: string, commit: string, note: ReproNote): string | undefined {
  const args = ['notes', `--ref=${REPRO_NOTES_REF}`, 'add', '-f', '-F', '-', commit];
  const input = JSON.stringify(note) + '\n';
  try {
    gitSync(root, args, { input });
    return undefined;
  } catch (e) {
    // No user.name/email configured: sign the note as mlv rather than lose it.
    if (/identity|tell me who you are|empty ident/i.test((e as Error).message)) {
      try {
        gitSync(root, args, { input, env: { GIT_AUTHOR_NAME: 'mlv', GIT_AUTHOR_EMAIL: 'mlv@localhost', GIT_COMMITTER_NAME: 'mlv', GIT_COMMITTER_EMAIL: 'mlv@localhost' } });
        return undefined;
      } catch (e2) { return (e2 as Error).message; }
    }
    return (e as Error).message;
  }
}

/** The last recorded outcome for a commit: undefined when none, `unreadable` when the note is not one of ours. */
export function readReproNote(root: string, commit: string): ReproNote | 'unreadable' | undefined {
  const text = gitSync(root, ['notes', `--ref=${REPRO_NOTES_REF}`, 'show', commit], { allowFail: true }).trim();
  if (!text) return undefined;
  try {
    const n = JSON.parse(text.split('\n')[0]) as Partial<ReproNote>;
    if (n.format !== 'mlv-repro' || typeof n.version !== 'number' || n.version > 1 || typeof n.match !== 'boolean' || typeof n.date !== 'string') return 'unreadable';
    return { mismatched: [], env_differs: [], outputs: 0, mlv: '?', ...n } as ReproNote;
  } catch { return 'unreadable'; }
}
