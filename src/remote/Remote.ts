/**
 * A remote object store with the cache's layout (docs/FORMAT.md, "Remotes"). Local
 * directories and S3 share everything above this interface: what is missing, parallel
 * transfer, verification.
 */
export interface Remote {
  readonly name: string;
  readonly url: string;
  /** How many transfers to run at once when the user does not say. */
  readonly defaultJobs: number;
  /** Every object hash present (one listing per 2-hex prefix, or fewer calls). */
  list(): Promise<Set<string>>;
  /**
   * The same listing with stored sizes, where the remote can tell them cheaply (S3, a
   * stat per object on a local directory).
   * A push treats an object whose size differs from the local one as missing: servers
   * without atomic writes can leave a truncated object behind a killed client.
   * `need`: the objects whose size the caller will look at; where a size costs a call
   * of its own (a stat), the others are listed with size -1 (present, size not read).
   */
  listSizes?(need?: (hash: string) => boolean): Promise<Map<string, number>>;
  /**
   * The SHA-256 of an object as the remote holds it, read in place where that is cheap
   * (a local directory). Without it, `push --verify` downloads the object to hash it.
   */
  rehash?(hash: string): Promise<string>;
  /**
   * Upload a verified local object. It must not be readable under its final key until
   * complete, and the remote's own checksum must agree with `hash` where it has one.
   */
  upload(hash: string, file: string, size: number, onBytes?: (n: number) => void): Promise<void>;
  /**
   * Download an object to `dest` (a temp path); the caller verifies before adopting it.
   * A remote that hashed the bytes on their way resolves to that SHA-256, so the caller
   * compares it instead of reading the file again.
   */
  download(hash: string, dest: string, onBytes?: (n: number) => void): Promise<string | void>;
  close(): Promise<void>;
}

/** Opens a remote for a URL scheme; the S3 module registers `s3:`. */
export type RemoteFactory = (name: string, cfg: import('../repo/config.js').RemoteConfig, root: string) => Promise<Remote>;
