// Huawei AK/SK signing (SDK-HMAC-SHA256): the official SDK test vectors, requests with a query and a body, and
// Huawei's official Node SDK signer as the witness over generated requests.
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, encodeRfc3986, sdkDate, signature, signRequest } from '../../../../lib/sync/sources/huawei-signer';
import { parseAuthorization, parseSdkDate } from '../../../support/huawei-auth';
import { sdkAuthorization } from '../../../../local/simulators/huawei-sdk';

const DATE = { 'X-Sdk-Date': '20060102T150405Z' };

describe('the official test vectors (AK AccessKey, SK SecretKey, 20060102T150405Z, SignedHeaders x-sdk-date)', () => {
  it('GET /path?limit=1 with an empty body', () => {
    const req = { method: 'GET', url: new URL('https://example.com/path?limit=1'), headers: DATE, body: '' };
    expect(signature(req, ['x-sdk-date'], 'SecretKey')).toBe('5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
  });

  it('POST /path?key=value with a JSON body', () => {
    const req = { method: 'POST', url: new URL('https://example.com/path?key=value'), headers: DATE, body: '{"Name":"test","Id":1}\n' };
    expect(signature(req, ['x-sdk-date'], 'SecretKey')).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });
});

describe('the canonical request', () => {
  it('encodes each path segment, adds the trailing slash, sorts and encodes the query', () => {
    const req = { method: 'post', url: new URL('https://h/v1/a b/c*?z=1&a=x y&a=%21'), headers: { 'X-Sdk-Date': '20260101T000000Z', Host: 'h' }, body: '{}' };
    const lines = canonicalRequest(req, ['host', 'x-sdk-date']).split('\n');
    expect(lines[0]).toBe('POST');
    expect(lines[1]).toBe('/v1/a%20b/c%2A/');
    expect(lines[2]).toBe('a=%21&a=x%20y&z=1');
    expect(lines.slice(3, 6)).toEqual(['host:h', 'x-sdk-date:20260101T000000Z', '']);
    expect(lines[6]).toBe('host;x-sdk-date');
    expect(lines[7]).toBe(createHash('sha256').update('{}').digest('hex'));
  });

  it('encodes as RFC 3986 says, unlike encodeURIComponent', () => {
    expect(encodeRfc3986("a!'()*~-_.b c")).toBe('a%21%27%28%29%2A~-_.b%20c');
  });
});

describe('signRequest', () => {
  const credentials = { accessKey: 'AKEXAMPLE0001', secretKey: 'sk-example-secret' };
  const at = new Date('2026-11-23T10:15:30.123Z');

  it('signs host, the given headers and X-Sdk-Date, with a signature the same canonical form verifies', () => {
    const url = new URL('https://modelarts.example.com/v1/p/regions?limit=10&offset=0');
    const body = '{"a":[2,1]}';
    const signed = signRequest({ method: 'POST', url, headers: { 'X-Project-Id': 'p', 'Content-Type': 'application/json' }, body }, credentials, at);
    expect(signed['x-sdk-date']).toBe('20261123T101530Z');
    const parsed = parseAuthorization(signed.authorization ?? '');
    expect(parsed).toMatchObject({ accessKey: 'AKEXAMPLE0001', signedHeaders: ['content-type', 'host', 'x-project-id', 'x-sdk-date'] });
    // Recomputed by hand from the documented string to sign.
    const headers = { host: url.host, 'x-project-id': 'p', 'content-type': 'application/json', 'x-sdk-date': '20261123T101530Z' };
    const canonical = canonicalRequest({ method: 'POST', url, headers, body }, parsed?.signedHeaders ?? []);
    const toSign = `SDK-HMAC-SHA256\n20261123T101530Z\n${createHash('sha256').update(canonical).digest('hex')}`;
    expect(parsed?.signature).toBe(createHmac('sha256', 'sk-example-secret').update(toSign).digest('hex'));
  });

  it('changes the signature when the query, the body or the secret changes', () => {
    const sign = (query: string, body: string, secretKey = credentials.secretKey) =>
      parseAuthorization(signRequest({ method: 'POST', url: new URL(`https://h/p?${query}`), headers: {}, body }, { ...credentials, secretKey }, at).authorization ?? '')?.signature;
    const base = sign('a=1', '{}');
    expect(sign('a=2', '{}')).not.toBe(base);
    expect(sign('a=1', '{ }')).not.toBe(base);
    expect(sign('a=1', '{}', 'other-secret')).not.toBe(base);
    expect(sign('a=1', '{}')).toBe(base);
  });

  it('adds and signs X-Security-Token for temporary credentials', () => {
    const signed = signRequest({ method: 'GET', url: new URL('https://h/p'), headers: {}, body: '' }, { ...credentials, securityToken: 'tok' }, at);
    expect(signed['x-security-token']).toBe('tok');
    expect(parseAuthorization(signed.authorization ?? '')?.signedHeaders).toContain('x-security-token');
  });

  it('never puts the secret key in any header', () => {
    const signed = signRequest({ method: 'GET', url: new URL('https://h/p'), headers: {}, body: '' }, credentials, at);
    expect(JSON.stringify(signed)).not.toContain(credentials.secretKey);
  });
});

describe('X-Sdk-Date', () => {
  it('formats and parses YYYYMMDDTHHMMSSZ', () => {
    expect(sdkDate(new Date('2006-01-02T15:04:05.999Z'))).toBe('20060102T150405Z');
    expect(parseSdkDate('20060102T150405Z')).toBe(Date.parse('2006-01-02T15:04:05Z'));
    expect(parseSdkDate('2006-01-02T15:04:05Z')).toBeUndefined();
  });
});

/**
 * The project's signer against Huawei's own (the official Node SDK's
 * AKSKSigner, through local/simulators/huawei-sdk): the same Authorization for
 * any method, path, query, headers and body. The SDK takes the path as written
 * and the query decoded, as its clients build them; the project's signer takes
 * the URL as sent (here written with a mix of percent-encodings). Header
 * values are generated without surrounding blanks (HTTP strips them on the
 * way), and the paths leave out the characters the SDK's own URL parser
 * escapes before it encodes (space, quotes, `<>\^{|}` and the backtick: the SDK
 * would sign those encoded twice and be refused by the gateway itself) or
 * reads as the path's end (`?`, `#`).
 */
describe('the official Node SDK as the witness', () => {
  const AK = 'DIFFERENTIALAK000001';
  const SK = 'differential-secret-key-0123456789';
  const RESERVED = [':', '@', '!', '$', '&', "'", '(', ')', '*', '+', ',', ';', '=', '[', ']', '%', '/', '?', '#', '~', '-', '.', '_'];
  const FOREIGN = ['é', 'ñ', '中', '文', 'ß', 'Ω', '😀', '\u00a0', '\u2028'];
  const char = (extra: string[]) =>
    fc.oneof(fc.constantFrom(...RESERVED, ...FOREIGN, ...extra), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }));
  const SDK_PATH_ESCAPES = /[\s"'<>\\^`{|}?#]/;
  const segment = fc
    .string({ unit: char([]), maxLength: 8 })
    .filter((s) => s !== '.' && s !== '..' && !SDK_PATH_ESCAPES.test(s));
  /** How a client may write a segment in the URL: fully encoded, or only what must be (the URL encodes the rest). */
  const written = fc.tuple(segment, fc.boolean()).map(([value, full]) => ({
    value,
    text: full ? encodeURIComponent(value) : value.replace(/[%/?#]/g, (c) => encodeURIComponent(c)),
  }));
  const query = fc.array(fc.tuple(fc.string({ unit: char([' ', '&', '=', '+']), maxLength: 6 }), fc.string({ unit: char([' ', '&', '=', '+']), maxLength: 6 })), { maxLength: 6 });
  const headerName = fc.stringMatching(/^x-[a-z0-9-]{1,10}$/).filter((n) => n !== 'x-sdk-date' && n !== 'x-security-token');
  const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 16 }).map((v) => v.replace(/[\r\n\t]/g, ' ').trim());
  const headers = fc.dictionary(headerName, headerValue, { maxKeys: 4 });
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
    segments: fc.array(written, { maxLength: 5 }),
    trailingSlash: fc.boolean(),
    query,
    headers,
    data: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
    at: fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
  });

  type Generated = typeof request extends fc.Arbitrary<infer T> ? T : never;
  const host = 'modelarts.ap-southeast-1.example.com:8443';
  /** Both signers' Authorization for one generated request. */
  function both(r: Generated): { ours: string | undefined; sdk: string } {
    const tail = r.trailingSlash && r.segments.length ? '/' : '';
    const url = new URL(`https://${host}/${r.segments.map((s) => s.text).join('/')}${tail}`);
    for (const [k, v] of r.query) url.searchParams.append(k, v);
    // The SDK signs JSON.stringify(data), or the empty body when data is falsy.
    const body = r.data ? JSON.stringify(r.data) : '';
    const ours = signRequest({ method: r.method, url, headers: r.headers, body }, { accessKey: AK, secretKey: SK }, r.at).authorization;
    const sdk = sdkAuthorization(
      {
        method: r.method,
        host,
        path: `/${r.segments.map((s) => s.value).join('/')}${tail}`,
        query: r.query,
        headers: { ...r.headers, 'X-Sdk-Date': sdkDate(r.at) },
        ...(r.data ? { data: r.data } : {}),
      },
      AK,
      SK,
    );
    return { ours, sdk };
  }

  it('signs every generated request exactly as the SDK does', () => {
    fc.assert(
      fc.property(request, (r) => {
        const { ours, sdk } = both(r);
        expect(ours).toBe(sdk);
      }),
      { numRuns: 400 },
    );
  });

  it('signs the ModelArts request exactly as the SDK does, with a temporary-credential header', () => {
    const at = new Date('2026-11-23T10:15:30Z');
    const path = '/v1/0123456789abcdef0123456789abcdef/maas/services/custom-endpoint/regions';
    const headers = { 'x-project-id': '0123456789abcdef0123456789abcdef', 'x-security-token': 'tok-123456' };
    const ours = signRequest({ method: 'GET', url: new URL(`https://${host}${path}`), headers: { 'x-project-id': headers['x-project-id'] }, body: '' }, { accessKey: AK, secretKey: SK, securityToken: 'tok-123456' }, at);
    expect(ours.authorization).toBe(sdkAuthorization({ method: 'GET', host, path, query: [], headers: { ...headers, 'X-Sdk-Date': sdkDate(at) } }, AK, SK));
  });

  it.each([
    ['an encoded slash inside a segment', '/v1/a%2Fb/c', [] as Array<[string, string]>, '/v1/a/b/c'],
    ['query pairs whose order differs encoded and decoded', '/p', [['~', '1'], ['é', '2'], ['a', 'z'], ['a', '~'], ['a', 'é']] as Array<[string, string]>, '/p'],
  ])('agrees with the SDK on %s', (_name, written, pairs, decoded) => {
    const at = new Date('2026-01-02T03:04:05Z');
    const url = new URL(`https://${host}${written}`);
    for (const [k, v] of pairs) url.searchParams.append(k, v);
    const ours = signRequest({ method: 'GET', url, headers: {}, body: '' }, { accessKey: AK, secretKey: SK }, at).authorization;
    expect(ours).toBe(sdkAuthorization({ method: 'GET', host, path: decoded, query: pairs, headers: { 'X-Sdk-Date': sdkDate(at) } }, AK, SK));
  });
});
