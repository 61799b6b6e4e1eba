/**
 * S3 and S3-compatible remotes (`s3://bucket/prefix`, docs/FORMAT.md "Remotes",
 * docs/remotes.md). Objects live under `<prefix>/sha256/<2 hex>/<62 hex>`.
 * Credentials come from the AWS SDK's default chain (environment, shared config and
 * credentials files, `profile`, SSO, container/instance roles); mlv never reads, prints
 * or stores them itself.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsCommand, S3Client, type ListObjectsCommandOutput } from '@aws-sdk/client-s3';
import { InputError } from '../errors/index.js';
import type { RemoteConfig } from '../repo/config.js';
import { CHUNK, HEX64 } from '../store/hash.js';
import { registerRemoteScheme } from './open.js';
import { checkEndpointUrl, parseS3Url } from './urls.js';
import type { Remote } from './Remote.js';
import { s3Error, type S3Where } from './s3/errors.js';
import { putMultipart, putSingle, Semaphore, type UploadTarget } from './s3/upload.js';
import { pool } from './transfer.js';

export interface S3Tuning {
  /** Objects at least this big go up in parts. */
  multipartThreshold: number;
  partSize: number;
  partJobs: number;
  /** Part buffers in memory at once, across all objects. */
  partBuffers: number;
  /**
   * `auto`: one listing page, then paging on, or one listing per 2-hex prefix in parallel
   * when the first page shows the remote is large (bench/remote.ts measures both).
   * `paged`: always page in sequence. `prefixes`: always per prefix past the first page.
   */
  listMode: 'auto' | 'paged' | 'prefixes';
  listJobs: number;
}

/**
 * Objects below 64 MiB go up in one streamed PUT: mlv already runs `--jobs` objects at
 * once, and against s3rver a multipart upload of 1 GiB costs 3x the server CPU of one PUT
 * (bench/remote.ts). Above it, 16 MiB parts, 4 at once per object, 8 part buffers (128
 * MiB) in memory across all objects; parts also lift S3's 5 GiB single-PUT limit.
 */
export const DEFAULT_TUNING: S3Tuning = {
  multipartThreshold: 64 * 1024 * 1024,
  partSize: 16 * 1024 * 1024,
  partJobs: 4,
  partBuffers: 8,
  listMode: 'auto',
  listJobs: 16,
};

const SMALL_DOWNLOAD = 8 * 1024 * 1024;

export { parseS3Url } from './urls.js';

