/**
 * Extension points of the data verbs. A leaf module: the pipeline registers here
 * (src/pipeline/register.ts) and the verbs read from here, so neither imports the other.
 */
import type { Repo } from '../repo/Repo.js';

/**
 * Stages whose inputs changed, for `mlv status`: `reasons` why each must run (empty when
 * it is listed only for `notPulled`: deps or outputs never pulled, no change of the user's).
 */
export type StageStatus = { stage: string; reasons: string[]; notPulled?: string[] };
export type StatusHook = (root: string) => Promise<StageStatus[]>;
/** Sections (params, metrics) added to `mlv diff`. `undefined` rev = the workspace. */
export type DiffSection = (repo: Repo, a: string | undefined, b: string | undefined) => Promise<Record<string, unknown>>;
/** Objects kept alive by `mlv gc` beyond what versions refer to (the run cache). */
export type GcRoots = (root: string) => Promise<Iterable<string>>;

export const statusHooks: StatusHook[] = [];
export const diffSections: DiffSection[] = [];
export const gcRoots: GcRoots[] = [];

const once = <T>(list: T[], item: T) => { if (!list.includes(item)) list.push(item); };
export const registerStatusHook = (h: StatusHook): void => once(statusHooks, h);
export const registerDiffSection = (s: DiffSection): void => once(diffSections, s);
export const registerGcRoots = (f: GcRoots): void => once(gcRoots, f);
