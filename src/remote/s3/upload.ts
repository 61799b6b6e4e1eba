/**
 * Uploads with SHA-256 checked at both ends. The client hashes the bytes it sends and
 * refuses to finish an upload whose bytes do not hash to the object's name (a damaged
 * local cache never reaches the remote). The server gets the same digest three ways:
 * `x-amz-content-sha256` (the signed payload hash, which S3 verifies), `ChecksumSHA256`
 * per PUT or per part (verified and echoed by S3), and, for servers that verify and echo
 * neither (s3rver, some S3-compatible stores), the client compares the returned ETag with
 * the MD5 of what it sent and the stored size with HeadObject (docs/remotes.md).
 *
 * Nothing is readable under the final key before it is complete: a single PUT and a
 * multipart completion are atomic in S3. An interrupted multipart upload leaves only
 * invisible parts; we abort it when we can (servers without AbortMultipartUpload and
 * killed processes leave them for a bucket lifecycle rule to clean).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  HeadObjectCommand, PutObjectCommand, UploadPartCommand, type CompletedPart, type S3Client,
} from '@aws-sdk/client-s3';
import { CheckFailedError, CorruptObjectError } from '../../errors/index.js';
import { CHUNK } from '../../store/hash.js';
import { corruptInCache, PUSH_FIX } from '../../store/ObjectStore.js';

export interface UploadTarget {
  client: S3Client;
  bucket: string;
  key: string;
  hash: string;
  file: string;
  size: number;
  /** Names the remote in messages. */
  remote: string;
}

export interface MultipartSettings {
  partSize: number;
  /** Parts of one object in flight at once. */
  partJobs: number;
  /** Shared across objects: caps part buffers held in memory. */
  buffers: Semaphore;
}

export class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) { this.free--; return; }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** The signer takes a present `x-amz-content-sha256` as the payload hash instead of hashing the body again. */
function withPayloadHash<C extends { middlewareStack: { add: (...a: never[]) => unknown } }>(cmd: C, hex: string): C {
  (cmd.middlewareStack as unknown as { add: (mw: unknown, o: unknown) => void }).add(
    (next: (a: unknown) => Promise<unknown>) => async (args: { request: { headers: Record<string, string> } }) => {
      args.request.headers['x-amz-content-sha256'] = hex;
      return next(args);
    },
    { step: 'build', name: 'mlvPayloadHash' },
  );
  return cmd;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/"/g, '');

/** When the server echoes no SHA-256, its ETag is the MD5 of what it stored (single PUTs, parts). */
function checkEcho(t: UploadTarget, what: string, body: Buffer, sha: Buffer, res: { ChecksumSHA256?: string; ETag?: string }): void {
  if (res.ChecksumSHA256) {
    if (res.ChecksumSHA256 !== sha.toString('base64')) throw mismatch(t, what, `SHA-256 ${res.ChecksumSHA256}`);
    return;
  }
  const etag = unquote(res.ETag);
  if (/^[0-9a-f]{32}$/.test(etag) && etag !== createHash('md5').update(body).digest('hex')) throw mismatch(t, what, `ETag ${etag}`);
}

function mismatch(t: UploadTarget, what: string, got: string): CheckFailedError {
  return new CheckFailedError(`remote '${t.remote}': upload of ${t.hash.slice(0, 12)} ${what}: the server stored different bytes (${got})`, { hash: t.hash }, 'EUPLOADMISMATCH');
}

/** A wrong object must not stay readable under a content-addressed key. */
async function discard(t: UploadTarget): Promise<void> {
  await t.client.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: t.key })).catch(() => undefined);
}

function local(t: UploadTarget, actual: string): CorruptObjectError {
  return corruptInCache(t.hash, actual, `push to '${t.remote}'`, PUSH_FIX);
}

// Up to this size a PUT reads the object whole: a stream with 4 MiB reads would allocate 4 MiB per object.
const SMALL = 8 * 1024 * 1024;

/** A small object, read whole and checked before a byte is sent. */
async function putSmall(t: UploadTarget, onBytes?: (n: number) => void): Promise<void> {
  const body = await readFile(t.file);
  const sha = createHash('sha256').update(body).digest();
  if (sha.toString('hex') !== t.hash) throw local(t, sha.toString('hex'));
  const res = await t.client.send(withPayloadHash(new PutObjectCommand({
    Bucket: t.bucket, Key: t.key, Body: body, ContentLength: body.length, ChecksumSHA256: sha.toString('base64'),
  }), t.hash));
  try {
    checkEcho(t, '', body, sha, res);
  } catch (e) {
    await discard(t);
    throw e;
  }
  onBytes?.(body.length);
}

/**
 * Larger objects: one PUT, streamed from the file. The object's name is its SHA-256, so the digest goes
 * in the headers before a byte is read: S3 verifies the body against it and stores
 * nothing on a mismatch. The client hashes what it streams as well, for servers that
 * verify nothing; there a mismatch deletes the object it just wrote.
 */
