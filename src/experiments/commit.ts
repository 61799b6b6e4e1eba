/**
 * Writing an experiment commit in-process with isomorphic-git (measured here: 5.7 ms
 * against 23 ms spawning git for blob + tree + commit + ref). The tree is the baseline's tree
 * with only the changed files replaced, so unchanged subtrees are shared, not rewritten.
 */
import { spawnSync } from 'node:child_process';
import { iso, isoCache, isoFs } from '../git/iso.js';

export interface FileChange {
  /** Repo-relative, '/'-separated. */
  path: string;
  /** New bytes, or null to delete the file. */
  content: Buffer | null;
  executable?: boolean;
}

export interface Identity {
  name: string;
  email: string;
}

type TreeEntry = { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' };

/** git's own choice of committer (env, then config); `mlv <mlv@localhost>` when none is set. */
export function gitIdentity(root: string): Identity {
  const r = spawnSync('git', ['var', 'GIT_COMMITTER_IDENT'], { cwd: root, encoding: 'utf8' });
  const m = r.status === 0 ? /^(.*?) <([^>]*)>/.exec(r.stdout.trim()) : null;
  return m && m[1] && m[2] ? { name: m[1], email: m[2] } : { name: 'mlv', email: 'mlv@localhost' };
}

async function readTreeEntries(root: string, oid: string | undefined): Promise<TreeEntry[]> {
  if (!oid) return [];
  const { tree } = await iso.readTree({ fs: isoFs, dir: root, oid, cache: isoCache(root) });
  return tree as TreeEntry[];
}

/** The tree `base` with `changes` applied (paths relative to it); undefined when empty. */
export async function updateTree(root: string, base: string | undefined, changes: FileChange[]): Promise<string | undefined> {
  const entries = new Map((await readTreeEntries(root, base)).map((e) => [e.path, e]));
  const nested = new Map<string, FileChange[]>();
  for (const c of changes) {
    const slash = c.path.indexOf('/');
    if (slash >= 0) {
      const head = c.path.slice(0, slash);
      const list = nested.get(head) ?? [];
      list.push({ ...c, path: c.path.slice(slash + 1) });
      nested.set(head, list);
      continue;
    }
    if (c.content === null) { entries.delete(c.path); continue; }
    const oid = await iso.writeBlob({ fs: isoFs, dir: root, blob: new Uint8Array(c.content.buffer, c.content.byteOffset, c.content.length) });
    const old = entries.get(c.path);
    const mode = c.executable === undefined && old?.type === 'blob' ? old.mode : c.executable ? '100755' : '100644';
    entries.set(c.path, { mode, path: c.path, oid, type: 'blob' });
  }
  for (const [dir, list] of nested) {
    const old = entries.get(dir);
    const sub = await updateTree(root, old?.type === 'tree' ? old.oid : undefined, list);
    if (sub) entries.set(dir, { mode: '040000', path: dir, oid: sub, type: 'tree' });
    else entries.delete(dir);
  }
  if (entries.size === 0) return undefined;
  return iso.writeTree({ fs: isoFs, dir: root, tree: [...entries.values()] });
}

/** Tree of `baseline` with `changes`, committed with `baseline` as the only parent. */
export async function writeExpCommit(root: string, opts: { baseline: string; changes: FileChange[]; message: string; identity: Identity; now?: Date }): Promise<string> {
  const { commit } = await iso.readCommit({ fs: isoFs, dir: root, oid: opts.baseline, cache: isoCache(root) });
  const tree = (await updateTree(root, commit.tree, opts.changes)) ?? (await iso.writeTree({ fs: isoFs, dir: root, tree: [] }));
  const when = opts.now ?? new Date();
  const person = { ...opts.identity, timestamp: Math.floor(when.getTime() / 1000), timezoneOffset: when.getTimezoneOffset() };
  return iso.writeCommit({ fs: isoFs, dir: root, commit: { message: opts.message, tree, parent: [opts.baseline], author: person, committer: person } });
}
