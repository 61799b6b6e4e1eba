/**
 * An s3rver on 127.0.0.1 (a free port) for S3 remote tests, started by the test itself.
 * Counts completed object writes per key (its S3 event notifications), so a test can
 * tell that no object was sent twice.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { env, MLV_BIN, removeDir, tempDir, type RunResult } from './repo.js';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  httpServer?: import('node:http').Server;
  close(): Promise<void>;
  on(event: 'event', fn: (e: { Records: Array<{ eventName: string; s3: { object: { key: string } } }> }) => void): void;
}
const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => S3rverInstance;

export interface S3Server {
  endpoint: string;
  port: number;
  dir: string;
  /** Completed PUTs / multipart completions per key. */
  writes: Map<string, number>;
  /** Where s3rver keeps an object's bytes on disk. */
  objectFile(bucket: string, key: string): string;
  close(): Promise<void>;
}

/** Credentials s3rver accepts, and settings that keep the SDK off the network and away from the user's ~/.aws. */
export function s3Env(extra: Record<string, string> = {}): Record<string, string> {
  const none = join(tempDir('mlv-noaws-'), 'none');
  return {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: none,
    AWS_SHARED_CREDENTIALS_FILE: none,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

export async function startS3(buckets: string[]): Promise<S3Server> {
  const dir = tempDir('mlv-s3rver-');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const writes = new Map<string, number>();
  server.on('event', (e) => {
    for (const r of e.Records) if (r.eventName.startsWith('ObjectCreated')) writes.set(r.s3.object.key, (writes.get(r.s3.object.key) ?? 0) + 1);
  });
  const addr = await server.run();
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    port: addr.port,
    dir,
    writes,
    objectFile: (bucket, key) => {
      const parts = key.split('/');
      const last = parts.pop()!;
      return join(dir, bucket, ...parts, `${last}._S3rver_object`);
    },
    close: async () => {
      // Requests a killed client left half-sent would otherwise hold close() open.
      server.httpServer?.closeAllConnections();
      await server.close();
      removeDir(dir);
    },
  };
}

/**
 * The real mlv binary, run asynchronously: s3rver lives in the test's own process, so a
 * blocking spawnSync would stall the server the CLI talks to.
 */
export function mlvAsync(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MLV_BIN, ...args], { cwd, env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}

/** Like mlvAsync, but fails with stderr unless mlv exits 0. */
export async function mlvAsyncOk(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const r = await mlvAsync(cwd, args, extraEnv);
  if (r.code !== 0) throw new Error(`mlv ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/**
 * A TCP proxy to `port` that cuts every connection once `budget` bytes have passed in
 * either direction (and refuses new ones after that): a network failing mid-transfer.
 */
export async function cuttingProxy(port: number, budget: number): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    if (budget <= 0) { client.destroy(); return; }
    const upstream = connect(port, '127.0.0.1');
    sockets.add(upstream);
    const cut = () => { client.destroy(); upstream.destroy(); };
    const pass = (to: Socket) => (d: Buffer) => {
      budget -= d.length;
      if (budget <= 0) cut();
      else to.write(d);
    };
    client.on('data', pass(upstream));
    upstream.on('data', pass(client));
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${own}`,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
