// Entity tags, content negotiation and conditional answers (lib/catalog/etag.ts).
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Representation, encodedTag, entityTag, negotiateEncoding, noneMatchHits, respond } from '../../../lib/catalog/etag';

describe('entity tags and encodings', () => {
  const tag = entityTag(42, 'source=&cloudId=');

  it('differ by version and by filter', () => {
    expect(tag).toMatch(/^"v42-[0-9a-f]{12}"$/);
    expect(entityTag(43, 'source=&cloudId=')).not.toBe(tag);
    expect(entityTag(42, 'source=zilliz&cloudId=')).not.toBe(tag);
    expect(encodedTag(tag, 'br')).toBe(`${tag.slice(0, -1)}-br"`);
    expect(encodedTag(tag, 'identity')).toBe(tag);
  });

  it.each([
    [tag, true],
    [`W/${tag}`, true],
    [encodedTag(tag, 'gzip'), true],
    [`"nope", ${encodedTag(tag, 'br')}`, true],
    ['*', true],
    ['"v41-000000000000"', false],
    ['', false],
    ['garbage', false],
  ])('If-None-Match %s matches: %s', (header, hit) => {
    expect(noneMatchHits(header, tag)).toBe(hit);
  });

  it.each([
    [undefined, 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
  ] as const)('Accept-Encoding %s gives %s', (header, encoding) => {
    expect(negotiateEncoding(header)).toBe(encoding);
  });

  it('compresses a large body once per encoding and answers 304 to its own tag', () => {
    const body = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ i, name: `region-${i}` })) });
    const rep = new Representation(body, tag);
    const br = respond(rep, { 'accept-encoding': 'br' }, { cacheControl: 'public, max-age=30' });
    expect(br).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'Content-Encoding': 'br', Vary: 'Accept-Encoding' } });
    expect(brotliDecompressSync(Buffer.from(br.body!, 'base64')).toString()).toBe(body);
    expect(rep.base64('br')).toBe(br.body); // memoised: the same string
    const gz = respond(rep, { 'accept-encoding': 'gzip' }, { cacheControl: 'x' });
    expect(gunzipSync(Buffer.from(gz.body!, 'base64')).toString()).toBe(body);
    const notModified = respond(rep, { 'accept-encoding': 'gzip', 'if-none-match': br.headers.ETag }, { cacheControl: 'x' });
    expect(notModified).toEqual({ statusCode: 304, headers: { 'Cache-Control': 'x', Vary: 'Accept-Encoding', ETag: encodedTag(tag, 'gzip') }, body: '' });
  });

  it('leaves a small body uncompressed', () => {
    const res = respond(new Representation('{"a":1}', tag), { 'accept-encoding': 'br' }, { cacheControl: 'x' });
    expect(res).toEqual({ statusCode: 200, headers: { 'Cache-Control': 'x', ETag: tag, 'Content-Type': 'application/json' }, body: '{"a":1}' });
  });
});
