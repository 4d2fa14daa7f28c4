// `npm run sync` beside `npm start`: the stack's settings only where the user set none; a conflict is an error.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/core/config';
import { joinStack } from '../../../local/join';

const provided = {
  TABLE_NAME: 'region-sync-local',
  SOURCES: 'zilliz,modelarts',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:3002',
  ZILLIZ_BASE_URL: 'http://127.0.0.1:3001',
  ZILLIZ_API_KEY: 'sim-key',
  HUAWEI_PROJECT_ID: 'a'.repeat(32),
  HUAWEI_ACCESS_KEY: 'SIMULATORAK',
};

describe('joinStack', () => {
  it('takes every variable the user did not set, one line each, secrets by name only', () => {
    const { env, taken } = joinStack({ PATH: '/bin', REMOVAL_HOLD_PASSES: '5' }, provided);
    expect(env).toEqual({ PATH: '/bin', REMOVAL_HOLD_PASSES: '5', ...provided });
    expect(taken).toHaveLength(Object.keys(provided).length);
    expect(taken).toContain('using ZILLIZ_BASE_URL=http://127.0.0.1:3001 from the running npm start');
    expect(taken).toContain("using ZILLIZ_API_KEY (the simulator's) from the running npm start");
    expect(taken.join('\n')).not.toContain('sim-key');
  });

  it("keeps the user's equal values and a narrower SOURCES", () => {
    const { env, taken } = joinStack({ SOURCES: 'zilliz', ZILLIZ_BASE_URL: 'http://127.0.0.1:3001' }, provided);
    expect(env.SOURCES).toBe('zilliz');
    expect(taken.some((l) => l.includes('SOURCES') || l.includes('ZILLIZ_BASE_URL'))).toBe(false);
  });

  it.each([
    ['HUAWEI_PROJECT_ID', 'b'.repeat(32)],
    ['ZILLIZ_BASE_URL', 'https://api.cloud.zilliz.com'],
    ['HUAWEI_ACCESS_KEY', 'MYOWNKEY1'],
    ['SOURCES', 'zilliz,other'],
  ])('refuses %s set to another value than the stack uses, naming it', (name, value) => {
    const error = (() => {
      try {
        joinStack({ [name]: value }, provided);
      } catch (e: unknown) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${name}: set to another value than the running npm start uses`));
  });

  it('never prints a secret the user conflicts with', () => {
    expect(() => joinStack({ ZILLIZ_API_KEY: 'mine' }, provided)).toThrow(/simulator's value/);
    expect(() => joinStack({ ZILLIZ_API_KEY: 'mine' }, provided)).not.toThrow(/sim-key/);
  });
});
