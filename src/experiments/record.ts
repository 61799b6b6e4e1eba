/**
 * Recording an experiment: its commit, then its ref, created only if no ref of that name
 * exists. Two processes that planned the same name (the same sweep run twice at once)
 * both keep their run: the later one re-picks a generated name and commits again, since
 * the name is in the message; a name the user chose is never taken from another run.
 */
import { ConflictError } from '../errors/index.js';
import { createRef } from '../git/refs.js';
import { uniqueName } from './names.js';
import { expRefName, listExps } from './refs.js';

export interface RecordOptions {
  root: string;
  baseline: string;
  name: string;
  /** The seed a generated name came from (names.ts); absent for a name the user chose. */
  seed?: string;
  /** Writes the experiment commit whose message names `name`; called again after a re-pick. */
  commit: (name: string) => Promise<string>;
}

export interface Recorded {
  name: string;
  ref: string;
  commit: string;
}

const MAX_PICKS = 100;

/**
 * @example
 *   const { name, ref } = await recordExp({ root, baseline, name: 'brisk-otter-042', seed, commit: (n) => writeExpCommit(...) });
 */
export async function recordExp(opts: RecordOptions): Promise<Recorded> {
  let name = opts.name;
  for (let pick = 0; pick < MAX_PICKS; pick++) {
    const commit = await opts.commit(name);
    const ref = expRefName(opts.baseline, name);
    if (createRef(opts.root, ref, commit, `mlv exp ${name}`)) return { name, ref, commit };
    if (opts.seed === undefined) {
      throw new ConflictError(`experiment '${name}' was recorded by another mlv process meanwhile; this run is commit ${commit.slice(0, 12)} (keep it with: git update-ref ${expRefName(opts.baseline, '<another name>')} ${commit})`, { name, commit }, 'EEXPEXISTS');
    }
    name = uniqueName(opts.seed, new Set(listExps(opts.root).map((e) => e.name)));
  }
  throw new ConflictError(`experiment names from '${opts.name}' on: ${MAX_PICKS} candidates all taken`, { name: opts.name }, 'EEXPEXISTS');
}
