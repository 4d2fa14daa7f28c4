/**
 * Resolves the catalog-file and subscriber parameters for serverless.yml at
 * package time (`${file(./deploy/catalog-file.cjs):…}`), so a bad value stops
 * `serverless package` with one line naming the parameter, before any
 * template exists:
 * - catalogBucket: empty, `create`, or the name of an existing bucket (S3's naming rules);
 * - catalogPublicRead / catalogCdn: `true` or `false`, only with catalogBucket=create
 *   (an existing bucket's policy belongs to its owner: the stack never replaces it);
 * - catalogArchiveDays: empty (keep forever) or a whole number of days;
 * - subscriberAccounts: a comma list of 12-digit account ids and at most one
 *   organization id `o-[a-z0-9]{10,32}`.
 */
'use strict';

/** The name of the bucket the stack creates (serverless.yml's CatalogBucket): account and region make it unique. */
const CREATED_NAME = '${AWS::StackName}-catalog-${AWS::AccountId}-${AWS::Region}';
const ACCOUNT = /^\d{12}$/;
const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;

/** S3's rules for a general purpose bucket name: lib/store/catalog-layout.ts's, generated into bucket-name.json. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS: serverless.yml loads this file with require()
const BUCKET_NAME_RULE = require('./bucket-name.json');
const BUCKET_MUST = new RegExp(BUCKET_NAME_RULE.must);
const BUCKET_MUST_NOT = BUCKET_NAME_RULE.mustNot.map((pattern) => new RegExp(pattern));

function isValidBucketName(name) {
  return BUCKET_MUST.test(name) && !BUCKET_MUST_NOT.some((pattern) => pattern.test(name));
}

async function param(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}, ''`);
  return value === null || value === undefined ? '' : String(value).trim();
}

async function bucket(resolveVariable) {
  const value = await param(resolveVariable, 'catalogBucket');
  if (value === '' || value === 'create') return value;
  if (!isValidBucketName(value)) {
    throw new Error(`catalogBucket: expected 'create' or an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit), got '${value.slice(0, 70)}'`);
  }
  return value;
}

async function flag(resolveVariable, name) {
  const value = (await param(resolveVariable, name)).toLowerCase();
  if (value === '' || value === 'false') return '';
  if (value !== 'true') throw new Error(`${name}: expected true or false, got '${value.slice(0, 40)}'`);
  if ((await bucket(resolveVariable)) !== 'create') {
    throw new Error(`${name}: needs catalogBucket=create (the stack never replaces the policy of an existing bucket)`);
  }
  return 'true';
}

async function subscribers(resolveVariable) {
  const raw = await param(resolveVariable, 'subscriberAccounts');
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const accounts = [];
  const organizations = [];
  for (const item of list) {
    if (ACCOUNT.test(item)) accounts.push(item);
    else if (ORGANIZATION.test(item)) organizations.push(item);
    else throw new Error(`subscriberAccounts: '${item.slice(0, 40)}' is neither a 12-digit account id nor an organization id o-[a-z0-9]{10,32}`);
  }
  if (organizations.length > 1) throw new Error('subscriberAccounts: at most one organization id');
  return { accounts: [...new Set(accounts)], organization: organizations[0] ?? '' };
}

module.exports = {
  isValidBucketName,
  /** '' (no files), 'create', or 'existing'. */
  bucketMode: async ({ resolveVariable }) => {
    const value = await bucket(resolveVariable);
    return value === '' ? '' : value === 'create' ? 'create' : 'existing';
  },
  /**
   * The functions' CATALOG_BUCKET: '' (no files), the existing bucket's name, or the name the
   * stack gives the bucket it creates (account and region make it unique).
   */
  bucketEnv: async ({ resolveVariable }) => {
    const value = await bucket(resolveVariable);
    return value === 'create' ? { 'Fn::Sub': CREATED_NAME } : value;
  },
  /**
   * The bucket's ARN for the roles' statements: the created bucket's, or the existing one's by
   * name. Without a bucket the statements are left out (condition HasCatalogBucket), so the
   * placeholder is never deployed.
   */
  bucketArn: async ({ resolveVariable }) => {
    const value = await bucket(resolveVariable);
    // The created bucket by the name the stack gives it (no GetAtt: the roles need not wait for it).
    if (value === 'create') return { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${CREATED_NAME}` };
    return { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${value || 'no-catalog-bucket'}` };
  },
  publicRead: async ({ resolveVariable }) => flag(resolveVariable, 'catalogPublicRead'),
  cdn: async ({ resolveVariable }) => flag(resolveVariable, 'catalogCdn'),
  archiveDays: async ({ resolveVariable }) => {
    const value = await param(resolveVariable, 'catalogArchiveDays');
    if (value === '' || value === 'forever') return '';
    if (!/^[1-9]\d{0,5}$/.test(value)) throw new Error(`catalogArchiveDays: expected a whole number of days (1 or more), or empty to keep forever, got '${value.slice(0, 40)}'`);
    if ((await bucket(resolveVariable)) !== 'create') throw new Error('catalogArchiveDays: needs catalogBucket=create (an existing bucket keeps its own lifecycle)');
    return value;
  },
  /** Comma list of account ids ('' for none). */
  subscriberAccountIds: async ({ resolveVariable }) => (await subscribers(resolveVariable)).accounts.join(','),
  subscriberOrgId: async ({ resolveVariable }) => (await subscribers(resolveVariable)).organization,
};
