// Huawei AK/SK signing (SDK-HMAC-SHA256): the official SDK test vectors, and requests with a query and a body.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, encodeRfc3986, sdkDate, signature, signRequest } from '../../../../lib/sync/sources/huawei-signer';
import { parseAuthorization, parseSdkDate } from '../../../../local/simulators/huawei-auth';

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
