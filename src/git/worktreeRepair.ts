/**
 * Worktrees a killed mlv left behind (`repro --rev`, `exp run`). A kill during `git
 * worktree add` leaves a locked record whose HEAD is the zero id: `git fsck` and `git
 * gc` then fail and `git worktree prune` skips it. mlv's worktrees live under
 * `.mlv/tmp/` and their names end in `-<pid>-<6 hex>`, so a record or directory whose
 * process is gone is known to be litter and is removed, record and directory both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { processAlive } from '../pid.js';

const OURS = /-(\d+)-[0-9a-f]{6}$/;

/** The pid in a worktree directory name made by addWorktree, if it is one. */
export function worktreeOwner(name: string): number | undefined {
  const m = OURS.exec(name);
  return m ? Number(m[1]) : undefined;
}

function commonDir(root: string): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--git-common-dir'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const d = r.stdout.trim();
  return isAbsolute(d) ? d : resolve(root, d);
}

function real(p: string): string {
  try { return realpathSync(p); } catch { return p; }
}

function readText(p: string): string | undefined {
  try { return readFileSync(p, 'utf8').trim(); } catch { return undefined; }
}

/**
 * Remove mlv worktrees under `parent` (`<root>/.mlv/tmp`) whose process is gone, and
 * git's records of them; `keep` are this process's live ones. Returns what was removed.
 * @example
 *   repairWorktrees(root, join(root, '.mlv', 'tmp')) // ['.mlv/tmp/exp-brisk-otter-042-4711-a1b2c3']
 */
export function repairWorktrees(root: string, parent: string, keep: ReadonlySet<string> = new Set()): string[] {
  const removed: string[] = [];
  const realParent = real(parent);
  const dead = (dir: string) => {
    if (keep.has(dir)) return false;
    const pid = worktreeOwner(basename(dir));
    return pid !== undefined && !processAlive(pid);
  };
  const common = commonDir(root);
  const records = common ? join(common, 'worktrees') : undefined;
  let touched = false;
  if (records && existsSync(records)) {
    for (const name of readdirSync(records)) {
      const rec = join(records, name);
      const gitdir = readText(join(rec, 'gitdir'));
      // Killed before git wrote `gitdir`: the record is named after the directory.
      const dir = gitdir ? dirname(resolve(rec, gitdir)) : join(parent, name);
      if (real(dirname(dir)) !== realParent || !dead(dir)) continue;
      rmSync(dir, { recursive: true, force: true });
      rmSync(rec, { recursive: true, force: true });
      removed.push(dir);
      touched = true;
    }
  }
  if (existsSync(parent)) {
    for (const name of readdirSync(parent)) {
      const dir = join(parent, name);
      if (removed.includes(dir) || !dead(dir)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
      touched = true;
    }
  }
  if (touched) spawnSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
  return removed.map((d) => d.startsWith(root + sep) ? d.slice(root.length + 1) : d);
}
