/**
 * The per-file half of a tracked directory's check (treeCheck.ts): walk a section's
 * entries in the state index's bytes and lstat each file, comparing numbers read in
 * place. Pure and self-contained, so worker threads (statWorker.ts) run it too.
 */
import { isRegularFile, lstatNumbers, statNumbers, ST_CTIME, ST_INO, ST_MODE, ST_MTIME, ST_SIZE } from './lstatNumbers.js';

/** A section of the index's buffer to check: its entries start at `start`. */
export interface ScanTask { dir: string; absDir: string; start: number; count: number }

export interface ChangedFile { dir: string; name: string; size: number; mtimeMs: number; ctimeMs: number; ino: number; exec: boolean }

export interface ScanResult {
  files: number;
  size: number;
  /** A name is gone or no longer a file, or a .mlvignore changed: the directory must be walked. */
  structural: boolean;
  changed: ChangedFile[];
  skipped: Array<{ path: string; reason: 'symlink' | 'special' }>;
}

// Entry kinds (docs/FORMAT.md): 1 file, 2 symlink, 3 special file, 4 .mlvignore.
export function scanSections(buf: Uint8Array, tasks: ScanTask[]): ScanResult {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: ScanResult = { files: 0, size: 0, structural: false, changed: [], skipped: [] };
  const st = statNumbers();
  for (const t of tasks) {
    let at = t.start;
    for (let i = 0; i < t.count; i++) {
      const kind = b[at];
      const exec = b[at + 1] === 1;
      const nameLen = b.readUInt16LE(at + 2);
      const p = at + 4 + nameLen;
      const name = b.toString('utf8', at + 4, p);
      at = p + 33 + b[p + 32];
      if (kind === 2 || kind === 3) { out.skipped.push({ path: `${t.dir}/${name}`, reason: kind === 2 ? 'symlink' : 'special' }); continue; }
      const found = lstatNumbers(`${t.absDir}/${name}`, st);
      const size = st[ST_SIZE], mtime = st[ST_MTIME], ctime = st[ST_CTIME], ino = st[ST_INO];
      if (kind === 4) {
        if (!found || size !== b.readDoubleLE(p) || mtime !== b.readDoubleLE(p + 8) || ctime !== b.readDoubleLE(p + 16) || ino !== b.readDoubleLE(p + 24)) { out.structural = true; return out; }
        continue;
      }
      if (!found || !isRegularFile(st[ST_MODE])) { out.structural = true; return out; }
      out.files++;
      out.size += size;
      const x = (st[ST_MODE] & 0o111) !== 0;
      if (size !== b.readDoubleLE(p) || mtime !== b.readDoubleLE(p + 8) || ctime !== b.readDoubleLE(p + 16) || ino !== b.readDoubleLE(p + 24) || x !== exec) {
        out.changed.push({ dir: t.dir, name, size, mtimeMs: mtime, ctimeMs: ctime, ino, exec: x });
      }
    }
  }
  return out;
}
