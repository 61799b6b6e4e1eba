/**
 * The hash of rows as a model sees them (docs/FORMAT.md, `training_data.sha256`): per row,
 * each feature as a float64 little-endian (NaN canonical, -0 as 0), then the label's text and a
 * zero byte when there is a label. `mlv train` records it in the model; `mlv predict`
 * hashes the rows it predicts the same way, so predictions of the training rows are known
 * as such whether they came from the featurized file or from raw rows.
 *
 * @example
 *   const h = hashRows(2, (i, f) => columns[f][i], n, (i) => String(y[i]));
 */
import { createHash } from 'node:crypto';

const CHUNK = 1 << 16;

/**
 * `feature(i, f)`: feature f of row i; `label(i)`: row i's label text, or undefined for
 * rows without a label (unsupervised models, or rows to predict without y_true).
 */
export function hashRows(p: number, feature: (i: number, f: number) => number, n: number, label?: (i: number) => string): string {
  const h = createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  let o = 0;
  const flush = () => { h.update(buf.subarray(0, o)); o = 0; };
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < p; f++) {
      if (o + 8 > CHUNK) flush();
      const x = feature(i, f);
      if (Number.isNaN(x)) buf.writeBigUInt64LE(0x7ff8000000000000n, o);
      else buf.writeDoubleLE(x === 0 ? 0 : x, o); // -0 is 0 to every model
      o += 8;
    }
    if (label) {
      const text = Buffer.from(label(i) + '\0', 'utf8');
      if (o + text.length > CHUNK) flush();
      if (text.length > CHUNK) h.update(text);
      else { text.copy(buf, o); o += text.length; }
    }
  }
  flush();
  return h.digest('hex');
}
