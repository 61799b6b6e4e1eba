/** Small dense linear algebra for the baselines (p×p matrices, p = feature count). */

/**
 * Eigen-decomposition of a symmetric matrix (row-major, p×p) by cyclic Jacobi
 * rotations: accurate to machine precision and deterministic, fine for p in the
 * hundreds. Returns eigenvalues in descending order and eigenvectors as rows.
 */
export function symmetricEigen(a: Float64Array, p: number): { values: Float64Array; vectors: Float64Array[] } {
  const A = Float64Array.from(a);
  const V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) V[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < p; i++) {
      diag += A[i * p + i] * A[i * p + i];
      for (let j = i + 1; j < p; j++) off += A[i * p + j] * A[i * p + j];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = A[i * p + j];
        if (aij === 0) continue;
        const aii = A[i * p + i];
        const ajj = A[j * p + j];
        const theta = (ajj - aii) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = A[k * p + i];
          const akj = A[k * p + j];
          A[k * p + i] = c * aki - s * akj;
          A[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = A[i * p + k];
          const ajk = A[j * p + k];
          A[i * p + k] = c * aik - s * ajk;
          A[j * p + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = V[k * p + i];
          const vkj = V[k * p + j];
          V[k * p + i] = c * vki - s * vkj;
          V[k * p + j] = s * vki + c * vkj;
        }
      }
    }
  }
  const idx = Array.from({ length: p }, (_, i) => i).sort((x, y) => A[y * p + y] - A[x * p + x] || x - y);
  const values = Float64Array.from(idx, (i) => A[i * p + i]);
  const vectors = idx.map((i) => Float64Array.from({ length: p }, (_, k) => V[k * p + i]));
  return { values, vectors };
}

/** Rows (selected by `rows`, all when omitted) of column-major data, as one row-major array. */
export function rowMajor(columns: Float64Array[], n: number, rows?: ArrayLike<number>): { X: Float64Array; m: number } {
  const p = columns.length;
  const m = rows ? rows.length : n;
  const X = new Float64Array(m * p);
  for (let f = 0; f < p; f++) {
    const c = columns[f];
    for (let i = 0; i < m; i++) X[i * p + f] = c[rows ? rows[i] : i];
  }
  return { X, m };
}

/** The rows `idx` as one Float64Array each (in column order). */
export function rowsOf(columns: Float64Array[], idx: ArrayLike<number>): Float64Array[] {
  return Array.from(idx, (i) => Float64Array.from(columns, (c) => c[i]));
}
