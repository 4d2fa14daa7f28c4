/**
 * Writes deploy/detail-types.json, the constants deploy/notify.cjs needs
 * (CommonJS, loaded by serverless.yml, so it cannot import TypeScript): the
 * notification families of lib/core/detail-types.ts; and deploy/bucket-name.json,
 * the S3 bucket-name rule of lib/store/catalog-layout.ts for deploy/catalog-file.cjs.
 * `npm test` fails while a checked-in file differs from what this writes
 * (test/unit/core/deploy-constants.test.ts): run `npx tsx scripts/gen-deploy-constants.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NOTIFICATION_FAMILIES } from '../lib/core/detail-types';
import { BUCKET_NAME_RULE } from '../lib/store/catalog-layout';

export const DEPLOY_CONSTANTS_PATH = fileURLToPath(new URL('../deploy/detail-types.json', import.meta.url));

export function deployConstants(): string {
  return `${JSON.stringify({ generatedBy: 'scripts/gen-deploy-constants.ts', families: NOTIFICATION_FAMILIES }, null, 2)}\n`;
}

export const BUCKET_NAME_PATH = fileURLToPath(new URL('../deploy/bucket-name.json', import.meta.url));

export function bucketNameRule(): string {
  return `${JSON.stringify({ generatedBy: 'scripts/gen-deploy-constants.ts', ...BUCKET_NAME_RULE }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DEPLOY_CONSTANTS_PATH, deployConstants());
  writeFileSync(BUCKET_NAME_PATH, bucketNameRule());
}
