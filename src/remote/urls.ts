/**
 * Remote URLs and endpoints, checked where they are configured and again where a
 * (possibly cloned, untrusted) config is opened.
 */
import { InputError } from '../errors/index.js';

/**
 * `s3://bucket/prefix`: a valid bucket name and a prefix of plain segments. A `..` or
 * `.` segment would be resolved by some S3 servers and land objects in another bucket.
 * @example
 *   parseS3Url('s3://bkt/team/mlv') // { bucket: 'bkt', prefix: 'team/mlv' }
 */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new InputError(`${url}: not a valid s3://bucket/prefix URL`, { key: 'url' });
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix && prefix.split('/').some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
    throw new InputError(`${url}: the prefix may not hold empty, '.' or '..' segments or '\\' (s3://bucket/prefix)`, { key: 'url' });
  }
  return { bucket: m[1], prefix };
}

/** An endpoint without credentials in it: they would be committed in .mlv/config and shown in errors. */
export function checkEndpointUrl(url: string, where: string): string {
  let u: URL | undefined;
  try { u = new URL(url); } catch { /* reported below */ }
  if (!u || !/^https?:$/.test(u.protocol) || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
    throw new InputError(`${where}: endpoint ${redact(url)}: expected http(s)://host[:port]`, { key: 'endpoint_url' });
  }
  if (u.username || u.password) {
    throw new InputError(`${where}: endpoint ${redact(url)} holds credentials; remove them and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment`, { key: 'endpoint_url' });
  }
  return url;
}

/** A URL with any `user:password@` replaced, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}
