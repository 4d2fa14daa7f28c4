// Zilliz Cloud: the response envelope and the normalisation of List Cloud Regions.
import { describe, expect, it } from 'vitest';
import sample from '../../../../local/fixtures/upstream-sample.json' with { type: 'json' };
import { UpstreamError } from '../../../../lib/core/errors';
import { comparableJson } from '../../../../lib/core/region';
import { answerHash } from '../../../../lib/sync/plan';
import { normaliseZilliz, unwrap } from '../../../../lib/sync/sources/zilliz';
import shapes from '../../../fixtures/zilliz-regions.json' with { type: 'json' };

const SCOPE = 'zilliz/aws';
const PATH = '/v1/regions';
const awsRegions = sample.zilliz.regions.aws;
const gcpRegions = sample.zilliz.regions.gcp;

const response = (status: number, body: unknown) => ({
  status,
  headers: new Headers({ 'content-type': 'application/json' }),
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function caught(fn: () => unknown): UpstreamError {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error('expected an UpstreamError');
}

describe('unwrap', () => {
  it('returns data of a v1 success (code 200)', () => {
    expect(unwrap(SCOPE, PATH, response(200, { code: 200, data: awsRegions }))).toEqual(awsRegions);
  });

  it('returns data of a v2 success (code 0)', () => {
    expect(unwrap(SCOPE, PATH, response(200, { code: 0, data: sample.zilliz.clouds }))).toEqual(sample.zilliz.clouds);
  });

  it('reads an invalid key (80001 under HTTP 401) as auth', () => {
    const error = caught(() => unwrap(SCOPE, PATH, response(401, { code: 80001, message: 'Invalid API key.' })));
    expect(error.code).toBe('auth');
    expect(error.scope).toBe(SCOPE);
    expect(error.details).toMatchObject({ path: PATH, status: 401, upstreamCode: '80001' });
    expect(error.publicCode).toBe('auth.80001');
  });

  it('reads an expired key (80002 under HTTP 200) as auth', () => {
    expect(caught(() => unwrap(SCOPE, PATH, response(200, { code: 80002, message: 'Invalid Api-Key.' }))).code).toBe('auth');
  });

  it('reads a business error under HTTP 200 as business with its code', () => {
    const error = caught(() =>
      unwrap(SCOPE, PATH, response(200, { code: 80003, message: 'Invalid CloudId. Please use the ListClouds API to obtain a list of supported CloudIds.' })),
    );
    expect(error.code).toBe('business');
    expect(error.publicCode).toBe('business.80003');
    expect(error.message).toContain('80003');
  });

  it('reads v1\'s 90117 "Invalid domain name used" as a configuration error naming ZILLIZ_BASE_URL', () => {
    const error = caught(() => unwrap(SCOPE, PATH, response(200, { code: 90117, message: 'Invalid domain name used' })));
    expect(error.code).toBe('config');
    expect(error.publicCode).toBe('config.90117');
    expect(error.message).toContain('Invalid domain name used');
    expect(error.message).toContain('ZILLIZ_BASE_URL');
  });

  it('never reads an error answer as data, even with an empty data list', () => {
    expect(caught(() => unwrap(SCOPE, PATH, response(200, { code: 90001, message: 'busy', data: [] }))).code).toBe('business');
  });

  it('reads an HTML page as invalid-body', () => {
    const error = caught(() => unwrap(SCOPE, PATH, response(200, '<html><body>502 Bad Gateway</body></html>')));
    expect(error.code).toBe('invalid-body');
    expect(error.message).toContain('HTML');
    expect(error.message).not.toContain('Bad Gateway');
  });

  it('reads truncated JSON as invalid-body', () => {
    expect(caught(() => unwrap(SCOPE, PATH, response(200, '{"code":200,"data":[{"regionId"'))).code).toBe('invalid-body');
  });

  it('reads an empty body as invalid-body', () => {
    expect(caught(() => unwrap(SCOPE, PATH, response(200, ''))).code).toBe('invalid-body');
  });

  it('reads JSON without a code as invalid-body', () => {
    expect(caught(() => unwrap(SCOPE, PATH, response(200, { data: awsRegions }))).code).toBe('invalid-body');
  });
});

describe('normaliseZilliz', () => {
  it('normalises the sample aws regions, sorted by id', () => {
    const regions = normaliseZilliz('aws', awsRegions, SCOPE);
    expect(regions).toHaveLength(awsRegions.length);
    expect(regions.map((r) => r.id)).toEqual([...awsRegions.map((r) => `zilliz:${r.regionId}`)].sort());
    expect(regions.find((r) => r.regionId === 'aws-us-east-1')).toEqual({
      id: 'zilliz:aws-us-east-1',
      source: 'zilliz',
      cloudId: 'aws',
      regionId: 'aws-us-east-1',
      name: 'aws-us-east-1',
      localizedNames: {},
      apiBaseUrl: null,
      attributes: {},
    });
  });

  it('keeps extra upstream fields under attributes, as given (list order included)', () => {
    const west = normaliseZilliz('gcp', gcpRegions, 'zilliz/gcp').find((r) => r.regionId === 'gcp-us-west1');
    expect(west?.attributes).toEqual({ supportedClusterTypes: ['serverless', 'dedicated'] });
    expect(west?.attributes).not.toHaveProperty('cloudId');
    expect(west?.attributes).not.toHaveProperty('regionId');
    expect(west?.attributes).not.toHaveProperty('apiBaseUrl');
  });

  it('takes name from description when given', () => {
    const [region] = normaliseZilliz('aws', [{ cloudId: 'aws', regionId: 'aws-us-west-2', apiBaseUrl: 'https://api.aws-us-west-2.zillizcloud.com', description: 'US West (Oregon)' }], SCOPE);
    expect(region?.name).toBe('US West (Oregon)');
    expect(region?.attributes).toEqual({});
  });

  it('falls back to regionId for name when description is null', () => {
    expect(normaliseZilliz('aws', [{ regionId: 'aws-us-west-2', description: null }], SCOPE)[0]?.name).toBe('aws-us-west-2');
  });

  it('gives apiBaseUrl null when absent, and the scope cloud when the item names none', () => {
    const [region] = normaliseZilliz('aws', [{ regionId: 'aws-us-west-2' }], SCOPE);
    expect(region?.apiBaseUrl).toBeNull();
    expect(region?.cloudId).toBe('aws');
  });

  it('gives regions that compare and hash equal whatever the order of lists and keys in the answer', () => {
    const shuffled = [...gcpRegions].reverse().map((r) => {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(r).reverse()) copy[key] = (r as Record<string, unknown>)[key];
      if (Array.isArray(copy.supportedClusterTypes)) copy.supportedClusterTypes = [...(copy.supportedClusterTypes as string[])].reverse();
      return copy as (typeof gcpRegions)[number];
    });
    const a = normaliseZilliz('gcp', gcpRegions, 'zilliz/gcp');
    const b = normaliseZilliz('gcp', shuffled, 'zilliz/gcp');
    expect(comparableJson(b)).toBe(comparableJson(a));
    expect(answerHash(b)).toBe(answerHash(a));
    // ...yet each keeps its own order as given.
    expect(b.find((r) => r.regionId === 'gcp-us-west1')?.attributes.supportedClusterTypes).toEqual(['dedicated', 'serverless']);
  });

  it('collapses identical duplicates', () => {
    const first = awsRegions[2];
    if (!first) throw new Error('fixture');
    const regions = normaliseZilliz('aws', [first, { ...first, supportedClusterTypes: [...first.supportedClusterTypes ?? []].reverse() }], SCOPE);
    expect(regions).toHaveLength(1);
  });

  it('rejects a region listed twice with different content as invalid-body', () => {
    const items = [
      { cloudId: 'aws', regionId: 'aws-us-west-2', apiBaseUrl: 'https://api.aws-us-west-2.zillizcloud.com' },
      { cloudId: 'aws', regionId: 'aws-us-west-2', apiBaseUrl: 'https://api2.aws-us-west-2.zillizcloud.com' },
    ];
    const error = caught(() => normaliseZilliz('aws', items, SCOPE));
    expect(error.code).toBe('invalid-body');
    expect(error.scope).toBe(SCOPE);
    expect(error.message).toContain('aws-us-west-2');
  });
});

describe('today\'s shapes: the reference pages\' examples, each with the records it must produce', () => {
  it.each(shapes.cases)('$name', ({ path, cloudId, answer, records }) => {
    const scope = `zilliz/${cloudId}`;
    const data = unwrap(scope, path, response(200, answer)) as Parameters<typeof normaliseZilliz>[1];
    expect(normaliseZilliz(cloudId, data, scope)).toEqual(records);
  });
});
