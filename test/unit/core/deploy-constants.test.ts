/**
 * The constants the deployment reads outside TypeScript come from lib/core:
 * deploy/detail-types.json (loaded by deploy/notify.cjs) is exactly what
 * scripts/gen-deploy-constants.ts writes, its families cover every DetailType
 * the code publishes once each, and the template's retention default is
 * lib/core's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { REGION_DETAIL_TYPES, REMOVALS_HELD, SCHEMA_CHANGED, SOURCE_DEGRADED, SOURCE_RECOVERED } from '../../../lib/core/detail-types';
import { DEFAULT_RETENTION_DAYS } from '../../../lib/core/limits';
import { isValidBucketName } from '../../../lib/store/catalog-layout';
import { BUCKET_NAME_PATH, bucketNameRule, DEPLOY_CONSTANTS_PATH, deployConstants } from '../../../scripts/gen-deploy-constants';

const require = createRequire(import.meta.url);

describe('deploy constants', () => {
  it('deploy/detail-types.json is current (else run npx tsx scripts/gen-deploy-constants.ts)', () => {
    expect(readFileSync(DEPLOY_CONSTANTS_PATH, 'utf8')).toBe(deployConstants());
  });

  it('deploy/bucket-name.json is current (else run npx tsx scripts/gen-deploy-constants.ts)', () => {
    expect(readFileSync(BUCKET_NAME_PATH, 'utf8')).toBe(bucketNameRule());
  });

  it("catalog-file.cjs judges bucket names as lib/store does", () => {
    const deploy = require('../../../deploy/catalog-file.cjs') as { isValidBucketName: (name: string) => boolean };
    const names = ['my-bucket', 'a.b.c', 'ab', 'a'.repeat(63), 'a'.repeat(64), 'My-Bucket', 'a..b', '192.168.0.1', 'xn--abc', 'sthree-x', 'amzn-s3-demo-x', 'x-s3alias', 'x--ol-s3', 'x.mrap', 'x--x-s3', 'x--table-s3', '-ab', 'ab-', 'region-sync-catalog-123456789012-eu-west-1'];
    const verdicts = names.map((name) => [name, deploy.isValidBucketName(name)]);
    expect(verdicts).toEqual(names.map((name) => [name, isValidBucketName(name)]));
    // The rule is not vacuous: both verdicts occur.
    expect(new Set(verdicts.map(([, valid]) => valid))).toEqual(new Set([true, false]));
  });

  it("notify.cjs's families hold every published DetailType exactly once", () => {
    const notify = require('../../../deploy/notify.cjs') as { ALL: string[] };
    const published = [...Object.values(REGION_DETAIL_TYPES), SOURCE_DEGRADED, SOURCE_RECOVERED, REMOVALS_HELD, SCHEMA_CHANGED];
    expect([...notify.ALL].sort()).toEqual(published.sort());
  });

  it("serverless.yml's changesRetentionDays default is lib/core's", () => {
    // The template's own tags (!Ref, …) are not needed here: only the params block is read.
    const text = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');
    const params = /^params:\n([\s\S]*?)^\S/m.exec(text)?.[1] ?? '';
    const parsed = load(`params:\n${params}`) as { params: { default: { changesRetentionDays: string } } };
    expect(Number(parsed.params.default.changesRetentionDays)).toBe(DEFAULT_RETENTION_DAYS);
  });
});
