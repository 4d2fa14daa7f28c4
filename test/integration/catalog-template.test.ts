/**
 * The catalog file and the subscribers in the packaged template (issue 20):
 * nothing without the parameters; with them, a bucket with versioning,
 * encryption, blocked public access and the archive's lifecycle; the sync role
 * writing only catalog/* and changes/*, the catalog role only reading them;
 * public read of catalog/* and nothing else; a CDN through origin access
 * control; a bus policy letting the subscribers manage only their own rules;
 * a changes topic with every event that exactly they may subscribe to. The
 * policies are read from the template as CloudFormation would deploy them
 * with those parameters. Bad values stop the package naming the parameter.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluator, packageWith, type Json, type Packaged } from './notifications-template';

const require = createRequire(import.meta.url);
type Resolver = (o: { resolveVariable: (v: string) => Promise<string> }) => Promise<unknown>;
const catalogFile = require('../../deploy/catalog-file.cjs') as Record<string, Resolver>;

const ACCOUNTS = ['111122223333', '444455556666'];
const ORG = 'o-a1b2c3d4e5';
const FULL = { catalogBucket: 'create', catalogPublicRead: 'true', catalogCdn: 'true', catalogArchiveDays: '3650', subscriberAccounts: `${ACCOUNTS.join(',')},${ORG}` };
const NONE = { CatalogBucketMode: '', CatalogPublicRead: '', CatalogCdn: '', CatalogArchiveDays: '', SubscriberAccountIds: '', SubscriberOrgId: '' };
const RULE_ACTIONS = ['events:PutRule', 'events:PutTargets', 'events:DeleteRule', 'events:RemoveTargets', 'events:DescribeRule', 'events:ListTargetsByRule', 'events:EnableRule', 'events:DisableRule'];

let full: Packaged;
beforeAll(async () => {
  full = await packageWith(FULL);
}, 400_000);
afterAll(() => full?.close());

type Obj = Record<string, Json>;
interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: Json;
  Action: string | string[];
  Resource: Json;
  Condition?: Obj;
}
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function deployed(overrides: Record<string, string> = {}) {
  return evaluator(full.template, overrides).deployed();
}

function roleStatements(role: string, overrides: Record<string, string> = {}): Statement[] {
  const props = deployed(overrides)[role]?.Properties as unknown as { Policies: { PolicyDocument: { Statement: Statement[] } }[] };
  return props.Policies.flatMap((p) => p.PolicyDocument.Statement);
}

const s3Statements = (role: string, overrides?: Record<string, string>) => roleStatements(role, overrides).filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));

/** `{"Fn::Sub": ["${Bucket}/catalog/*", {Bucket: …}]}` as the object ARN it names, with the bucket ARN written out. */
function objectArn(resource: Json): string {
  const sub = (resource as { 'Fn::Sub': [string, { Bucket: Json }] | string })['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  const [template, { Bucket }] = sub;
  return template.replace('${Bucket}', objectArn(Bucket));
}

const BUCKET_ARN = 'arn:${AWS::Partition}:s3:::${AWS::StackName}-catalog-${AWS::AccountId}-${AWS::Region}';

describe('the catalog file and subscribers in the packaged template', () => {
  it('deploys none of it, and no S3 grant, without the parameters', () => {
    const ids = Object.keys(deployed(NONE));
    expect(ids.filter((id) => /^(Catalog(Bucket|Distribution|OriginAccess)|Subscriber|Changes)/.test(id))).toEqual([]);
    expect(s3Statements('SyncRole', NONE)).toEqual([]);
    expect(s3Statements('CatalogRole', NONE)).toEqual([]);
  });

  it('creates a versioned, encrypted bucket that outlives the stack, public access blocked but for the catalog policy', () => {
    const bucket = full.template.Resources.CatalogBucket as unknown as { DeletionPolicy: string };
    expect(bucket.DeletionPolicy).toBe('Retain');
    const props = deployed().CatalogBucket?.Properties as Obj;
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(props.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] });
    expect(props.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    const closed = deployed({ CatalogPublicRead: '' }).CatalogBucket?.Properties as Obj;
    expect(closed.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it('keeps the archive catalogArchiveDays, and forever without it', () => {
    const rules = (deployed().CatalogBucket?.Properties.LifecycleConfiguration as { Rules: Obj[] }).Rules;
    expect(rules.map((r) => [r.Prefix, r.ExpirationInDays ?? null, (r.NoncurrentVersionExpiration as Obj).NoncurrentDays])).toEqual([
      ['changes/', '3650', '3650'],
      ['catalog/v/', '3650', '3650'],
      // latest.json itself never expires: only the versions it replaced.
      ['catalog/latest.json', null, '3650'],
    ]);
    expect(deployed({ CatalogArchiveDays: '' }).CatalogBucket?.Properties).not.toHaveProperty('LifecycleConfiguration');
  });

  it('lets the sync role write only catalog/* and changes/*, and read only latest.json', () => {
    const statements = s3Statements('SyncRole');
    const grants = statements.map((s) => [list(s.Action).join(), list(s.Resource).map(objectArn).join(' '), JSON.stringify(s.Condition ?? null)]);
    expect(grants).toEqual([
      ['s3:PutObject', `${BUCKET_ARN}/catalog/* ${BUCKET_ARN}/changes/*`, 'null'],
      ['s3:GetObject', `${BUCKET_ARN}/catalog/latest.json`, 'null'],
      ['s3:ListBucket', BUCKET_ARN, JSON.stringify({ StringEquals: { 's3:prefix': 'catalog/latest.json' } })],
    ]);
  });

  it('lets the catalog role only read the files and list the versions', () => {
    const grants = s3Statements('CatalogRole').map((s) => [list(s.Action).join(), list(s.Resource).map(objectArn).join(' '), JSON.stringify(s.Condition ?? null)]);
    expect(grants).toEqual([
      ['s3:GetObject', `${BUCKET_ARN}/catalog/* ${BUCKET_ARN}/changes/*`, 'null'],
      ['s3:ListBucket', BUCKET_ARN, JSON.stringify({ StringEquals: { 's3:prefix': 'catalog/v/' } })],
    ]);
  });

  it('with an existing bucket, grants the same on that bucket and creates none', () => {
    const resolve = (params: Record<string, string>) => ({ resolveVariable: async (v: string) => params[/^param:(\w+)/.exec(v)?.[1] ?? ''] ?? '' });
    return Promise.all([
      expect(catalogFile.bucketArn!(resolve({ catalogBucket: 'team-catalog.example' }))).resolves.toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::team-catalog.example' }),
      expect(catalogFile.bucketMode!(resolve({ catalogBucket: 'team-catalog.example' }))).resolves.toBe('existing'),
      expect(catalogFile.bucketEnv!(resolve({ catalogBucket: 'team-catalog.example' }))).resolves.toBe('team-catalog.example'),
    ]).then(() => expect(Object.keys(deployed({ CatalogBucketMode: 'existing', CatalogPublicRead: '', CatalogCdn: '' }))).not.toContain('CatalogBucket'));
  });

  it('lets anyone read catalog/* and nothing else, the CDN only through origin access control', () => {
    const statements = (deployed().CatalogBucketPolicy?.Properties.PolicyDocument as unknown as { Statement: Statement[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => [s.Sid, s.Principal, s.Action, objectArn(s.Resource)])).toEqual([
      ['PublicReadCatalog', '*', 's3:GetObject', '${CatalogBucket.Arn}/catalog/*'],
      ['CdnReadsCatalog', { Service: 'cloudfront.amazonaws.com' }, 's3:GetObject', '${CatalogBucket.Arn}/catalog/*'],
    ]);
    expect(allows[1]?.Condition).toEqual({ StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${CatalogDistribution}' } } });
    expect(statements.find((s) => s.Sid === 'DenyInsecureTransport')?.Effect).toBe('Deny');
    const closed = (deployed({ CatalogPublicRead: '', CatalogCdn: '' }).CatalogBucketPolicy?.Properties.PolicyDocument as unknown as { Statement: Statement[] }).Statement;
    expect(closed.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('puts a compressing CloudFront distribution with origin access control in front, its URL an output', () => {
    const config = deployed().CatalogDistribution?.Properties.DistributionConfig as Obj;
    const [origin] = config.Origins as Obj[];
    expect(origin).toMatchObject({ OriginAccessControlId: { 'Fn::GetAtt': ['CatalogOriginAccessControl', 'Id'] }, DomainName: { 'Fn::GetAtt': ['CatalogBucket', 'RegionalDomainName'] } });
    expect(config.DefaultCacheBehavior).toMatchObject({ Compress: true, ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] });
    expect(deployed().CatalogOriginAccessControl?.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
    const outputs = (full.template as unknown as { Outputs: Record<string, { Condition?: string; Value: Json }> }).Outputs;
    expect(outputs.CatalogUrl).toEqual({ Condition: 'HasCatalogCdn', Description: 'The catalog file through the CDN.', Value: { 'Fn::Sub': 'https://${CatalogDistribution.DomainName}/catalog/latest.json' } });
  });

  it('tells the catalog function where people read latest.json (the page links to it): the CDN, else the public bucket, else nowhere', () => {
    const url = (overrides: Record<string, string> = {}) =>
      (deployed(overrides).CatalogLambdaFunction?.Properties as unknown as { Environment: { Variables: Record<string, Json> } }).Environment.Variables.CATALOG_FILE_URL;
    expect(url()).toEqual({ 'Fn::Sub': 'https://${CatalogDistribution.DomainName}/catalog/latest.json' });
    expect(url({ CatalogCdn: 'false' })).toEqual({ 'Fn::Sub': 'https://${CatalogBucket.RegionalDomainName}/catalog/latest.json' });
    expect(url({ CatalogCdn: 'false', CatalogPublicRead: 'false' })).toBeUndefined();
    expect(url(NONE)).toBeUndefined();
  });
  it('lets the subscriber accounts and organization manage only the rules they created on the bus', () => {
    const all = deployed();
    const accounts = all.SubscriberAccountsBusPolicy?.Properties as unknown as { EventBusName: Json; Statement: Statement };
    const org = all.SubscriberOrgBusPolicy?.Properties as unknown as { Statement: Statement };
    const ownRules = { StringEqualsIfExists: { 'events:creatorAccount': '${aws:PrincipalAccount}' } };
    const rules = { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/region-sync-prod/*' };
    expect(accounts.EventBusName).toEqual({ Ref: 'EventBus' });
    // CommaDelimitedList: the evaluator keeps the parameter's text; CloudFormation splits it.
    expect(String(accounts.Statement.Principal && (accounts.Statement.Principal as Obj).AWS).split(',')).toEqual(ACCOUNTS);
    expect(accounts.Statement).toMatchObject({ Effect: 'Allow', Action: RULE_ACTIONS, Resource: rules, Condition: ownRules });
    expect(org.Statement).toMatchObject({ Effect: 'Allow', Principal: '*', Action: RULE_ACTIONS, Resource: rules, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG }, ...ownRules } });
    expect(Object.keys(deployed({ SubscriberOrgId: '' }))).not.toContain('SubscriberOrgBusPolicy');
  });

  it('sends every event of the bus to a changes topic only those principals may subscribe to', () => {
    const all = deployed();
    expect(all.ChangesRule?.Properties).toMatchObject({ EventBusName: { Ref: 'EventBus' }, EventPattern: { source: ['region-sync'] }, Targets: [{ Id: 'changes', Arn: { Ref: 'ChangesTopic' } }] });
    // No transformer (the event as its JSON); retried for a day, then kept in its dead-letter queue.
    expect(all.ChangesRule?.Properties.Targets).toEqual([
      {
        Id: 'changes',
        Arn: { Ref: 'ChangesTopic' },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ChangesDeadLetterQueue', 'Arn'] } },
      },
    ]);
    const statements = (all.ChangesTopicPolicy?.Properties.PolicyDocument as unknown as { Statement: Statement[] }).Statement;
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['EventBridgePublishes', 'sns:Publish'],
      ['SubscriberAccountsSubscribe', 'sns:Subscribe'],
      ['SubscriberOrgSubscribe', 'sns:Subscribe'],
    ]);
    expect(String((statements[1]?.Principal as Obj).AWS).split(',')).toEqual(ACCOUNTS);
    expect(statements[2]).toMatchObject({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } });
    expect(statements[0]?.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ChangesRule', 'Arn'] } } });
    const accountsOnly = deployed({ SubscriberOrgId: '' });
    const only = (accountsOnly.ChangesTopicPolicy?.Properties.PolicyDocument as unknown as { Statement: Statement[] }).Statement;
    expect(only.map((s) => s.Sid)).toEqual(['EventBridgePublishes', 'SubscriberAccountsSubscribe']);
  });
});

describe('bad catalog and subscriber parameters', () => {
  const resolve = (params: Record<string, string>) => ({ resolveVariable: async (v: string) => params[/^param:(\w+)/.exec(v)?.[1] ?? ''] ?? '' });
  it.each([
    ['bucketEnv', { catalogBucket: 'My_Bucket' }, /^catalogBucket: expected 'create' or an S3 bucket name/],
    ['bucketEnv', { catalogBucket: '192.168.1.1' }, /^catalogBucket: /],
    ['bucketEnv', { catalogBucket: 'ab' }, /^catalogBucket: /],
    ['subscriberAccountIds', { subscriberAccounts: '12345' }, /^subscriberAccounts: '12345' is neither a 12-digit account id/],
    ['subscriberOrgId', { subscriberAccounts: 'o-ABCDEFGHIJ' }, /^subscriberAccounts: 'o-ABCDEFGHIJ'/],
    ['subscriberOrgId', { subscriberAccounts: 'o-a1b2c3d4e5,o-f6g7h8i9j0' }, /^subscriberAccounts: at most one organization id/],
    ['publicRead', { catalogPublicRead: 'yes', catalogBucket: 'create' }, /^catalogPublicRead: expected true or false/],
    ['cdn', { catalogCdn: 'true', catalogBucket: 'team-catalog' }, /^catalogCdn: needs catalogBucket=create/],
    ['archiveDays', { catalogArchiveDays: '0', catalogBucket: 'create' }, /^catalogArchiveDays: expected a whole number/],
  ] as [string, Record<string, string>, RegExp][])('%s with %j stops the package naming the parameter', async (name, params, message) => {
    await expect(catalogFile[name]!(resolve(params))).rejects.toThrow(message);
  });

  it('stops a real `serverless package` with that line', async () => {
    const failure = await packageWith({ subscriberAccounts: '1234' }).then(
      (p) => (p.close(), undefined),
      (error: unknown) => error as { stdout?: string; stderr?: string },
    );
    expect(`${failure?.stdout ?? ''}${failure?.stderr ?? ''}`).toContain("subscriberAccounts: '1234' is neither a 12-digit account id nor an organization id");
  }, 300_000);
});
