/**
 * SDK errors → one line a user can act on. Nothing here may echo credentials: messages
 * are built from the error's name/code and our own words, never from request headers.
 * `fatal` errors stop a whole push or pull at once (transfer.ts): no other object
 * could succeed after them.
 */
import { CheckFailedError, MlvError, NotFoundError, UsageError } from '../../errors/index.js';

export interface S3Where {
  remote: string;
  url: string;
  bucket: string;
  endpoint?: string;
  profile?: string;
}

const ACCESS = new Set([
  'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken',
  'TokenRefreshRequired', 'AllAccessDisabled', 'AccountProblem', 'InvalidClientTokenId', 'UnrecognizedClientException',
]);
const NETWORK = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH',
  'ENETUNREACH', 'ECONNABORTED', 'TimeoutError', 'RequestTimeout', 'UND_ERR_SOCKET',
]);

function codeOf(e: unknown): string {
  const x = e as { name?: string; code?: string; Code?: string; errno?: string; cause?: { code?: string } };
  return x?.code ?? x?.Code ?? x?.cause?.code ?? x?.name ?? 'Error';
}

/**
 * @param phase `list` errors happen before anything moved: a network failure there
 *   means the endpoint is wrong or down (exit 2); during a transfer it is a fault (exit 1).
 */
export function s3Error(e: unknown, where: S3Where, phase: 'list' | 'upload' | 'download', hash?: string): MlvError {
  if (e instanceof MlvError) return e;
  const code = codeOf(e);
  const name = (e as Error)?.name ?? '';
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const r = `remote '${where.remote}'`;
  const obj = hash ? ` (object ${hash.slice(0, 12)})` : '';
  const fatal = { fatal: true, remote: where.remote, code };

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test((e as Error)?.message ?? '')) {
    const from = where.profile ? `AWS profile '${where.profile}'` : 'the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), AWS_PROFILE or ~/.aws/credentials';
    return new UsageError(`${r}: no AWS credentials found in ${from}`, fatal, 'ES3CREDENTIALS');
  }
  if (/Region is missing|Region not accepted|Invalid region/i.test((e as Error)?.message ?? '')) {
    return new UsageError(`${r}: no valid S3 region set (mlv remote add ... --region, or AWS_REGION)`, fatal, 'ES3REGION');
  }
  if (code === 'NoSuchBucket') {
    return new NotFoundError('bucket', `${r}: bucket '${where.bucket}' does not exist${where.endpoint ? ` at ${where.endpoint}` : ''}`, fatal);
  }
  if (ACCESS.has(code) || status === 403) {
    return new UsageError(`${r}: access denied to ${where.url} (${code})`, fatal, 'ES3ACCESS');
  }
  if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed') {
    return new UsageError(`${r}: bucket '${where.bucket}' is in another region; set it with --region (${code})`, fatal, 'ES3REGION');
  }
  if (NETWORK.has(code) || name === 'TimeoutError' || (status === undefined && /socket|network|connect/i.test((e as Error)?.message ?? ''))) {
    const at = where.endpoint ?? 'the S3 endpoint';
    if (phase === 'list') return new UsageError(`${r}: cannot reach ${at} (${code}); check --endpoint-url and the network`, fatal, 'ES3ENDPOINT');
    return new CheckFailedError(`${r}: network error during ${phase}${obj} from ${at} (${code})`, fatal, 'ENETWORK');
  }
  if (code === 'BadDigest' || code === 'XAmzContentSHA256Mismatch' || code === 'InvalidDigest') {
    return new CheckFailedError(`${r}: the server refused the upload${obj}: its bytes do not match their SHA-256 (${code}); run mlv fsck`, { remote: where.remote, code, hash }, 'EUPLOADMISMATCH');
  }
  if (code === 'NoSuchKey' || status === 404) {
    return new NotFoundError('object', `${r}: object ${hash ?? ''} is listed but cannot be read (${code})`, { remote: where.remote, hash });
  }
  if (typeof status === 'number' && status >= 500) {
    return new CheckFailedError(`${r}: server error during ${phase}${obj} (${code}, HTTP ${status})`, { remote: where.remote, code }, 'ES3SERVER');
  }
  return new CheckFailedError(`${r}: ${phase}${obj} failed (${code}${status ? `, HTTP ${status}` : ''})`, { remote: where.remote, code }, 'ES3');
}
