/**
 * Huawei Cloud AK/SK request signing (`SDK-HMAC-SHA256`, the API Gateway
 * signer), pure: the same canonical form signs a request here and verifies it
 * in the local ModelArts simulator. Canonical request = method, the URI with
 * each segment RFC 3986-encoded and a trailing `/`, the sorted encoded query,
 * `name:value\n` per signed header (lowercase, sorted), the signed header
 * names joined by `;`, and the hex SHA-256 of the body; the signature is the
 * hex HMAC-SHA256 of `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256(canonical)>`
 * keyed by the secret key.
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';

/** RFC 3986 unreserved characters stay; everything else is percent-encoded (encodeURIComponent leaves !'()* alone). */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `YYYYMMDDTHHMMSSZ`, the X-Sdk-Date format. */
export function sdkDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface SignableRequest {
  method: string;
  /** The full URL as sent; only its path and query are signed. */
  url: URL;
  /** Header names in any case; the signed ones are taken from here. */
  headers: Record<string, string>;
  body: string;
}

function canonicalUri(pathname: string): string {
  const segments = pathname.split('/').map((segment) => {
    try {
      return encodeRfc3986(decodeURIComponent(segment));
    } catch {
      return encodeRfc3986(segment);
    }
  });
  const uri = segments.join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function canonicalQuery(url: URL): string {
  const pairs = [...url.searchParams.entries()].map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The canonical request for the given signed header names (lowercase). */
export function canonicalRequest(req: SignableRequest, signedHeaders: readonly string[]): string {
  const lower = new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const headerLines = signedHeaders.map((name) => `${name}:${(lower.get(name) ?? '').trim()}\n`).join('');
  return [req.method.toUpperCase(), canonicalUri(req.url.pathname), canonicalQuery(req.url), headerLines, signedHeaders.join(';'), sha256Hex(req.body)].join('\n');
}

/** The hex signature of a request whose `X-Sdk-Date` header is already set. */
export function signature(req: SignableRequest, signedHeaders: readonly string[], secretKey: string): string {
  const date = Object.entries(req.headers).find(([k]) => k.toLowerCase() === 'x-sdk-date')?.[1] ?? '';
  const stringToSign = `${ALGORITHM}\n${date}\n${sha256Hex(canonicalRequest(req, signedHeaders))}`;
  return createHmac('sha256', secretKey).update(stringToSign, 'utf8').digest('hex');
}

export interface AkskCredentials {
  accessKey: string;
  secretKey: string;
  /** Temporary credentials only. */
  securityToken?: string | undefined;
}

/**
 * The headers that authenticate a request: X-Sdk-Date, X-Security-Token when
 * the credentials are temporary, and Authorization; `extra` headers (such as
 * X-Project-Id) are signed along with host and every header given.
 */
export function signRequest(req: SignableRequest, credentials: AkskCredentials, at: Date = new Date()): Record<string, string> {
  const added: Record<string, string> = { 'x-sdk-date': sdkDate(at) };
  if (credentials.securityToken) added['x-security-token'] = credentials.securityToken;
  const headers: Record<string, string> = { host: req.url.host };
  for (const [k, v] of Object.entries({ ...req.headers, ...added })) headers[k.toLowerCase()] = v;
  const signedHeaders = Object.keys(headers).sort();
  const sig = signature({ ...req, headers }, signedHeaders, credentials.secretKey);
  return {
    ...added,
    authorization: `${ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`,
  };
}
