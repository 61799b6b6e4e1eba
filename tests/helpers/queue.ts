/**
 * A team set-up for queue tests: a bare git remote, a local-dir mlv remote, a redis-server,
 * the submitter's repository (pushed) and worker clones; worker processes of the real CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, git, MLV_BIN, mlvOk, removeDir, tempDir } from './repo.js';
import { makeExpRepo } from './exp.js';
import { startRedis, type RedisServer } from './redis.js';

export { accuracy, PIPELINE } from './exp.js';

export interface Team {
  redis: RedisServer;
  /** Bare git remote. */
  bare: string;
  /** Local-dir mlv remote. */
  store: string;
  /** The submitter's repository. */
  home: string;
  baseline: string;
  close(): Promise<void>;
}

/**
 * `queue:` of .mlv/config for this team. stalled_interval is short so a dead worker's job
 * moves on quickly, but not so short that a busy machine (this one runs at load 10-20)
 * misses a lock renewal of a live worker.
 */
export function queueBlock(redisUrl: string, name: string, stalled = 10_000): string {
  return `queue:\n  url: ${JSON.stringify(redisUrl)}\n  name: ${JSON.stringify(name)}\n  stalled_interval: ${stalled}\n`;
}

export async function makeTeam(opts: { queueName?: string; stalled?: number; appendfsync?: 'always' | 'everysec'; remoteUrl?: (store: string) => string[] } = {}): Promise<Team> {
  const redis = await startRedis({ appendfsync: opts.appendfsync });
  const bare = tempDir('mlv-bare-');
  git(bare, ['init', '-q', '--bare', '-b', 'main']);
  const store = tempDir('mlv-store-');
  const home = makeExpRepo((dir) => {
    mlvOk(dir, opts.remoteUrl ? opts.remoteUrl(store) : ['remote', 'add', 'store', store, '--default']);
    appendFileSync(join(dir, '.mlv', 'config'), queueBlock(redis.url, opts.queueName ?? 'proj', opts.stalled));
  });
  git(home, ['remote', 'add', 'origin', bare]);
  git(home, ['push', '-q', 'origin', 'main']);
  const baseline = git(home, ['rev-parse', 'HEAD']).trim();
  return {
    redis, bare, store, home, baseline,
    close: async () => {
      await redis.close();
      for (const d of [bare, store, home]) removeDir(d);
    },
  };
}

/** A worker's clone of the bare remote. */
export function cloneOf(bare: string): string {
  const dir = tempDir('mlv-clone-');
  git(dir, ['clone', '-q', bare, '.']);
  return dir;
}

export interface WorkerProc {
  child: ChildProcess;
  dir: string;
  stderr: () => string;
  /** Resolves once the worker says it is waiting for jobs. */
  ready: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `mlv worker` of the real CLI in `dir`, asynchronously. */
export function startWorker(dir: string, args: string[] = ['--exit-when-idle'], extraEnv: Record<string, string> = {}): WorkerProc {
  const child = spawn(process.execPath, [MLV_BIN, 'worker', ...args], { cwd: dir, env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => { onReady = r; });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (/waiting for jobs/.test(stderr)) onReady(); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => { onReady(); resolve({ code, signal, stdout, stderr }); });
  });
  return { child, dir, stderr: () => stderr, ready, exit };
}
