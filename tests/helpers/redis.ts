/**
 * A real redis-server (Debian's) on 127.0.0.1, on a free port, with its data in a temp
 * dir, started and stopped by the test. Persistence is the one docs/experiments.md
 * asks for: an append-only file (appendonly yes), fsynced every second, no RDB snapshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { closedPort } from './s3server.js';
import { removeDir, tempDir } from './repo.js';

export const REDIS_SERVER = process.env.MLV_TEST_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  /** Stop gracefully (SHUTDOWN: the AOF is flushed) or with SIGKILL. */
  stop(how?: 'term' | 'kill'): Promise<void>;
  /** Start again on the same port and data dir. */
  start(): Promise<void>;
  /** Stop and remove the data dir. */
  close(): Promise<void>;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export async function startRedis(opts: { appendfsync?: 'always' | 'everysec'; requirepass?: string } = {}): Promise<RedisServer> {
  const port = await closedPort();
  const dir = tempDir('mlv-redis-');
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'everysec', '--save', '',
      '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning',
      ...(opts.requirepass ? ['--requirepass', opts.requirepass] : []),
    ], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await reachable(port)) return;
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('redis-server did not start within 5 s');
  };
  const stop = async (how: 'term' | 'kill' = 'term') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    dir,
    stop,
    start,
    close: async () => { await stop(); removeDir(dir); },
  };
}
