/**
 * Secrets scrubbed from every log line, registered the way the sync function
 * registers them: the configuration is read from an environment holding them,
 * and the handler's registerConfigSecrets hands its secret values to the
 * redactor. A secret the function failed to register would show here.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../../lib/core/log';
import type { Env } from '../../../lib/core/config';
import { loadSyncConfig } from '../../../lib/sync/config';
import { registerConfigSecrets } from '../../../lib/sync/handler';

/** A deployed function's environment, with a static Huawei token (its secret values given by each test). */
const base: Env = {
  TABLE_NAME: 'region-sync-dev',
  EVENT_BUS_NAME: 'region-sync-dev',
  ZILLIZ_BASE_URL: 'https://controller.api.gcp-us-west1.zillizcloud.com',
  ZILLIZ_API_KEY: 'db_0000000000000000000000000000base',
  MODELARTS_ENDPOINT: 'https://modelarts.ap-southeast-1.myhuaweicloud.com',
  HUAWEI_PROJECT_ID: '0123456789abcdef0123456789abcdef',
  HUAWEI_AUTH_TOKEN: 'MIIXtoken-abcdef0123456789-static',
};

const iam: Env = {
  HUAWEI_AUTH_TOKEN: undefined,
  HUAWEI_IAM_ENDPOINT: 'https://iam.myhuaweicloud.com',
  HUAWEI_DOMAIN_NAME: 'acme',
  HUAWEI_USERNAME: 'region-sync',
};

function capture(base: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const log = createLogger(base, (line) => lines.push(line), 'debug');
  return { log, lines };
}

describe('secret redaction, as the sync function registers its secrets', () => {
  it('scrubs a registered secret from any field, child field and error message', () => {
    const secret = 'db_aa11bb22cc33dd44ee55ff66';
    registerConfigSecrets(loadSyncConfig({ ...base, ZILLIZ_API_KEY: secret }));
    const { log, lines } = capture({ url: `https://x.example.com/?key=${secret}` });
    log.child({ header: `Bearer ${secret}` }).error(`echoed ${secret}`, {
      nested: { deep: [secret] },
      error: new Error(`upstream said: invalid key ${secret}`),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record.header).toBe('Bearer [REDACTED]');
    expect(record.message).toBe('echoed [REDACTED]');
    expect(record.error).toEqual({ name: 'Error', message: 'upstream said: invalid key [REDACTED]' });
  });

  it('scrubs a secret containing characters JSON escapes', () => {
    // Huawei IAM passwords may contain " and \.
    const secret = 'Pa"ss\\w0rd-2026';
    registerConfigSecrets(loadSyncConfig({ ...base, ...iam, HUAWEI_PASSWORD: secret }));
    const { log, lines } = capture();
    log.error('iam login failed', { password: secret, error: new Error(`rejected ${secret}`) });
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(JSON.stringify(record)).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(record.password).not.toContain(secret);
    expect(String((record.error as { message?: string } | undefined)?.message)).not.toContain(secret);
  });

  it('does not register very short values, which would scrub ordinary words', () => {
    registerConfigSecrets(loadSyncConfig({ ...base, ZILLIZ_API_KEY: 'abc' }));
    expect(redact('abc def')).toBe('abc def');
  });
});