export async function putSingle(t: UploadTarget, onBytes?: (n: number) => void): Promise<void> {
  if (t.size <= SMALL) return putSmall(t, onBytes);
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let sent = 0;
  const body = createReadStream(t.file, { highWaterMark: CHUNK }).pipe(new Transform({
    transform(chunk: Buffer, _e, cb) { sha.update(chunk); md5.update(chunk); sent += chunk.length; onBytes?.(chunk.length); cb(null, chunk); },
  }));
  const named = Buffer.from(t.hash, 'hex');
  const res = await t.client.send(withPayloadHash(new PutObjectCommand({
    Bucket: t.bucket, Key: t.key, Body: body, ContentLength: t.size, ChecksumSHA256: named.toString('base64'),
  }), t.hash));
  const actual = sha.digest('hex');
  if (actual !== t.hash || sent !== t.size) {
    await discard(t);
    throw local(t, actual);
  }
  const etag = unquote(res.ETag);
  const md5hex = md5.digest('hex');
  if ((res.ChecksumSHA256 && res.ChecksumSHA256 !== named.toString('base64')) || (!res.ChecksumSHA256 && /^[0-9a-f]{32}$/.test(etag) && etag !== md5hex)) {
    await discard(t);
    throw mismatch(t, '', res.ChecksumSHA256 ? `SHA-256 ${res.ChecksumSHA256}` : `ETag ${etag}`);
  }
}

async function readAt(fh: import('node:fs/promises').FileHandle, buf: Buffer, pos: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await fh.read(buf, off, buf.length - off, pos + off);
    if (bytesRead === 0) throw new Error('file shrank while being uploaded');
    off += bytesRead;
  }
}

export async function putMultipart(t: UploadTarget, m: MultipartSettings, onBytes?: (n: number) => void): Promise<void> {
  // S3 allows 10,000 parts; grow parts for huge objects rather than fail.
  const partSize = Math.max(m.partSize, Math.ceil(t.size / 10_000));
  const created = await t.client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, ChecksumAlgorithm: 'SHA256' }));
  const uploadId = created.UploadId!;
  const fh = await open(t.file, 'r');
  const parts: CompletedPart[] = [];
  const partShas: Buffer[] = [];
  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  try {
    const full = createHash('sha256');
    for (let n = 1, pos = 0; pos < t.size && failure === undefined; n++, pos += partSize) {
      await m.buffers.acquire();
      const buf = Buffer.allocUnsafe(Math.min(partSize, t.size - pos));
      let p: Promise<void>;
      try {
        await readAt(fh, buf, pos);
        full.update(buf);
      } catch (e) { m.buffers.release(); throw e; }
      const sha = createHash('sha256').update(buf).digest();
      partShas[n - 1] = sha;
      const partNumber = n;
      p = t.client.send(withPayloadHash(new UploadPartCommand({
        Bucket: t.bucket, Key: t.key, UploadId: uploadId, PartNumber: partNumber, Body: buf, ContentLength: buf.length, ChecksumSHA256: sha.toString('base64'),
      }), sha.toString('hex')))
        .then((res) => {
          checkEcho(t, `part ${partNumber}`, buf, sha, res);
          parts[partNumber - 1] = { PartNumber: partNumber, ETag: res.ETag, ChecksumSHA256: sha.toString('base64') };
          onBytes?.(buf.length);
        })
        .catch((e) => { failure ??= e; })
        .finally(() => { m.buffers.release(); inflight.delete(p); });
      inflight.add(p);
      while (inflight.size >= m.partJobs) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    // The whole file must hash to its name before the object may become visible.
    const actual = full.digest('hex');
    if (actual !== t.hash) throw local(t, actual);
    const res = await t.client.send(new CompleteMultipartUploadCommand({
      Bucket: t.bucket, Key: t.key, UploadId: uploadId, MultipartUpload: { Parts: parts },
    }));
    if (res.ChecksumSHA256) {
      // S3's composite checksum: SHA-256 of the parts' digests, "-<parts>".
      const composite = `${createHash('sha256').update(Buffer.concat(partShas)).digest('base64')}-${partShas.length}`;
      if (res.ChecksumSHA256 !== composite && res.ChecksumSHA256 !== composite.replace(/-\d+$/, '')) {
        await discard(t);
        throw mismatch(t, 'completion', `SHA-256 ${res.ChecksumSHA256}`);
      }
    } else {
      const head = await t.client.send(new HeadObjectCommand({ Bucket: t.bucket, Key: t.key }));
      if (head.ContentLength !== t.size) {
        await discard(t);
        throw mismatch(t, 'completion', `${head.ContentLength} bytes, not ${t.size}`);
      }
    }
  } catch (e) {
    await Promise.allSettled(inflight);
    await t.client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId })).catch(() => undefined);
    throw e;
  } finally {
    await fh.close();
  }
}
