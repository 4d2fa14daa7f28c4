/**
 * The deploying principal's least IAM policy (docs/deploy-policy.json, issue
 * 22) against the packaged template with every parameter set: every resource
 * type the template can create is in the table below (what CloudFormation's
 * handlers call to create, update, read and delete it, as AWS documents them),
 * and the policy grants each of those actions, plus what `serverless deploy`
 * itself does (the stack, its deployment bucket's objects). The other way
 * round, the policy grants nothing the table does not need, no `*` action and
 * no whole service (`svc:*`). A resource type added to the template fails
 * here until the table, and then the policy, know it.
 *
 * On the same template: what checkov's CloudFormation policies ask that the
 * template meets (checkov itself cannot be installed here), and the skip list
 * of .checkov.yaml is the one docs/DEPLOY.md gives reasons for.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageWith, type Packaged } from './notifications-template';

const POLICY_FILE = new URL('../../docs/deploy-policy.json', import.meta.url);

/** What `serverless deploy` does itself, whatever the template holds. */
const FRAMEWORK = [
  // The stack: created, updated through change sets, watched, removed by `serverless remove`.
  'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack', 'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResource', 'cloudformation:DescribeStackResources',
  'cloudformation:ListStackResources', 'cloudformation:GetTemplate', 'cloudformation:ValidateTemplate',
  'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteChangeSet',
  // The packages and the template it uploads to the deployment bucket, and the old ones it prunes.
  's3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetBucketLocation',
  // notifyWebhookUrl's {{resolve:secretsmanager:…}} is resolved with the deploying principal's rights.
  'secretsmanager:GetSecretValue',
];

