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
export type FileStat = Pick<Stats, 'size' | 'mtimeMs' | 'ino'>;

export interface WalkedFile {
  rel: string; // relative to the walked directory, '/'-separated
  abs: string;
  stat: FileStat;
  exec: boolean;
}

export interface Skipped {
  path: string; // repo-relative
  reason: 'symlink' | 'special';
}

interface Rules { base: string; ig: Ignore } // base: repo-relative dir of the .mlvignore

const requireLazy = createRequire(import.meta.url);
let ignoreFactory: (() => Ignore) | undefined;

function loadRules(absDir: string, repoRel: string): Rules | undefined {
  const f = join(absDir, '.mlvignore');
  if (!existsSync(f)) return undefined;
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
export function walkTracked(root: string, dirRel: string): { files: WalkedFile[]; skipped: Skipped[] } {
  const files: WalkedFile[] = [];
  const skipped: Skipped[] = [];
  // Rules from the repo root down to the walked directory apply too.
  const rules: Rules[] = [];
  const parts = dirRel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    const r = loadRules(join(root, ...parts.slice(0, i)), rel);
    if (r) rules.push(r);
  }
  const visit = (absDir: string, repoRel: string, relInDir: string, inherited: Rules[]) => {
    const own = loadRules(absDir, repoRel);
    const active = own ? [...inherited, own] : inherited;
    const names = readdirSync(absDir, { withFileTypes: true });
    for (const d of names) {
      const name = d.name;
      if (name === '.git' || name === '.mlv' || name === '.mlvignore' || name.endsWith(POINTER_SUFFIX)) continue;
      const childRepo = repoRel ? `${repoRel}/${name}` : name;
      const childRel = relInDir ? `${relInDir}/${name}` : name;
      const abs = `${absDir}/${name}`; // absDir is normalised; join() would re-normalise per file
      if (d.isSymbolicLink()) { if (!ignored(active, childRepo, false)) skipped.push({ path: childRepo, reason: 'symlink' }); continue; }
      if (d.isDirectory()) {
        if (ignored(active, childRepo, true)) continue;
        visit(abs, childRepo, childRel, active);
        continue;
      }
      if (ignored(active, childRepo, false)) continue;
      if (!d.isFile()) { skipped.push({ path: childRepo, reason: 'special' }); continue; }
      const st = lstatSync(abs);
      files.push({ rel: childRel, abs, stat: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino }, exec: (st.mode & 0o111) !== 0 });
    }
  };
  visit(join(root, ...parts), dirRel, '', rules);
  return { files, skipped };
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
