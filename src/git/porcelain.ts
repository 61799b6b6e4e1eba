/**
 * Git through the real binary: anything that touches the index, the work tree, many
 * commits or big blobs (simple-git for porcelain; child_process where stdin must be
 * fed, e.g. `cat-file --batch`). iso-git was measured here ~15x slower on a 64 MiB
 * blob and ~10-20x on a log of 500 commits.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { SimpleGit } from 'simple-git';
import { GitError, InputError, NotFoundError, UsageError } from '../errors/index.js';

// Loaded on first use: most commands never need porcelain, and start-up time is
// what a user feels on every `mlv status`.
const requireLazy = createRequire(import.meta.url);
let simpleGitFn: typeof import('simple-git').simpleGit | undefined;

/** Set while mlv itself runs git checkout or worktree add, so an installed post-checkout hook stays out. */
export const HOOK_GUARD = 'MLV_IN_CHECKOUT';

/**
 * Variables simple-git refuses in a custom environment (they can make git run programs:
 * editors, pagers, askpass, ssh). Local operations (worktree add) need none of them.
 */
const PROGRAM_VARS = /^(GIT_)?(EDITOR|VISUAL|SEQUENCE_EDITOR|PAGER|ASKPASS|SSH|SSH_COMMAND|PROXY_COMMAND|EXTERNAL_DIFF|TEMPLATE_DIR|CONFIG\w*)$|^SSH_ASKPASS$/;

/** simple-git at `root`; with `env`, the inherited environment plus those variables (for local operations). */
export function sg(root: string, env?: Record<string, string>): SimpleGit {
  simpleGitFn ??= (requireLazy('simple-git') as typeof import('simple-git')).simpleGit;
  const g = simpleGitFn({ baseDir: root, binary: 'git', maxConcurrentProcesses: 4, trimmed: false });
  if (!env) return g;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !PROGRAM_VARS.test(k))) as Record<string, string>;
  return g.env({ ...inherited, ...env });
}

/**
 * The environment git runs in when mlv reads its messages: the C locale, so git's
 * complaints are the English ones gitFailure recognises whatever language the user's git
 * speaks (a translated "already exists" would otherwise become an internal error). Only
 * messages change: paths and commit text are bytes either way.
 */
export function gitEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', ...extra };
}

/**
 * What git's complaint (in the C locale, see gitEnv) means: a revision, path or name the
 * user gave that git does not accept is their input (exit 2); anything else (a broken
 * repository, a missing object, a failed write) is internal (exit 3), with git's own last lines.
 */
const USER_INPUT = /not a valid object name|unknown revision|bad revision|ambiguous argument|invalid reference|not a valid branch name|is not a valid|already exists|needed a single revision|did not match any file|would be overwritten/i;

export function gitFailure(args: string[], output: string): InputError | GitError {
  const message = `git ${args[0]}: ${output.trim().split('\n').slice(-3).join(' ')}`;
  return USER_INPUT.test(output) ? new InputError(message, { args }) : new GitError(message, { args });
}

/** Run git synchronously; throws with git's own message on failure (see gitFailure). */
export function gitSync(root: string, args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; allowFail?: boolean } = {}): string {
  const r = spawnSync('git', args, {
    cwd: root,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    env: gitEnv(opts.env),
  });
  if (r.error) throw new GitError(`git ${args[0]}: ${r.error.message}`, { args });
  if (r.status !== 0 && !opts.allowFail) throw gitFailure(args, r.stderr || r.stdout);
  return r.stdout;
}

/**
 * Move refs to or from a git remote (experiments) through simple-git: one clear error
 * naming the remote instead of git's multi-line output.
 */
export async function transferRefs(root: string, direction: 'push' | 'fetch', remote: string, refspec: string): Promise<void> {
  // A remote that git would read as an option (`--receive-pack=<cmd>`) runs a command.
  if (remote.startsWith('-')) throw new UsageError(`${remote}: not a git remote (a name or URL cannot start with '-')`, { remote });
  try {
    await sg(root).raw([direction, '-q', remote, refspec]);
  } catch (e) {
    const last = (e as Error).message.trim().split('\n').filter(Boolean).pop() ?? '';
    throw new InputError(`git ${direction} ${remote}: ${last}`, { remote, refspec });
  }
}