/** For each resource type: the actions CloudFormation needs to create, update, read and delete it as this template declares it. */
const REQUIRED: Record<string, string[]> = {
  'AWS::S3::Bucket': [
    's3:CreateBucket', 's3:DeleteBucket', 's3:ListBucket', 's3:GetBucketLocation', 's3:PutEncryptionConfiguration', 's3:GetEncryptionConfiguration',
    's3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock', 's3:PutBucketVersioning', 's3:GetBucketVersioning',
    's3:PutLifecycleConfiguration', 's3:GetLifecycleConfiguration', 's3:PutBucketOwnershipControls', 's3:GetBucketOwnershipControls',
    's3:PutBucketTagging', 's3:GetBucketTagging',
  ],
  'AWS::S3::BucketPolicy': ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucketPolicy'],
  'AWS::Logs::LogGroup': [
    'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:DescribeLogGroups', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy',
    'logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource',
  ],
  'AWS::Lambda::Function': [
    'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode',
    'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:TagResource',
    'lambda:UntagResource', 'lambda:ListTags', 'iam:PassRole', 's3:GetObject',
  ],
  'AWS::Lambda::Version': ['lambda:PublishVersion', 'lambda:ListVersionsByFunction', 'lambda:GetFunctionConfiguration', 'lambda:DeleteFunction'],
  'AWS::Lambda::EventInvokeConfig': [
    'lambda:PutFunctionEventInvokeConfig', 'lambda:UpdateFunctionEventInvokeConfig', 'lambda:GetFunctionEventInvokeConfig', 'lambda:DeleteFunctionEventInvokeConfig',
  ],
  'AWS::Lambda::Permission': ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
  'AWS::Lambda::EventSourceMapping': [
    'lambda:CreateEventSourceMapping', 'lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping', 'lambda:ListEventSourceMappings',
  ],
  // HTTP APIs are managed through API Gateway's REST-style actions on /apis/*; access logs need log deliveries.
  'AWS::ApiGatewayV2::Api': ['apigateway:POST', 'apigateway:GET', 'apigateway:PATCH', 'apigateway:PUT', 'apigateway:DELETE'],
  'AWS::ApiGatewayV2::Stage': [
    'apigateway:POST', 'apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE', 'logs:CreateLogDelivery', 'logs:GetLogDelivery',
    'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies',
  ],
  'AWS::ApiGatewayV2::Integration': ['apigateway:POST', 'apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
  'AWS::ApiGatewayV2::Route': ['apigateway:POST', 'apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
  'AWS::ApiGatewayV2::Authorizer': ['apigateway:POST', 'apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
  'AWS::EventSchemas::Registry': [
    'schemas:CreateRegistry', 'schemas:DescribeRegistry', 'schemas:UpdateRegistry', 'schemas:DeleteRegistry', 'schemas:TagResource',
    'schemas:UntagResource', 'schemas:ListTagsForResource',
  ],
  'AWS::EventSchemas::Schema': [
    'schemas:CreateSchema', 'schemas:DescribeSchema', 'schemas:UpdateSchema', 'schemas:DeleteSchema', 'schemas:ListSchemaVersions', 'schemas:DeleteSchemaVersion',
  ],
  'AWS::DynamoDB::Table': [
    'dynamodb:CreateTable', 'dynamodb:DeleteTable', 'dynamodb:DescribeTable', 'dynamodb:UpdateTable', 'dynamodb:UpdateTimeToLive',
    'dynamodb:DescribeTimeToLive', 'dynamodb:UpdateContinuousBackups', 'dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeContributorInsights',
    'dynamodb:DescribeKinesisStreamingDestination', 'dynamodb:TagResource', 'dynamodb:UntagResource', 'dynamodb:ListTagsOfResource',
  ],
  'AWS::Events::EventBus': ['events:CreateEventBus', 'events:DeleteEventBus', 'events:DescribeEventBus', 'events:TagResource', 'events:UntagResource', 'events:ListTagsForResource'],
  'AWS::Events::EventBusPolicy': ['events:PutPermission', 'events:RemovePermission', 'events:DescribeEventBus'],
  'AWS::Events::Rule': [
    'events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:EnableRule', 'events:DisableRule', 'events:PutTargets',
    'events:RemoveTargets', 'events:ListTargetsByRule', 'iam:PassRole',
  ],
  // A connection keeps its credentials in a secret EventBridge creates (events!connection/…), through a service-linked role.
  'AWS::Events::Connection': [
    'events:CreateConnection', 'events:UpdateConnection', 'events:DeleteConnection', 'events:DescribeConnection', 'secretsmanager:CreateSecret',
    'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue',
    'secretsmanager:DeleteSecret', 'iam:CreateServiceLinkedRole',
  ],
  'AWS::Events::ApiDestination': ['events:CreateApiDestination', 'events:UpdateApiDestination', 'events:DeleteApiDestination', 'events:DescribeApiDestination'],
  'AWS::SQS::Queue': ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListQueueTags', 'sqs:TagQueue', 'sqs:UntagQueue'],
  'AWS::SQS::QueuePolicy': ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
  'AWS::SNS::Topic': [
    'sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:ListSubscriptionsByTopic', 'sns:TagResource',
    'sns:UntagResource', 'sns:ListTagsForResource',
  ],
  'AWS::SNS::Subscription': ['sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
  'AWS::SNS::TopicPolicy': ['sns:SetTopicAttributes', 'sns:GetTopicAttributes'],
  'AWS::IAM::Role': [
    'iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:GetRolePolicy',
    'iam:DeleteRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:TagRole', 'iam:UntagRole',
  ],
  'AWS::CloudWatch::Alarm': ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource'],
  'AWS::CloudFront::Distribution': [
    'cloudfront:CreateDistribution', 'cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution',
    'cloudfront:DeleteDistribution', 'cloudfront:TagResource', 'cloudfront:UntagResource', 'cloudfront:ListTagsForResource',
  ],
  'AWS::CloudFront::OriginAccessControl': [
    'cloudfront:CreateOriginAccessControl', 'cloudfront:GetOriginAccessControl', 'cloudfront:UpdateOriginAccessControl', 'cloudfront:DeleteOriginAccessControl',
  ],
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const policyText = readFileSync(POLICY_FILE, 'utf8');
const policy = JSON.parse(policyText) as { Version: string; Statement: Statement[] };
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const granted = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action));
/** IAM's action matching: case-insensitive, `*` and `?` as wildcards. */
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);

let everything: Packaged;
let types: string[];
let createStack: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
beforeAll(async () => {
  // Every parameter that adds resources: notifications, the catalog file with public read, CDN and
  // archive, subscribers (accounts and an organization), webhooks, and the JWT authorizer.
  everything = await packageWith({
    notifyWebhookUrl: '{{resolve:secretsmanager:region-sync/slack:SecretString:url}}',
    notifyEmail: 'ops@example.com',
    catalogBucket: 'create',
    catalogPublicRead: 'true',
    catalogCdn: 'true',
    catalogArchiveDays: '365',
    subscriberAccounts: '111122223333,o-a1b2c3d4e5',
    webhookEndpoints: '{{resolve:secretsmanager:region-sync/webhooks}}',
    catalogAuth: 'jwt',
    catalogJwtIssuer: 'https://issuer.example.com',
    catalogJwtAudience: 'catalog',
    alarmTopicArn: 'arn:aws:sns:eu-west-3:123456789012:alerts',
  });
  // The deployment bucket is in the create-stack template serverless writes beside it.
  createStack = JSON.parse(readFileSync(everything.path('cloudformation-template-create-stack.json'), 'utf8')) as typeof createStack;
  types = [...new Set([...Object.values(everything.template.Resources), ...Object.values(createStack.Resources)].map((r) => r.Type))].sort();
}, 400_000);
afterAll(() => everything?.close());

describe("the deploying principal's least IAM policy (docs/deploy-policy.json)", () => {
  it('is an IAM policy document that fits an inline role policy (10,240 characters)', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.every((s) => s.Effect === 'Allow' && typeof s.Sid === 'string')).toBe(true);
    expect(JSON.stringify(policy).replace(/\s/g, '').length).toBeLessThanOrEqual(10_240);
  });

  it('grants no "*" action and no whole service', () => {
    expect(granted.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a))).toEqual([]);
    expect(policyText).not.toMatch(/"Action"\s*:\s*"\*"/);
  });

  it('knows every resource type of the template packaged with every parameter', () => {
    expect(types.length).toBeGreaterThanOrEqual(25);
    expect(types.filter((t) => !(t in REQUIRED))).toEqual([]);
  });

  it("grants every action CloudFormation needs for each of the template's resource types, and what serverless deploy does", () => {
    const missing = [...types.flatMap((t) => (REQUIRED[t] ?? []).map((a) => [t, a])), ...FRAMEWORK.map((a) => ['serverless deploy', a])].filter(
      ([, action]) => !granted.some((pattern) => matches(pattern, action!)),
    );
    expect(missing).toEqual([]);
  });

  it('grants nothing more: each action is needed by a resource type of the template or by serverless deploy', () => {
    const needed = new Set([...types.flatMap((t) => REQUIRED[t] ?? []), ...FRAMEWORK]);
    expect(granted.filter((pattern) => ![...needed].some((action) => matches(pattern, action)))).toEqual([]);
  });

  it('passes roles only to Lambda and EventBridge, and only the stack’s own', () => {
    const passRole = policy.Statement.filter((s) => list(s.Action).some((a) => matches(a, 'iam:PassRole')));
    expect(passRole).toHaveLength(1);
    expect(passRole[0]?.Resource).toBe('arn:aws:iam::*:role/region-sync-*');
    expect(passRole[0]?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'events.amazonaws.com'] } });
  });

  it('limits every statement on resources with a name to the region-sync-* ones', () => {
    // The exceptions are the actions IAM gives no resource of their own (or only one named by an id).
    const unnamed = new Set(['CloudFormationValidate', 'QueueTrigger', 'LogGroupsListAndApiAccessLogDelivery', 'HttpApi', 'CatalogCdn', 'ApiDestinationsServiceLinkedRole']);
    const loose = policy.Statement.filter((s) => !unnamed.has(s.Sid ?? '')).filter((s) => list(s.Resource).some((r) => !/region-sync/.test(r)));
    expect(loose.map((s) => s.Sid)).toEqual([]);
  });
});

