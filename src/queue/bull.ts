/**
 * BullMQ on Redis: the queue's engine. mlv keeps no scheduler of its own; this file only
 * opens BullMQ's Queue and Worker with the connection settings mlv needs, and turns
 * connection failures into one clear error that never shows a password.
 */
import type * as BullMQ from 'bullmq';
import type { Job, Processor, Queue, Worker } from 'bullmq';
import type { Redis as IORedis } from 'ioredis';
import { QueueUnavailableError } from '../errors/index.js';
import { scrub, type QueueSettings } from './settings.js';
import type { ExpJobData, ExpJobResult } from './job.js';

let loading: Promise<typeof BullMQ> | undefined;

/**
 * BullMQ (and ioredis under it), loaded when a queue verb first needs it: a script's
 * `import { add } from 'mlv'` and every command but the queue's never load them.
 */
export function bullmq(): Promise<typeof BullMQ> {
  return (loading ??= import('bullmq'));
}

export type ExpQueue = Queue<ExpJobData, ExpJobResult, string>;
export type ExpJob = Job<ExpJobData, ExpJobResult, string>;
export type ExpWorker = Worker<ExpJobData, ExpJobResult, string>;

function describe(e: unknown, s: QueueSettings): string {
  const msg = (e as Error)?.message ?? String(e);
  return scrub(msg.split('\n')[0], s);
}

export interface OpenQueueOptions {
  /**
   * Give up after this many ms, without retrying: for readers that show the queue beside
   * something else (`exp show`, `ui`) and must not hang on a Redis that does not answer.
   */
  timeoutMs?: number;
}

/**
 * A Queue for short commands (submit, status, cancel): it fails within seconds when
 * Redis cannot be reached instead of retrying for ever.
 */
export async function openQueue(s: QueueSettings, o: OpenQueueOptions = {}): Promise<ExpQueue> {
  const { Queue } = await bullmq();
  const t = o.timeoutMs;
  let connection;
  let own: IORedis | undefined;
  if (t === undefined) connection = { ...s.connection, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: (n: number) => (n > 3 ? null : 250) };
  else {
    // A client of our own, so that giving up can drop its socket (see dropQueue).
    const { Redis } = await import('ioredis');
    // disconnectTimeout: a socket Redis does not close after QUIT/FIN is destroyed soon,
    // instead of keeping the process alive for ioredis' default 2 s.
    connection = own = new Redis({ ...s.connection, maxRetriesPerRequest: 0, connectTimeout: t, disconnectTimeout: 100, retryStrategy: () => null });
  }
  const queue: ExpQueue = new Queue<ExpJobData, ExpJobResult, string>(s.name, { connection, skipWaitingForReady: false });
  if (own) owned.set(queue, own);
  let lastError: unknown;
  queue.on('error', (e) => { lastError = e; });
  own?.on('error', (e) => { lastError = e; });
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = (async () => { const client = await queue.getBackend().client; await client.info(); })();
    if (t === undefined) await ready;
    else {
      ready.catch(() => undefined);
      await Promise.race([ready, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${t} ms`)), t); })]);
    }
  } catch (e) {
    await dropQueue(queue);
    throw new QueueUnavailableError(`queue ${s.where}: cannot reach Redis: ${describe(lastError ?? e, s)}`, { queue: s.name });
  } finally {
    clearTimeout(timer);
  }
  return queue;
}

const owned = new WeakMap<ExpQueue, IORedis>();

/** Close a Queue without waiting for Redis to answer (QUIT would wait for ever on a Redis that stopped answering). */
export async function dropQueue(queue: ExpQueue): Promise<void> {
  owned.get(queue)?.disconnect();
  await queue.close().catch(() => undefined);
}

/** Close a Queue: QUIT, or for one opened with a timeout, its own client's. */
export async function closeQueue(queue: ExpQueue): Promise<void> {
  await queue.close();
  await owned.get(queue)?.quit().catch(() => undefined);
}

export interface WorkerOpenOptions {
  concurrency: number;
  /** Stored on every job it takes (`processedBy`): host and pid. */
  workerName: string;
  onError?: (message: string) => void;
}

/**
 * A Worker that reconnects for ever (Redis restarts are survived; jobs wait in Redis)
 * and hands a job whose lock it stopped renewing to another worker after
 * `stalledInterval`.
 */
export async function openWorker(s: QueueSettings, processor: Processor<ExpJobData, ExpJobResult, string>, o: WorkerOpenOptions): Promise<ExpWorker> {
  const { Worker } = await bullmq();
  const worker: ExpWorker = new Worker<ExpJobData, ExpJobResult, string>(s.name, processor, {
    connection: { ...s.connection, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    name: o.workerName,
    autorun: false,
    lockDuration: s.stalledInterval,
    stalledInterval: s.stalledInterval,
    // A job whose worker died twice goes back to wait once more before it is failed.
    maxStalledCount: 2,
    // Short long-polls, so --exit-when-idle and Ctrl-C are noticed quickly.
    drainDelay: 1,
  });
  worker.on('error', (e) => o.onError?.(`queue ${s.where}: ${describe(e, s)}`));
  return worker;
}

/** Whether Redis keeps an append-only file (a restart without one can lose jobs). */
export async function persistenceOf(queue: ExpQueue | ExpWorker): Promise<{ aof: boolean } | undefined> {
  try {
    const client = await queue.getBackend().client;
    const info = await client.info();
    const m = /aof_enabled:(\d)/.exec(info);
    return m ? { aof: m[1] === '1' } : undefined;
  } catch {
    return undefined; // INFO can be disabled on managed Redis
  }
}
