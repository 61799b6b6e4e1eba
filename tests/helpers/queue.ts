/**
 * A team set-up for queue tests: a bare git remote, a local-dir mlv remote, a redis-server,
 * the submitter's repository (pushed) and worker clones; worker processes of the real CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, git, makeRepo, MLV_BIN, mlvOk, removeDir, tempDir } from './repo.js';
import { startRedis, type RedisServer } from './redis.js';

// prepare counts the data's lines; train reads params.yaml, writes a model directory and
// metrics.json. trees < 0 fails; SLOW=ms (from the environment) makes train sleep.
const PREPARE = `node -e "const f=require('fs');f.writeFileSync('prep.txt',String(f.readFileSync('data/raw.txt','utf8').trim().split('\\\\n').length))"`;
const TRAIN = `node -e "const f=require('fs');const p=f.readFileSync('params.yaml','utf8');const t=+/trees: *(-?[0-9.]+)/.exec(p)[1],d=+/depth: *(-?[0-9.]+)/.exec(p)[1],n=+f.readFileSync('prep.txt','utf8');if(t<0){console.error('negative trees');process.exit(3)}if(process.env.SLOW)Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,+process.env.SLOW);f.mkdirSync('model',{recursive:true});f.writeFileSync('model/m.txt',t+'x'+d+'x'+n);f.writeFileSync('metrics.json',JSON.stringify({accuracy:t*d/(t*d+n),loss:n/(t*d+n)}))"`;

export const PIPELINE = `stages:
  prepare:
    cmd: ${JSON.stringify(PREPARE)}
    deps: [data/raw.txt]
    outs: [prep.txt]
  train:
    cmd: ${JSON.stringify(TRAIN)}
    deps: [prep.txt]
    params: [train.trees, train.depth]
    outs: [model]
    metrics:
      - metrics.json:
          cache: false
`;

export const accuracy = (t: number, d: number, n = 10) => (t * d) / (t * d + n);

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
  const home = makeRepo();
  mlvOk(home, ['init']);
  writeFileSync(join(home, 'params.yaml'), '# hyperparameters\ntrain:\n  trees: 10\n  depth: 3\n');
  writeFileSync(join(home, 'mlv.yaml'), PIPELINE);
  mkdirSync(join(home, 'data'));
  writeFileSync(join(home, 'data', 'raw.txt'), Array.from({ length: 10 }, (_, i) => `row ${i}`).join('\n') + '\n');
  mlvOk(home, ['add', 'data/raw.txt']);
  mlvOk(home, ['repro', '-q']);
  mlvOk(home, opts.remoteUrl ? opts.remoteUrl(store) : ['remote', 'add', 'store', store, '--default']);
  appendFileSync(join(home, '.mlv', 'config'), queueBlock(redis.url, opts.queueName ?? 'proj', opts.stalled));
  git(home, ['add', '-A']);
  git(home, ['commit', '-qm', 'baseline']);
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
