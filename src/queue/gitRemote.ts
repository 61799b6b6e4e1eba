/**
 * The git side of a queued experiment: is a commit on the remote, fetch it, and create
 * an experiment ref there only if it does not exist yet (git's compare-and-swap
 * `--force-with-lease=<ref>:` with an empty expected value), so two workers running the
 * same job never make two refs.
 */
import { spawn } from 'node:child_process';
import { InputError } from '../errors/index.js';
import { gitEnv } from '../git/porcelain.js';

/**
 * git as a child process, asynchronously: a worker's event loop must stay free to renew
 * its job locks while a fetch or push crosses the network.
 */
function git(root: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: root, env: gitEnv({ GIT_TERMINAL_PROMPT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).pop() ?? '';

export async function hasCommit(root: string, commit: string): Promise<boolean> {
  return (await git(root, ['cat-file', '-e', `${commit}^{commit}`])).status === 0;
}

async function lsRemote(root: string, remote: string, patterns: string[]): Promise<Array<{ oid: string; ref: string }>> {
  const r = await git(root, ['ls-remote', remote, ...patterns]);
  if (r.status !== 0) throw new InputError(`git ls-remote ${remote}: ${lastLine(r.stderr)}`, { remote });
  return r.stdout.split('\n').filter(Boolean).map((l) => { const [oid, ref] = l.split('\t'); return { oid, ref }; });
}

/** The commit a ref names on the remote, or undefined. */
export async function remoteRef(root: string, remote: string, ref: string): Promise<string | undefined> {
  return (await lsRemote(root, remote, [ref])).find((r) => r.ref === ref)?.oid;
}

/** Whether a branch or tag of the remote contains `commit` (as far as this clone can tell without fetching). */
export async function onRemote(root: string, remote: string, commit: string): Promise<boolean> {
  for (const { oid } of await lsRemote(root, remote, ['refs/heads/*', 'refs/tags/*'])) {
    if (oid === commit) return true;
    if ((await hasCommit(root, oid)) && (await git(root, ['merge-base', '--is-ancestor', commit, oid])).status === 0) return true;
  }
  return false;
}

/** Make `commit` present: fetch the remote's branches, then the commit itself. */
export async function fetchCommit(root: string, remote: string, commit: string): Promise<boolean> {
  if (await hasCommit(root, commit)) return true;
  await git(root, ['fetch', '-q', remote]);
  if (await hasCommit(root, commit)) return true;
  await git(root, ['fetch', '-q', remote, commit]);
  return hasCommit(root, commit);
}

/** Bring one remote ref (and its commit) into this clone under the same name. */
export async function fetchRef(root: string, remote: string, ref: string): Promise<void> {
  const r = await git(root, ['fetch', '-q', remote, `+${ref}:${ref}`]);
  if (r.status !== 0) throw new InputError(`git fetch ${remote} ${ref}: ${lastLine(r.stderr)}`, { remote, ref });
}

/** Full message of a commit. */
export async function commitMessage(root: string, commit: string): Promise<string> {
  return (await git(root, ['log', '-1', '--format=%B', commit])).stdout;
}

/** Create `ref` on the remote at `commit`; 'exists' when someone created it first. */
export async function pushCreateOnly(root: string, remote: string, commit: string, ref: string): Promise<'created' | 'exists'> {
  const r = await git(root, ['push', '-q', '--porcelain', `--force-with-lease=${ref}:`, remote, `${commit}:${ref}`]);
  if (r.status === 0) return 'created';
  if (/stale info|already exists|rejected/.test(r.stdout + r.stderr) && (await remoteRef(root, remote, ref)) !== undefined) return 'exists';
  throw new InputError(`git push ${remote} ${ref}: ${lastLine(r.stderr) || lastLine(r.stdout)}`, { remote, ref });
}

/** Refs of the remote under a prefix (e.g. one baseline's experiments). */
export async function remoteRefsUnder(root: string, remote: string, prefix: string): Promise<string[]> {
  return (await lsRemote(root, remote, [`${prefix}*`])).map((r) => r.ref).filter((r) => r.startsWith(prefix));
}
