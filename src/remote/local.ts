import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, chmodSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../pid.js';
import { copyFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { CorruptObjectError } from '../errors/index.js';
import { fsyncDir, fsyncFile, tmpName } from '../store/atomic.js';
import { CHUNK, HEX64 } from '../store/hash.js';
import type { Remote } from './Remote.js';

const DAY_MS = 24 * 3600_000;
/** `tmpName(tmpDir, '<hash>.<host>')`: host and pid of the uploader. */
const REMOTE_TMP = /^\.[0-9a-f]{64}\.(.+)\.(\d+)\.[0-9a-f]{8}\.[0-9a-z]+\.tmp$/;

/**
 * A remote in a local (or mounted network) directory: `<root>/sha256/<2>/<62>`.
 * Uploads land in `<root>/tmp/` and are renamed into place once verified; a push
 * removes what killed pushes left there.
 */
export class LocalRemote implements Remote {
  readonly defaultJobs = 4;
  constructor(readonly name: string, readonly url: string, private readonly root: string) {}

  private objPath(hash: string): string {
    return join(this.root, 'sha256', hash.slice(0, 2), hash.slice(2));
  }

  async list(): Promise<Set<string>> {
    const out = new Set<string>();
    const base = join(this.root, 'sha256');
    if (!existsSync(base)) return out;
    for (const prefix of readdirSync(base)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const rest of readdirSync(join(base, prefix))) if (HEX64.test(prefix + rest)) out.add(prefix + rest);
    }
    return out;
  }

  private swept = false;

  /**
   * Uploads a killed push left in `<root>/tmp/`: those of this host whose process is
   * gone, and any older than a day (another host's, whose process cannot be asked).
   */
  private sweepTmp(tmpDir: string): void {
    this.swept = true;
    const host = hostname();
    for (const n of readdirSync(tmpDir)) {
      const p = join(tmpDir, n);
      try {
        const m = REMOTE_TMP.exec(n);
        const gone = m !== null && m[1] === host && !processAlive(Number(m[2]));
        if (gone || Date.now() - statSync(p).mtimeMs > DAY_MS) rmSync(p, { force: true, recursive: true });
      } catch { /* gone already, or not ours to remove */ }
    }
  }

  async upload(hash: string, file: string, _size: number, onBytes?: (n: number) => void): Promise<void> {
    const tmpDir = join(this.root, 'tmp');
    mkdirSync(tmpDir, { recursive: true });
    if (!this.swept) this.sweepTmp(tmpDir);
    const tmp = tmpName(tmpDir, `${hash}.${hostname()}`);
    try {
      await copyVerified(file, tmp, hash, `${this.name}: upload of`, onBytes);
      fsyncFile(tmp);
      const dest = this.objPath(hash);
      mkdirSync(dirname(dest), { recursive: true });
      chmodSync(tmp, 0o444);
      renameSync(tmp, dest);
      fsyncDir(dirname(dest));
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  async download(hash: string, dest: string, onBytes?: (n: number) => void): Promise<void> {
    const src = this.objPath(hash);
    if (!onBytes) { await copyFile(src, dest); return; }
    await pipeline(createReadStream(src, { highWaterMark: CHUNK }), counter(onBytes), createWriteStream(dest));
  }

  async close(): Promise<void> {}
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({ transform(chunk: Buffer, _e, cb) { onBytes(chunk.length); cb(null, chunk); } });
}

/** Copy while hashing; refuse (and delete) when the bytes do not hash to `hash`. */
async function copyVerified(src: string, dest: string, hash: string, what: string, onBytes?: (n: number) => void): Promise<void> {
  const h = createHash('sha256');
  await pipeline(
    createReadStream(src, { highWaterMark: CHUNK }),
    new Transform({ transform(chunk: Buffer, _e, cb) { h.update(chunk); onBytes?.(chunk.length); cb(null, chunk); } }),
    createWriteStream(dest),
  );
  const actual = h.digest('hex');
  if (actual !== hash) { rmSync(dest, { force: true }); throw new CorruptObjectError(hash, actual, `${what} ${hash.slice(0, 12)}`); }
}
