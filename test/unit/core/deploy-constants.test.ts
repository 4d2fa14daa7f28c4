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
import { DEPLOY_CONSTANTS_PATH, deployConstants } from '../../../scripts/gen-deploy-constants';

const require = createRequire(import.meta.url);

describe('deploy constants', () => {
  it('deploy/detail-types.json is current (else run npx tsx scripts/gen-deploy-constants.ts)', () => {
    expect(readFileSync(DEPLOY_CONSTANTS_PATH, 'utf8')).toBe(deployConstants());
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
