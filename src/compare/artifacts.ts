/**
 * Pure comparison of two versions' tracked data: rows, not strings.
 */
export interface ArtifactSide {
  path: string;
  kind: 'file' | 'dir';
  hash: string;
  size: number;
  files: number;
  desc?: string;
}

export interface FileChangeRow { path: string; change: 'added' | 'modified' | 'deleted'; oldSize?: number; newSize?: number }

export interface ArtifactChangeRow {
  path: string;
  change: 'added' | 'modified' | 'deleted';
  kind: 'file' | 'dir';
  oldSize?: number;
  newSize?: number;
  oldHash?: string;
  newHash?: string;
  desc?: string;
  /** For directories whose manifests are both known: the files that changed inside. */
  files?: FileChangeRow[];
}

export function diffArtifacts(
  a: ArtifactSide[],
  b: ArtifactSide[],
  filesOf: (before: ArtifactSide, after: ArtifactSide) => FileChangeRow[] | undefined,
): ArtifactChangeRow[] {
  const A = new Map(a.map((x) => [x.path, x]));
  const B = new Map(b.map((x) => [x.path, x]));
  const rows: ArtifactChangeRow[] = [];
  for (const [path, x] of A) {
    const y = B.get(path);
    if (!y) rows.push({ path, change: 'deleted', kind: x.kind, oldSize: x.size, oldHash: x.hash, desc: x.desc });
    else if (x.hash !== y.hash || x.kind !== y.kind) {
      const files = x.kind === 'dir' && y.kind === 'dir' ? filesOf(x, y) : undefined;
      rows.push({ path, change: 'modified', kind: y.kind, oldSize: x.size, newSize: y.size, oldHash: x.hash, newHash: y.hash, desc: y.desc, ...(files ? { files } : {}) });
    }
  }
  for (const [path, y] of B) if (!A.has(path)) rows.push({ path, change: 'added', kind: y.kind, newSize: y.size, newHash: y.hash, desc: y.desc });
  return rows.sort((p, q) => (p.path < q.path ? -1 : p.path > q.path ? 1 : 0));
}