export function hasCommits(root: string): boolean {
  const r = spawnSync('git', ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { cwd: root, encoding: 'utf8' });
  return r.status === 0;
}

/** A revision as a full commit id; one clear error when it does not name a commit. */
export function resolveRev(root: string, rev: string): string {
  if (!hasCommits(root) && (rev === 'HEAD' || rev.startsWith('HEAD'))) {
    throw new UsageError(`${rev}: the repository has no commits yet; commit first (git commit)`, { rev });
  }
  const r = spawnSync('git', ['rev-parse', '--verify', '-q', '--end-of-options', `${rev}^{commit}`], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new NotFoundError('revision', `${rev}: not a commit in this repository`, { rev });
  return r.stdout.trim();
}

/** Every file (blob) at a commit, with its path, blob id and mode. */
export function lsTree(root: string, commit: string): Array<{ path: string; oid: string; mode: string }> {
  const out = gitSync(root, ['ls-tree', '-r', '-z', '--full-tree', commit]);
  const rows: Array<{ path: string; oid: string; mode: string }> = [];
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, type, oid] = rec.slice(0, tab).split(' ');
    if (type === 'blob') rows.push({ path: rec.slice(tab + 1), oid, mode });
  }
  return rows;
}

/** Files in the work tree (tracked, or untracked and not ignored) matching pathspecs. */
export function lsFiles(root: string, pathspecs: string[]): string[] {
  const out = gitSync(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...pathspecs]);
  return [...new Set(out.split('\0').filter(Boolean))];
}

/**
 * One `git cat-file --batch` for many objects: `specs` are object ids or `<commit>:<path>`;
 * the answer is in the same order, undefined where missing or not a blob. For 5,000
 * experiments that is one process instead of 10,000 reads (bench/exp.ts).
 */
export async function readBlobs(root: string, specs: string[]): Promise<Array<{ oid: string; content: Buffer } | undefined>> {
  if (specs.length === 0) return [];
  const child = spawn('git', ['cat-file', '--batch'], { cwd: root, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new GitError(`git cat-file: ${e.message}`, { args: ['cat-file', '--batch'] })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(gitFailure(['cat-file', '--batch'], stderr || `exited ${code}`))));
  });
  child.stdin.end(specs.join('\n') + '\n');
  await done;
  const buf = Buffer.concat(chunks);
  const out: Array<{ oid: string; content: Buffer } | undefined> = [];
  let pos = 0;
  for (let i = 0; i < specs.length && pos < buf.length; i++) {
    const nl = buf.indexOf(10, pos);
    const header = buf.subarray(pos, nl).toString();
    pos = nl + 1;
    // "<oid> <type> <size>" or "<spec> missing" / "<spec> ambiguous"
    const parts = header.split(' ');
    const size = Number(parts[parts.length - 1]);
    if (parts.length !== 3 || !Number.isFinite(size) || !/^[0-9a-f]{40,64}$/.test(parts[0])) { out.push(undefined); continue; }
    out.push(parts[1] === 'blob' ? { oid: parts[0], content: buf.subarray(pos, pos + size) } : undefined);
    pos += size + 1;
  }
  while (out.length < specs.length) out.push(undefined);
  return out;
}

/** `specs` are `<commit>:<path>`; the file contents in the same order, undefined where missing. */
export async function readFilesAt(root: string, specs: string[]): Promise<Array<Buffer | undefined>> {
  return (await readBlobs(root, specs)).map((b) => b?.content);
}

/** Many blobs by object id, keyed by id; missing ones are absent. */
export async function catBlobs(root: string, oids: string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(oids)];
  const result = new Map<string, Buffer>();
  for (const b of await readBlobs(root, unique)) if (b) result.set(b.oid, b.content);
  return result;
}

export function gitDir(root: string): string {
  return gitSync(root, ['rev-parse', '--absolute-git-dir']).trim();
}

