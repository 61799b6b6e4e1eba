import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../pid.js';
import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { corruptInCache, PUSH_FIX } from '../store/ObjectStore.js';
import { fsyncDirAsync, tmpName } from '../store/atomic.js';
import { copyHashing } from '../store/chunked.js';
import { HEX64, hashFile } from '../store/hash.js';
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

  /**
   * With sizes, so that a push replaces an object truncated or grown behind mlv's back.
   * One readdir per prefix names them all; a stat is made only for the objects `need`
   * accepts (a push: those it would send), the others are -1: a remote holding a long
   * history is not stat'ed whole on every push (bench/survey.ts).
   */
  async listSizes(need?: (hash: string) => boolean): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const h of await this.list()) {
      if (need && !need(h)) { out.set(h, -1); continue; }
      try { out.set(h, statSync(this.objPath(h)).size); } catch { /* removed meanwhile: missing */ }
    }
    return out;
  }

  async rehash(hash: string): Promise<string> {
    return hashFile(this.objPath(hash));
  }

  private swept = false;
  /** Object directories known to exist (made once per push). */
  private readonly dirs = new Set<string>();

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
      // Read, hash and write in one pass; the data is on disk before the rename names it.
      const actual = await copyHashing(file, tmp, onBytes, { mode: 0o444, sync: true });
      if (actual !== hash) throw corruptInCache(hash, actual, `push to '${this.name}'`, PUSH_FIX);
      const dest = this.objPath(hash);
      const dir = dirname(dest);
      if (!this.dirs.has(dir)) { mkdirSync(dir, { recursive: true }); this.dirs.add(dir); }
      await rename(tmp, dest);
      await fsyncDirAsync(dir);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  /** Copies and hashes in one pass: the hash is the caller's verification. */
  async download(hash: string, dest: string, onBytes?: (n: number) => void): Promise<string> {
    return copyHashing(this.objPath(hash), dest, onBytes);
  }

  async close(): Promise<void> {}
}

