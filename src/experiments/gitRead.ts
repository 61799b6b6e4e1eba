/**
 * Reading many small files at many commits with one `git cat-file --batch`: for 5,000
 * experiments that is one process instead of 10,000 reads (bench/exp.ts).
 */
import { spawn } from 'node:child_process';

/** `specs` are `<commit>:<path>`; the answer is in the same order, undefined where missing. */
export async function readFilesAt(root: string, specs: string[]): Promise<Array<Buffer | undefined>> {
  if (specs.length === 0) return [];
  const child = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git cat-file exited ${code}: ${stderr.trim()}`))));
  });
  child.stdin.end(specs.join('\n') + '\n');
  await done;
  const buf = Buffer.concat(chunks);
  const out: Array<Buffer | undefined> = [];
  let pos = 0;
  for (let i = 0; i < specs.length && pos < buf.length; i++) {
    const nl = buf.indexOf(10, pos);
    const header = buf.subarray(pos, nl).toString();
    pos = nl + 1;
    // "<oid> <type> <size>" or "<spec> missing" / "<spec> ambiguous"
    const parts = header.split(' ');
    const size = Number(parts[parts.length - 1]);
    if (parts.length !== 3 || !Number.isFinite(size) || !/^[0-9a-f]{40,64}$/.test(parts[0])) { out.push(undefined); continue; }
    out.push(parts[1] === 'blob' ? buf.subarray(pos, pos + size) : undefined);
    pos += size + 1;
  }
  while (out.length < specs.length) out.push(undefined);
  return out;
}
