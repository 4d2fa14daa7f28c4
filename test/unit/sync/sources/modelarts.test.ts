// Huawei ModelArts: region normalisation, error bodies and token rejection.
import { describe, expect, it } from 'vitest';
import sample from '../../../../local/fixtures/upstream-sample.json' with { type: 'json' };
import { UpstreamError } from '../../../../lib/core/errors';
import { isTokenRejected, normaliseModelarts, readError } from '../../../../lib/sync/sources/modelarts';

const SCOPE = 'modelarts/0123456789abcdef0123456789abcdef';

const response = (status: number, body: unknown) => ({
  status,
  headers: new Headers({ 'content-type': 'application/json' }),
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('normaliseModelarts', () => {
  it('normalises the sample regions with cloudId huaweicloud, sorted by id', () => {
    const regions = normaliseModelarts(sample.modelarts.region_items, SCOPE);
    expect(regions.map((r) => r.id)).toEqual(sample.modelarts.region_items.map((r) => `modelarts:${r.region_id}`).sort());
    expect(regions.every((r) => r.cloudId === 'huaweicloud' && r.source === 'modelarts' && r.apiBaseUrl === null)).toBe(true);
  });

  it('takes name from en_us and keeps every locale', () => {
    const guiyang = normaliseModelarts(sample.modelarts.region_items, SCOPE).find((r) => r.regionId === 'cn-southwest-2');
    expect(guiyang).toEqual({
      id: 'modelarts:cn-southwest-2',
      source: 'modelarts',
      cloudId: 'huaweicloud',
      regionId: 'cn-southwest-2',
      name: 'CN Southwest-Guiyang1',
      localizedNames: { en_us: 'CN Southwest-Guiyang1', zh_cn: '西南-贵阳一' },
      apiBaseUrl: null,
      attributes: {},
    });
  });

  it('keeps a locale beyond en_us and zh_cn', () => {
    const [region] = normaliseModelarts([{ region_id: 'ap-southeast-1', locales: { en_us: 'AP-Hong Kong', zh_cn: '中国-香港', es_us: 'AP-Hong Kong (es)' } }], SCOPE);
    expect(region?.localizedNames).toEqual({ en_us: 'AP-Hong Kong', es_us: 'AP-Hong Kong (es)', zh_cn: '中国-香港' });
  });

  it('falls back to region_id for name without an en_us locale', () => {
    const [noEnglish] = normaliseModelarts([{ region_id: 'cn-north-4', locales: { zh_cn: '华北-北京四' } }], SCOPE);
    expect(noEnglish?.name).toBe('cn-north-4');
    expect(noEnglish?.localizedNames).toEqual({ zh_cn: '华北-北京四' });
    const [noLocales] = normaliseModelarts([{ region_id: 'cn-north-4' }], SCOPE);
    expect(noLocales?.name).toBe('cn-north-4');
    expect(noLocales?.localizedNames).toEqual({});
  });

  it('keeps other upstream fields under attributes, as given (list order included)', () => {
    const [region] = normaliseModelarts([{ region_id: 'cn-east-4', locales: { en_us: 'CN East2' }, endpoint_type: 'public', zones: ['b', 'a'] }], SCOPE);
    expect(region?.attributes).toEqual({ endpoint_type: 'public', zones: ['b', 'a'] });
  });

  it('rejects a region listed twice with different content as invalid-body', () => {
    let error: unknown;
    try {
      normaliseModelarts([{ region_id: 'cn-east-4', locales: { en_us: 'CN East2' } }, { region_id: 'cn-east-4', locales: { en_us: 'CN East 2' } }], SCOPE);
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('invalid-body');
  });
});

describe('readError', () => {
  it('reads the {error_code, error_msg} shape', () => {
    expect(readError(response(400, { error_code: 'ModelArts.0104', error_msg: 'Invalid token.' }))).toEqual({ code: 'ModelArts.0104', message: 'Invalid token.' });
  });

  it('reads the {code, message} shape, numeric codes as text', () => {
    expect(readError(response(500, { code: 'ModelArts.7000', message: 'Internal error.' }))).toEqual({ code: 'ModelArts.7000', message: 'Internal error.' });
    expect(readError(response(500, { code: 1001, message: 'busy' }))).toEqual({ code: '1001', message: 'busy' });
  });

  it('reads an APIG gateway error with extra fields', () => {
    const body = { error_msg: 'Incorrect IAM authentication information: verify aksk signature fail', error_code: 'APIG.0301', request_id: 'f1a2b3' };
    expect(readError(response(401, body)).code).toBe('APIG.0301');
  });

  it('reads no code from a non-JSON body', () => {
    expect(readError(response(502, '<html><body>Bad Gateway</body></html>'))).toEqual({ code: undefined, message: '' });
    expect(readError(response(502, ''))).toEqual({ code: undefined, message: '' });
  });

  it('reads no code from JSON of another shape', () => {
    expect(readError(response(500, { fault: 'x' }))).toEqual({ code: undefined, message: '' });
  });

  it('cuts a long message to 200 characters', () => {
    expect(readError(response(400, { error_code: 'X.1', error_msg: 'm'.repeat(1000) })).message).toHaveLength(200);
  });
});

describe('isTokenRejected', () => {
  it('rejects on any 401', () => {
    expect(isTokenRejected(response(401, { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information' }))).toBe(true);
    expect(isTokenRejected(response(401, 'Unauthorized'))).toBe(true);
  });

  it('rejects on the documented 400 ModelArts.0104 "Invalid token."', () => {
    expect(isTokenRejected(response(400, { error_code: 'ModelArts.0104', error_msg: 'Invalid token.' }))).toBe(true);
  });

  it('does not reject on a 400 with another code', () => {
    expect(isTokenRejected(response(400, { error_code: 'ModelArts.0101', error_msg: 'Invalid parameter.' }))).toBe(false);
    expect(isTokenRejected(response(400, { code: 'ModelArts.4101', message: 'Project not found.' }))).toBe(false);
    expect(isTokenRejected(response(400, 'Bad Request'))).toBe(false);
  });

  it('does not reject on a server error', () => {
    expect(isTokenRejected(response(503, { error_code: 'APIG.0201', error_msg: 'Backend unavailable' }))).toBe(false);
  });
});
