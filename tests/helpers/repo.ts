/**
 * Test helpers: real git repositories in temp dirs and the real CLI binary.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MLV_BIN = join(ROOT, 'bin', 'mlv.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  MLV_NO_PROGRESS: '1',
};

export function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...GIT_ENV, ...extra };
}

/** Run the real mlv binary. */
export function mlv(cwd: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [MLV_BIN, ...args], {
    cwd,
    env: env(opts.env),
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Run the real mlv binary and fail with its stderr unless it exits 0. */
export function mlvOk(cwd: string, args: string[], opts: { env?: Record<string, string> } = {}): RunResult {
  const r = mlv(cwd, args, opts);
  if (r.code !== 0) throw new Error(`mlv ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

export function git(cwd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync('git', args, { cwd, env: env(), encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return String(r.stdout);
}

export function tempDir(prefix = 'mlv-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh git repository on branch main, with an identity, in a temp dir. */
export function makeRepo(): string {
  const dir = tempDir();
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Test']);
  git(dir, ['config', 'user.email', 'test@example.com']);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