export class S3Remote implements Remote {
  readonly defaultJobs: number;
  private readonly base: string;
  private readonly buffers: Semaphore;
  private readonly where: S3Where;

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly client: S3Client,
    private readonly bucket: string,
    prefix: string,
    opts: { jobs?: number; endpoint?: string; profile?: string; tuning?: Partial<S3Tuning> } = {},
    private readonly tuning: S3Tuning = { ...DEFAULT_TUNING, ...opts.tuning },
  ) {
    this.defaultJobs = opts.jobs ?? 16;
    this.base = `${prefix ? prefix + '/' : ''}sha256/`;
    this.buffers = new Semaphore(this.tuning.partBuffers);
    this.where = { remote: name, url, bucket, endpoint: opts.endpoint, profile: opts.profile };
  }

  key(hash: string): string {
    return `${this.base}${hash.slice(0, 2)}/${hash.slice(2)}`;
  }

  async list(): Promise<Set<string>> {
    return new Set((await this.listSizes()).keys());
  }

  /**
   * Every object with its stored size. Sizes let a push redo an object that a server
   * without atomic PUTs (s3rver) left truncated under its final key when a client died.
   */
  async listSizes(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const take = (page: ListObjectsCommandOutput) => {
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        const rest = o.Key.slice(this.base.length);
        const hash = rest.slice(0, 2) + rest.slice(3);
        if (rest[2] === '/' && HEX64.test(hash)) out.set(hash, o.Size ?? 0);
      }
    };
    // Pages follow each other by marker (the last key seen), which every S3 flavour accepts.
    const listAll = async (prefix: string, marker?: string) => {
      for (;;) {
        const page = await this.listPage(prefix, marker);
        take(page);
        const last = page.Contents?.at(-1)?.Key;
        if (!page.IsTruncated || !last) return;
        marker = last;
      }
    };
    const first = await this.listPage(this.base);
    take(first);
    if (!first.IsTruncated) return out;
    const lastKey = first.Contents?.at(-1)?.Key ?? '';
    // Hashes are uniform, so how far into the key space the first page reached estimates
    // how many pages one listing would take. Below 16 pages, paging in sequence is cheaper
    // than 256 prefix listings (10,000 objects on s3rver: 4.0 s vs 4.9 s, bench/remote.ts).
    const reached = (parseInt(lastKey.slice(this.base.length, this.base.length + 2) + lastKey.slice(this.base.length + 3, this.base.length + 9), 16) + 1) / 2 ** 32;
    const pages = reached > 0 ? 1 / reached : Infinity;
    if (this.tuning.listMode === 'paged' || (this.tuning.listMode === 'auto' && pages <= 16)) {
      await listAll(this.base, lastKey);
      return out;
    }
    // Large remote: the 2-hex prefixes are independent listings, so run them side by side.
    const prefixes = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
      .filter((p) => `${this.base}${p}/` >= lastKey.slice(0, this.base.length + 3));
    await pool(prefixes, this.tuning.listJobs, async (p) => {
      const prefix = `${this.base}${p}/`;
      // The first page already covered this prefix up to its last key.
      await listAll(prefix, lastKey.startsWith(prefix) ? lastKey : undefined);
    });
    return out;
  }

  async upload(hash: string, file: string, size: number, onBytes?: (n: number) => void): Promise<void> {
    const t: UploadTarget = { client: this.client, bucket: this.bucket, key: this.key(hash), hash, file, size, remote: this.name };
    try {
      if (size < this.tuning.multipartThreshold) await putSingle(t, onBytes);
      else await putMultipart(t, { partSize: this.tuning.partSize, partJobs: this.tuning.partJobs, buffers: this.buffers }, onBytes);
    } catch (e) {
      throw s3Error(e, this.where, 'upload', hash);
    }
  }

  async download(hash: string, dest: string, onBytes?: (n: number) => void): Promise<void> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(hash) }));
      if ((res.ContentLength ?? Infinity) <= SMALL_DOWNLOAD) {
        // Whole in memory: two file streams per small object cost more CPU than the transfer.
        const bytes = await res.Body!.transformToByteArray();
        await writeFile(dest, bytes);
        onBytes?.(bytes.length);
        return;
      }
      const count = new Transform({ transform(chunk: Buffer, _e, cb) { onBytes?.(chunk.length); cb(null, chunk); } });
      await pipeline(res.Body as Readable, count, createWriteStream(dest, { highWaterMark: CHUNK }));
    } catch (e) {
      throw s3Error(e, this.where, 'download', hash);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /**
   * ListObjects (v1) with a marker rather than v2 with continuation tokens: s3rver 3.7
   * cannot make v2 tokens on Node 20 (its DES cipher is gone from OpenSSL 3) and fails
   * every listing longer than a page; S3, MinIO, Ceph and R2 serve both.
   */
  private async listPage(prefix: string, marker?: string): Promise<ListObjectsCommandOutput> {
    try {
      return await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, Marker: marker }));
    } catch (e) {
      throw s3Error(e, this.where, 'list');
    }
  }
}

/** An S3 client for a remote's settings. Custom endpoints get path-style addressing (MinIO, Ceph, s3rver). */
export function makeClient(cfg: RemoteConfig): S3Client {
  return new S3Client({
    region: cfg.region ?? (cfg.endpoint_url ? 'us-east-1' : undefined),
    endpoint: cfg.endpoint_url,
    forcePathStyle: cfg.endpoint_url ? true : undefined,
    profile: cfg.profile,
    followRegionRedirects: true,
    maxAttempts: 3,
    // We send SHA-256 checksums ourselves; the SDK's default CRC32 would stream aws-chunked bodies that many S3-compatible servers store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000 },
  });
}

registerRemoteScheme('s3', async (name, cfg) => {
  const { bucket, prefix } = parseS3Url(cfg.url);
  if (cfg.endpoint_url !== undefined) checkEndpointUrl(cfg.endpoint_url, `remote '${name}' (.mlv/config)`);
  return new S3Remote(name, cfg.url, makeClient(cfg), bucket, prefix, { jobs: cfg.jobs, endpoint: cfg.endpoint_url, profile: cfg.profile });
});
