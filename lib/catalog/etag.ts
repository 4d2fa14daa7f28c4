/**
 * Conditional and compressed answers: strong entity tags, If-None-Match
 * (RFC 9110 weak comparison), Accept-Encoding negotiation, and a memoised
 * representation so that a warm hit neither re-serialises nor re-compresses.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { HttpResult } from './problem';

export type Encoding = 'br' | 'gzip' | 'identity';

/** Below this a compressed body saves less than its headers and CPU cost. */
export const COMPRESS_MIN_BYTES = 1024;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** A strong tag naming one version of one filtered body: `"v42-ab12cd34ef56"`. */
export function entityTag(version: number, discriminator: string): string {
  return `"v${version}-${shortHash(discriminator)}"`;
}

/** The tag of an encoded representation: `"v42-ab12cd34ef56-br"`. */
export function encodedTag(tag: string, encoding: Encoding): string {
  return encoding === 'identity' ? tag : `${tag.slice(0, -1)}-${encoding}"`;
}

/** The tag without `W/`, quotes and encoding suffix (`-br`, `-gzip`). */
function opaque(tag: string): string {
  let t = tag.trim();
  if (t.startsWith('W/')) t = t.slice(2);
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1);
  if (t.endsWith('-br')) return t.slice(0, -3);
  if (t.endsWith('-gzip')) return t.slice(0, -5);
  return t;
}

/** True when `If-None-Match` lists `tag` (weak comparison, encoding suffix ignored) or is `*`. */
export function noneMatchHits(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  const wanted = opaque(tag);
  if (!header.includes(',')) {
    // The common case: the one tag this server sent.
    const candidate = header.trim();
    return candidate === '*' || (candidate !== '' && opaque(candidate) === wanted);
  }
  for (const part of header.split(',')) {
    const candidate = part.trim();
    if (candidate === '*' || (candidate && opaque(candidate) === wanted)) return true;
  }
  return false;
}

// Clients send a handful of distinct Accept-Encoding values: each is parsed once.
const negotiated = new Map<string, Encoding>();
const NEGOTIATED_LIMIT = 256;

/** The best coding the client accepts: br over gzip on equal weight, identity when neither. */
export function negotiateEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  let encoding = negotiated.get(header);
  if (encoding === undefined) {
    encoding = parseAcceptEncoding(header);
    if (negotiated.size < NEGOTIATED_LIMIT) negotiated.set(header, encoding);
  }
  return encoding;
}

function parseAcceptEncoding(header: string): Encoding {
  let br: number | undefined;
  let gzip: number | undefined;
  let star: number | undefined;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q)) q = 0;
    if (coding === 'br') br = q;
    else if (coding === 'gzip' || coding === 'x-gzip') gzip = q;
    else if (coding === '*') star = q;
  }
  const qBr = br ?? star ?? 0;
  const qGzip = gzip ?? star ?? 0;
  if (qBr <= 0 && qGzip <= 0) return 'identity';
  return qBr >= qGzip ? 'br' : 'gzip';
}

/** One body with its tag and its encodings, each computed once on first use. */
export class Representation {
  private readonly encoded = new Map<Encoding, string>();
  private readonly tags = new Map<Encoding, string>();
  readonly compressible: boolean;

  constructor(
    readonly body: string,
    readonly etag: string | undefined,
    private readonly brotliQuality = 9,
  ) {
    this.compressible = Buffer.byteLength(body) > COMPRESS_MIN_BYTES;
  }

  /** The entity tag of the body in `encoding` (memoised: one string per encoding, not one per request). */
  tagFor(encoding: Encoding): string | undefined {
    if (this.etag === undefined) return undefined;
    let tag = this.tags.get(encoding);
    if (tag === undefined) {
      tag = encodedTag(this.etag, encoding);
      this.tags.set(encoding, tag);
    }
    return tag;
  }

  /** The base64 text of the body in `encoding` (memoised). */
  base64(encoding: Exclude<Encoding, 'identity'>): string {
    let text = this.encoded.get(encoding);
    if (text === undefined) {
      const buffer =
        encoding === 'br'
          ? brotliCompressSync(this.body, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: this.brotliQuality,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
                [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(this.body),
              },
            })
          : gzipSync(this.body, { level: 6 });
      text = buffer.toString('base64');
      this.encoded.set(encoding, text);
    }
    return text;
  }
}

export interface RespondOptions {
  cacheControl: string;
  contentType?: string;
}

/** 200 (compressed when accepted and worth it) or 304 when If-None-Match names the current tag. */
export function respond(
  rep: Representation,
  requestHeaders: Record<string, string | undefined>,
  { cacheControl, contentType = 'application/json' }: RespondOptions,
): HttpResult {
  const encoding = rep.compressible ? negotiateEncoding(requestHeaders['accept-encoding']) : 'identity';
  const headers: Record<string, string> = { 'Cache-Control': cacheControl };
  if (rep.compressible) headers.Vary = 'Accept-Encoding';
  if (rep.etag) {
    headers.ETag = rep.tagFor(encoding) ?? encodedTag(rep.etag, encoding);
    if (noneMatchHits(requestHeaders['if-none-match'], rep.etag)) {
      return { statusCode: 304, headers, body: '' };
    }
  }
  headers['Content-Type'] = contentType;
  if (encoding === 'identity') return { statusCode: 200, headers, body: rep.body };
  headers['Content-Encoding'] = encoding;
  return { statusCode: 200, headers, body: rep.base64(encoding), isBase64Encoded: true };
}