describe("checkov's policies the template meets, and the documented skip list", () => {
  const resources = () => Object.entries(everything.template.Resources) as [string, { Type: string; Properties?: Record<string, unknown> }][];
  const ofType = (type: string) => resources().filter(([, r]) => r.Type === type);

  it('blocks public access to the deployment bucket, versions and encrypts it (CKV_AWS_53-56, 21, 19)', () => {
    const bucket = createStack.Resources.ServerlessDeploymentBucket?.Properties ?? {};
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket).toHaveProperty('BucketEncryption');
  });

  it('keeps every log group a set time (CKV_AWS_66), the HTTP API access logs included', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.map(([id]) => id)).toContain('HttpApiLogGroup');
    expect(groups.filter(([, r]) => typeof r.Properties?.RetentionInDays !== 'number' && typeof r.Properties?.RetentionInDays !== 'string').map(([id]) => id)).toEqual([]);
  });

  it('logs the HTTP API stage without query string or header (CKV_AWS_76, 95)', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as unknown as [[string, { Properties: { AccessLogSettings: { Format: string } } }]];
    const format = stage.Properties.AccessLogSettings.Format;
    expect(Object.keys(JSON.parse(format) as object)).toContain('routeKey');
    expect(format).not.toMatch(/querystring|rawQueryString|\.header|authorizer/i);
  });

  it('encrypts every queue (CKV_AWS_27) and keeps the table recoverable (CKV_AWS_28)', () => {
    expect(ofType('AWS::SQS::Queue').filter(([, r]) => r.Properties?.SqsManagedSseEnabled !== true && !r.Properties?.KmsMasterKeyId).map(([id]) => id)).toEqual([]);
    expect(everything.template.Resources.RegionTable?.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('limits every Lambda permission by SourceArn (CKV_AWS_364) and keeps secrets out of environments (CKV_AWS_45)', () => {
    expect(ofType('AWS::Lambda::Permission').filter(([, r]) => !r.Properties?.SourceArn).map(([id]) => id)).toEqual([]);
    expect(everything.text).not.toMatch(/whsec_|\{\{resolve:secretsmanager:region-sync\/webhooks/);
  });

  it("skips in .checkov.yaml exactly the checks docs/DEPLOY.md's checkov section gives reasons for", () => {
    const config = yaml.load(readFileSync(new URL('../../.checkov.yaml', import.meta.url), 'utf8')) as { 'skip-check': string[] };
    const deploy = readFileSync(new URL('../../docs/DEPLOY.md', import.meta.url), 'utf8');
    const section = deploy.slice(deploy.indexOf('## 12. checkov'));
    const skipTable = section.slice(section.indexOf('**Skipped'), section.indexOf('A finding outside this list'));
    const documented = new Set([...skipTable.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => m[1]!.match(/CKV_AWS_\d+/g) ?? []));
    // The catalog bucket's public-policy checks are skipped on that resource alone, by its Metadata.
    const onResource = ((everything.template.Resources.CatalogBucket as unknown as { Metadata: { checkov: { skip: { id: string }[] } } }).Metadata.checkov.skip).map((s) => s.id);
    expect(onResource).toEqual(['CKV_AWS_54', 'CKV_AWS_56']);
    expect([...config['skip-check'], ...onResource].sort()).toEqual([...documented].sort());
  });
});
