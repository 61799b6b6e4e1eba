import { InputError } from '../../errors/index.js';

/**
 * Canonical JSON for model and metrics files, so the same fit gives the same bytes:
 * keys sorted (code-unit order), numbers in ECMAScript's shortest round-trip form (so
 * parse → print returns the same text), objects indented, arrays of scalars on one
 * line (a forest's node arrays stay compact; params and metrics stay diffable).
 * Returned as chunks so a large forest never has to exist as one giant string.
 */
export function canonicalChunks(value: unknown): string[] {
  const chunks: string[] = [];
  write(value, '', chunks);
  chunks.push('\n');
  return chunks;
}

export function canonicalJson(value: unknown): string {
  return canonicalChunks(value).join('');
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InputError(`cannot write a non-finite number (${v}) to JSON`);
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  throw new InputError(`cannot write a ${typeof v} to JSON`);
}

function write(v: unknown, indent: string, out: string[]): void {
  if (isScalar(v)) {
    out.push(scalar(v));
    return;
  }
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const a = v as ArrayLike<unknown>;
    if (a.length === 0) {
      out.push('[]');
      return;
    }
    let allScalar = true;
    for (let i = 0; i < a.length && allScalar; i++) allScalar = isScalar(a[i]);
    if (allScalar) {
      // Built in slices: one join per 4096 items keeps memory flat for long arrays.
      out.push('[');
      for (let i = 0; i < a.length; i += 4096) {
        const end = Math.min(a.length, i + 4096);
        const parts = new Array<string>(end - i);
        for (let j = i; j < end; j++) parts[j - i] = scalar(a[j]);
        out.push((i > 0 ? ',' : '') + parts.join(','));
      }
      out.push(']');
      return;
    }
    const inner = indent + '  ';
    out.push('[\n');
    for (let i = 0; i < a.length; i++) {
      out.push(inner);
      write(a[i], inner, out);
      out.push(i < a.length - 1 ? ',\n' : '\n');
    }
    out.push(indent + ']');
    return;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  if (keys.length === 0) {
    out.push('{}');
    return;
  }
  const inner = indent + '  ';
  out.push('{\n');
  keys.forEach((k, i) => {
    out.push(inner + JSON.stringify(k) + ': ');
    write(obj[k], inner, out);
    out.push(i < keys.length - 1 ? ',\n' : '\n');
  });
  out.push(indent + '}');
}
