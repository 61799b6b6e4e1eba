/**
 * The hashing trick for high-cardinality categories (scikit-learn's FeatureHasher,
 * without alternate signs): a category goes to bucket xxhash64(utf8) mod buckets, so
 * a never-seen category still lands in a bucket and the width stays fixed. xxhash64
 * comes from hash-wasm: a WASM build gives the same bucket on every platform, which
 * `repro --rev` relies on, and it ran at 1.6–1.9x node:crypto's SHA-256 here
 * (bench/hash.ts). Each distinct value is hashed once per call.
 */
import { createXXHash64 } from 'hash-wasm';

type Hasher = Awaited<ReturnType<typeof createXXHash64>>;
let hasher: Hasher | undefined;

/** Instantiate the WASM hasher; featurize and predict await this before applying a spec. */
export async function prepareFeatureHashing(): Promise<void> {
  hasher ??= await createXXHash64(0, 0);
}

/** A bucket function for one column (memoised per distinct value). */
export function bucketer(buckets: number): (value: string) => number {
  if (!hasher) throw new Error('feature hashing used before prepareFeatureHashing()');
  const h = hasher;
  const memo = new Map<string, number>();
  return (value) => {
    let b = memo.get(value);
    if (b === undefined) {
      h.init();
      h.update(value);
      // The low 32 bits of the 64-bit digest (big-endian hex): uniform enough for buckets.
      b = Number.parseInt(h.digest('hex').slice(8), 16) % buckets;
      memo.set(value, b);
    }
    return b;
  };
}
