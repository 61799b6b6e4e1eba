/**
 * Walk a tracked directory, honouring `.mlvignore` files (gitignore syntax; one in any
 * directory applies below it). Symlinks and special files are reported, never followed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ignore } from 'ignore';
import { POINTER_SUFFIX } from './pointer.js';

/**
 * What the state index and the store need of a file's stat. A walk keeps only these:
 * holding 100k full Stats objects (four Dates each) made garbage collection a fifth
 * of `mlv status`'s time.
 */
export type FileStat = Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>;

export interface WalkedFile {
  rel: string; // relative to the walked directory, '/'-separated
  abs: string;
  stat: FileStat;
  exec: boolean;
  /** Index of its directory in the walk's `dirs`, and its name there. */
  dir: number;
  name: string;
}

/** A directory the walk read: its stat taken before reading it, and what it skipped. */
export interface WalkedDir {
  path: string; // repo-relative
  stat: { mtime: number; ctime: number; ino: number };
  /** Its own `.mlvignore`, when it has one. */
  ignore?: FileStat;
  skipped: Array<{ name: string; reason: Skipped['reason'] }>;
}

/** The `.mlvignore` of a directory above the walked one (zeros: none). */
export interface RuleFileStat { path: string; size: number; mtime: number; ctime: number; ino: number }

export interface Skipped {
  path: string; // repo-relative
  reason: 'symlink' | 'special';
}

interface Rules { base: string; ig: Ignore } // base: repo-relative dir of the .mlvignore

const requireLazy = createRequire(import.meta.url);
let ignoreFactory: (() => Ignore) | undefined;

function loadRules(absDir: string, repoRel: string, seen?: (st: Stats | undefined) => void): Rules | undefined {
  const f = join(absDir, '.mlvignore');
  if (seen) {
    const st = lstatSync(f, { throwIfNoEntry: false });
    seen(st?.isFile() ? st : undefined);
    if (!st?.isFile()) return undefined;
  } else if (!existsSync(f)) return undefined;
  const text = readFileSync(f, 'utf8');
  // The commented template `mlv init` writes has no rules: don't pay for a matcher.
  if (!text.split(/\r?\n/).some((l) => l.trim() !== '' && !l.startsWith('#'))) return undefined;
  // Loaded only when a .mlvignore exists: it costs start-up time for every command.
  ignoreFactory ??= requireLazy('ignore') as () => Ignore;
  return { base: repoRel, ig: ignoreFactory().add(text) };
}

function ignored(rules: Rules[], repoRel: string, isDir: boolean): boolean {
  for (const r of rules) {
    const rel = r.base === '' ? repoRel : repoRel.slice(r.base.length + 1);
    if (rel && r.ig.ignores(isDir ? rel + '/' : rel)) return true;
  }
  return false;
}

/**
 * @param root repo root (absolute)
 * @param dirRel repo-relative path of the directory to walk
 */
export function walkTracked(root: string, dirRel: string): { files: WalkedFile[]; skipped: Skipped[]; dirs: WalkedDir[]; ruleFiles: RuleFileStat[] } {
  const files: WalkedFile[] = [];
  const skipped: Skipped[] = [];
  const dirs: WalkedDir[] = [];
  const ruleFiles: RuleFileStat[] = [];
  // Rules from the repo root down to the walked directory apply too.
  const rules: Rules[] = [];
  const parts = dirRel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    const r = loadRules(join(root, ...parts.slice(0, i)), rel, (st) => ruleFiles.push({
      path: rel ? `${rel}/.mlvignore` : '.mlvignore', size: st?.size ?? 0, mtime: st?.mtimeMs ?? 0, ctime: st?.ctimeMs ?? 0, ino: st?.ino ?? 0,
    }));
    if (r) rules.push(r);
  }
  const visit = (absDir: string, repoRel: string, relInDir: string, inherited: Rules[]) => {
    // Stat before reading: a name added meanwhile then shows as a changed directory.
    const dst = lstatSync(absDir);
    const here: WalkedDir = { path: repoRel, stat: { mtime: dst.mtimeMs, ctime: dst.ctimeMs, ino: dst.ino }, skipped: [] };
    const dirIndex = dirs.push(here) - 1;
    const own = loadRules(absDir, repoRel, (st) => { if (st) here.ignore = st; });
    const active = own ? [...inherited, own] : inherited;
    const names = readdirSync(absDir, { withFileTypes: true });
    for (const d of names) {
      const name = d.name;
      if (name === '.git' || name === '.mlv' || name === '.mlvignore' || name.endsWith(POINTER_SUFFIX)) continue;
      const childRepo = repoRel ? `${repoRel}/${name}` : name;
      const childRel = relInDir ? `${relInDir}/${name}` : name;
      const abs = `${absDir}/${name}`; // absDir is normalised; join() would re-normalise per file
      if (d.isSymbolicLink()) {
        if (!ignored(active, childRepo, false)) { skipped.push({ path: childRepo, reason: 'symlink' }); here.skipped.push({ name, reason: 'symlink' }); }
        continue;
      }
      if (d.isDirectory()) {
        if (ignored(active, childRepo, true)) continue;
        visit(abs, childRepo, childRel, active);
        continue;
      }
      if (ignored(active, childRepo, false)) continue;
      if (!d.isFile()) { skipped.push({ path: childRepo, reason: 'special' }); here.skipped.push({ name, reason: 'special' }); continue; }
      const st = lstatSync(abs);
      files.push({ rel: childRel, abs, stat: { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino }, exec: (st.mode & 0o111) !== 0, dir: dirIndex, name });
    }
  };
  visit(join(root, ...parts), dirRel, '', rules);
  return { files, skipped, dirs, ruleFiles };
}

/**
 * Whether walkTracked(root, dirRel) would leave out a file at `rel` (inside `dirRel`,
 * '/'-separated) under the `.mlvignore` rules in the work tree now: for files that are
 * not there to walk (recorded, never pulled).
 */
export function excludedFromWalk(root: string, dirRel: string): (rel: string) => boolean {
  const parts = dirRel.split('/');
  const base: Rules[] = [];
  for (let i = 0; i <= parts.length; i++) {
    const r = loadRules(join(root, ...parts.slice(0, i)), parts.slice(0, i).join('/'));
    if (r) base.push(r);
  }
  const own = new Map<string, Rules | undefined>(); // a directory's own .mlvignore, read once
  return (rel) => {
    const segs = rel.split('/');
    let active = base;
    for (let i = 1; i < segs.length; i++) {
      const dir = `${dirRel}/${segs.slice(0, i).join('/')}`;
      if (ignored(active, dir, true)) return true;
      if (!own.has(dir)) own.set(dir, loadRules(join(root, ...dir.split('/')), dir));
      const r = own.get(dir);
      if (r) active = [...active, r];
    }
    return ignored(active, `${dirRel}/${rel}`, false);
  };
}
