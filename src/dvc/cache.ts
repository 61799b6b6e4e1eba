/**
 * The DVC cache: `files/md5/<2>/<30>` (3.x) and `<2>/<30>` (2.x), directories as
 * `<md5>.dir` JSON lists of `{md5, relpath}`. Every object read is checked against its
 * md5 (node:crypto) before it is stored as an mlv object.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptObjectError, InputError } from '../errors/index.js';
import { CHUNK } from '../store/hash.js';
import type { ObjectStore } from '../store/ObjectStore.js';

export interface DirEntry {
  relpath: string;
  md5: string;
  isexec?: boolean;
}

export class DvcCache {
  constructor(readonly root: string) {}

  /** Where an object is: 3.x layout first, then 2.x (a 3.x repo keeps 2.x objects there). */
  path(md5: string): string | undefined {
    for (const p of [join(this.root, 'files', 'md5', md5.slice(0, 2), md5.slice(2)), join(this.root, md5.slice(0, 2), md5.slice(2))]) {
      if (existsSync(p)) return p;
    }
    return undefined;
  }

  has(md5: string): boolean {
    return this.path(md5) !== undefined;
  }

  /** A `.dir` object's entries, verified. */
  readDir(md5: string): DirEntry[] {
    const p = this.path(md5);
    if (!p) throw new InputError(`DVC cache: ${md5} is missing`, { md5 });
    const buf = readFileSync(p);
    const want = md5.replace(/\.dir$/, '');
    const got = createHash('md5').update(buf).digest('hex');
    if (got !== want) throw new CorruptObjectError(want, got, `DVC cache ${p}`);
    let list: unknown;
    try { list = JSON.parse(buf.toString('utf8')); } catch { throw new InputError(`${p}: not a DVC .dir listing (bad JSON)`, { md5 }); }
    if (!Array.isArray(list)) throw new InputError(`${p}: not a DVC .dir listing (expected a JSON list)`, { md5 });
    return list.map((e: Record<string, unknown>, i) => {
      if (typeof e?.relpath !== 'string' || typeof e.md5 !== 'string' || !/^[0-9a-f]{32}$/.test(e.md5)) {
        throw new InputError(`${p}: entry ${i} needs relpath and md5`, { md5 });
      }
      return { relpath: e.relpath, md5: e.md5, ...(e.isexec === true ? { isexec: true } : {}) };
    });
  }

  /**
   * Store one file object in the mlv store after checking its md5. `legacy` (2.x) also
   * accepts DVC 2's md5 of a text file with CRLF line ends turned to LF.
   */
  async importFile(md5: string, store: ObjectStore, legacy: boolean): Promise<{ hash: string; size: number }> {
    const p = this.path(md5);
    if (!p) throw new InputError(`DVC cache: ${md5} is missing`, { md5 });
    const size = statSync(p).size;
    if (size <= CHUNK) {
      const buf = readFileSync(p);
      const got = createHash('md5').update(buf).digest('hex');
      if (got !== md5 && !(legacy && isText(buf) && createHash('md5').update(dos2unix(buf)).digest('hex') === md5)) {
        throw new CorruptObjectError(md5, got, `DVC cache ${p}`);
      }
      return store.addBytes(buf);
    }
    const h = createHash('md5');
    await new Promise<void>((resolve, reject) => {
      createReadStream(p, { highWaterMark: CHUNK }).on('data', (c) => h.update(c)).on('end', resolve).on('error', reject);
    });
    const got = h.digest('hex');
    if (got !== md5) throw new CorruptObjectError(md5, got, `DVC cache ${p}`);
    return store.addFile(p);
  }
}

/** DVC 2's test: no NUL in the first 512 bytes and mostly printable. */
function isText(buf: Buffer): boolean {
  const head = buf.subarray(0, 512);
  if (head.length === 0) return true;
  if (head.includes(0)) return false;
  let odd = 0;
  for (const b of head) if (b < 8 || (b > 13 && b < 32) || b === 127) odd++;
  return odd / head.length <= 0.3;
}

function dos2unix(buf: Buffer): Buffer {
  return Buffer.from(buf.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

/** md5 of a work-tree file as DVC computes it (raw; for 2.x also with CRLF → LF). */
export function md5OfFile(abs: string, legacy: boolean): string[] {
  const buf = readFileSync(abs);
  const raw = createHash('md5').update(buf).digest('hex');
  return legacy && isText(buf) ? [raw, createHash('md5').update(dos2unix(buf)).digest('hex')] : [raw];
}
