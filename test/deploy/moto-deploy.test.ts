/**
 * The packaged template deploys (run by `.ci/run`, not by `npm test`: it needs
 * moto, which is Python). For each configuration of ./configurations.ts:
 * `serverless package --stage prod --param=…`, then CloudFormation CreateStack
 * in moto's server (started on a free port, stopped by its PID, reset between
 * configurations). Every resource the configuration deploys whose type moto
 * models must reach CREATE_COMPLETE; the others are listed, and that list is
 * the README's (Deploying) table, checked here (`UPDATE_README=1` rewrites it).
 *
 * Then one sync pass runs through the production handler (loadSyncHandler)
 * against the deployed stack: the table and the bus the stack created, the
 * secrets in moto's SSM under the names the template gives, the upstreams our
 * simulators. The witnesses are moto's, read with the AWS SDK: the table's
 * REGION items hold the simulators' regions, and an SQS queue subscribed by a
 * rule on the deployed bus received one Region Added per region.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, DescribeStackResourcesCommand, type StackResource } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/core/log';
import { loadSyncHandler } from '../../lib/sync/handler';
import type { PassSummary } from '../../lib/sync/pass';
import {
  modelartsSampleData,
  startModelartsSimulator,
  startZillizSimulator,
  zillizSampleData,
  type ModelartsData,
  type ModelartsSimulator,
  type ZillizData,
  type ZillizSimulator,
} from '../../local/simulators';
import { motoAvailable, startMoto, type Moto } from '../integration/notifications-moto';
import { evaluator, packageWith, type Json, type Template } from '../integration/notifications-template';
import { CONFIGURATIONS, SUBSCRIBER_ACCOUNTS, SUBSCRIBER_ORG } from './configurations';

const ROOT = new URL('../..', import.meta.url).pathname;
const README = `${ROOT}README.md`;
const REGION = 'us-east-1';
const STACK = 'region-sync-prod';
const credentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };

/** Each distinct set of `--param`s is packaged once (a configuration may not differ from another yet). */
const packages = new Map<string, Promise<Template>>();
function packagedWith(params: Record<string, string>): Promise<Template> {
  const key = JSON.stringify(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
  let template = packages.get(key);
  if (!template) {
    template = packageWith(params).then((packaged) => {
      packaged.close();
      return packaged.template;
    });
    packages.set(key, template);
  }
  return template;
}

/** The targets moto's EventBridge delivers to (or, for an API destination, accepts): SQS, CloudWatch Logs, another bus. */
const MOTO_DELIVERS = /^arn:aws:(sqs:|logs:[^:]*:[^:]*:log-group:|events:[^:]*:[^:]*:(event-bus|api-destination)\/)/;

/** One moto per configuration: a fresh account each time, since the stack's names are fixed by the stage. */
let moto: Moto;
/** The resource types moto's CloudFormation models (asked of moto itself). */
let modelled: Set<string>;
/** Per resource moto skips: its type and the configurations that deploy it. */
const skipped = new Map<string, { type: string; configurations: string[] }>();
/** What the check changes for moto, by kind, then by what (`Id.Attribute`, a bus, a rule's target): the configurations. */
const STAND_IN_KINDS = {
  getAtt: 'a `Fn::GetAtt` (or a `${Id.Attribute}` in a `Fn::Sub`) of a resource moto does not model becomes an ARN of its service (moto rejects the stack otherwise)',
  ref: "a `Ref` to the event bus becomes the bus's name, as CloudFormation answers (moto 5.2.1 answers its own object and fails on the rules that use it)",
  target:
    "a rule's target moto's EventBridge cannot deliver to (SNS, or a queue moto hands to a function whose package it cannot run) is removed before the pass (moto fails the whole PutEvents otherwise)",
} as const;
type StandInKind = keyof typeof STAND_IN_KINDS;
const standIns = new Map<StandInKind, Map<string, string[]>>();
function standIn(kind: StandInKind, what: string, configuration: string): void {
  const byWhat = standIns.get(kind) ?? new Map<string, string[]>();
  const configurations = byWhat.get(what) ?? [];
  if (!configurations.includes(configuration)) configurations.push(configuration);
  byWhat.set(what, configurations);
  standIns.set(kind, byWhat);
}

beforeAll(async () => {
  if (!motoAvailable()) throw new Error('moto is not installed (python3 -m pip install "moto[server]"): the deploy check cannot run');
  const types = execFileSync(
    'python3',
    ['-c', 'import json\nfrom moto.cloudformation.parsing import get_model_map, NULL_MODELS\nprint(json.dumps(sorted(set(get_model_map()) - set(NULL_MODELS))))'],
    { encoding: 'utf8' },
  );
  modelled = new Set(JSON.parse(types) as string[]);
}, 60_000);

const clients = () => ({
  // One attempt: a retried CreateStack would hide moto's answer behind AlreadyExists.
  cfn: new CloudFormationClient({ region: REGION, endpoint: moto.url, credentials, maxAttempts: 1 }),
  dynamo: new DynamoDBClient({ region: REGION, endpoint: moto.url, credentials }),
  events: new EventBridgeClient({ region: REGION, endpoint: moto.url, credentials }),
  sqs: new SQSClient({ region: REGION, endpoint: moto.url, credentials }),
  ssm: new SSMClient({ region: REGION, endpoint: moto.url, credentials }),
});

async function createStack(cfn: CloudFormationClient, template: string): Promise<StackResource[]> {
  await cfn.send(new CreateStackCommand({ StackName: STACK, TemplateBody: template, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }));
  for (let i = 0; ; i++) {
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks ?? [];
    if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) {
      expect(stack.StackStatus, stack.StackStatusReason).toBe('CREATE_COMPLETE');
      break;
    }
    if (i > 120) throw new Error(`stack still ${stack?.StackStatus} after a minute`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return (await cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? [];
}

/**
 * The template as moto can take it, with the stand-ins listed in the README
 * beside the skipped resources; nothing else changes:
 * - moto rejects the whole stack when a `Fn::GetAtt` names a resource of a
 *   type it does not model (real CloudFormation creates that resource): each
 *   such GetAtt becomes a stand-in ARN of the same service;
 * - moto 5.2.1 answers a `Ref` to an `AWS::Events::EventBus` with its own
 *   object, not the bus's name, and fails on the rules that use it: the Ref
 *   becomes the bus's `Name`, which is what CloudFormation's Ref returns.
 */
function forMoto(template: Template): { body: string; standIns: [StandInKind, string][] } {
  // Only what a deployed resource (its Condition holding) or an output uses is reported.
  const deployed = new Set(Object.keys(evaluator(template).deployed()));
  const found = new Map<string, [StandInKind, string]>();
  let reported = true;
  const note = (kind: StandInKind, what: string) => {
    if (reported) found.set(`${kind} ${what}`, [kind, what]);
  };
  /** The stand-in for `Id.Attribute` when moto does not model Id's type. */
  const standInOf = (id: string, attribute: string): string | undefined => {
    const type = template.Resources[id]?.Type;
    if (!type || modelled.has(type)) return undefined;
    // AWS::Events::ApiDestination → arn:aws:events:…:api-destination/<id>, the shape moto's EventBridge routes (to nowhere).
    const [, service = 'unknown', kind = 'resource'] = type.split('::');
    note('getAtt', `${id}.${attribute}`);
    return `arn:aws:${service.toLowerCase()}:${REGION}:123456789012:${kind.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase()}/${id}`;
  };
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const ref = node.Ref;
    if (typeof ref === 'string' && template.Resources[ref]?.Type === 'AWS::Events::EventBus') {
      const busName = template.Resources[ref]?.Properties?.Name;
      if (typeof busName !== 'string') throw new Error(`${ref}: an EventBus without a literal Name`);
      note('ref', ref);
      return busName;
    }
    // `${Id.Attribute}` inside a Fn::Sub is a GetAtt too (moto evaluates the outputs on every DescribeStacks,
    // and a CatalogDistribution.DomainName there answered an HTML 500): the same stand-in, written in.
    const sub = node['Fn::Sub'];
    if (typeof sub === 'string' || (Array.isArray(sub) && typeof sub[0] === 'string')) {
      const text = (typeof sub === 'string' ? sub : sub[0]) as string;
      const replaced = text.replace(/\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}/g, (whole, id: string, attribute: string) => {
        const stand = standInOf(id, attribute);
        return stand ?? whole;
      });
      const rest = Array.isArray(sub) ? sub.slice(1).map(walk) : [];
      return { 'Fn::Sub': Array.isArray(sub) ? [replaced, ...rest] : replaced };
    }
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
      const stand = standInOf(getAtt[0], String(getAtt[1]));
      if (stand !== undefined) return stand;
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  const out: Record<string, Json> = { ...(template as unknown as Record<string, Json>) };
  const resources: Record<string, Json> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    reported = deployed.has(id);
    resources[id] = walk(resource as unknown as Json);
  }
  out.Resources = resources;
  // An output is reported when it is deployed: no Condition, or one that holds.
  const holds = evaluator(template).condition;
  const outputs = (template as unknown as { Outputs?: Record<string, { Condition?: string } & Record<string, Json>> }).Outputs;
  if (outputs) {
    out.Outputs = Object.fromEntries(
      Object.entries(outputs).map(([id, output]) => {
        reported = output.Condition === undefined || holds(output.Condition);
        return [id, walk(output as Json)];
      }),
    );
  }
  reported = true;
  return { body: JSON.stringify(out), standIns: [...found.values()] };
}

/**
 * What moto holds of the policies and the bucket's settings, read with boto3
 * (the official Python SDK, beside moto), and moto's own IAM policy engine
 * (moto.iam.access_control) deciding each `[role, action, resource, context]`
 * query against the role's inline policies as moto stores them. A value moto
 * does not answer is null (it does not model the resource that sets it).
 */
const MOTO_READ = `
import ast, json, sys, urllib.parse, boto3
from moto.iam.access_control import IAMPolicy, PermissionResult
a = json.load(sys.stdin)
kw = dict(region_name='${REGION}', endpoint_url=a['url'], aws_access_key_id='moto', aws_secret_access_key='moto')
s3, iam, events, sns = (boto3.client(n, **kw) for n in ('s3', 'iam', 'events', 'sns'))
def read(f):
    try:
        return f()
    except Exception:
        return None
b = a['bucket']
out = {
  'encryption': read(lambda: s3.get_bucket_encryption(Bucket=b)['ServerSideEncryptionConfiguration']),
  'versioning': read(lambda: s3.get_bucket_versioning(Bucket=b).get('Status')),
  'publicAccessBlock': read(lambda: s3.get_public_access_block(Bucket=b)['PublicAccessBlockConfiguration']),
  'lifecycle': read(lambda: s3.get_bucket_lifecycle_configuration(Bucket=b)['Rules']),
  'bucketPolicy': read(lambda: json.loads(s3.get_bucket_policy(Bucket=b)['Policy'])),
  'busPolicy': read(lambda: json.loads(events.describe_event_bus(Name=a['bus'])['Policy'])),
  'topicPolicy': read(lambda: json.loads(sns.get_topic_attributes(TopicArn=a['topic'])['Attributes']['Policy'])),
  'roles': {},
}
for role in a['roles']:
    names = iam.list_role_policies(RoleName=role)['PolicyNames']
    docs = [iam.get_role_policy(RoleName=role, PolicyName=n)['PolicyDocument'] for n in names]
    # moto 5.2.1 keeps a policy its CloudFormation created as the Python text of the dict (str(dict)), not JSON.
    def parse(d):
        if isinstance(d, dict):
            return d
        text = urllib.parse.unquote(d)
        try:
            return json.loads(text)
        except ValueError:
            return ast.literal_eval(text)
    docs = [parse(d) for d in docs]
    # moto leaves an \`Fn::If\` whose branch is AWS::NoValue as null in the Statement list; CloudFormation drops it.
    for d in docs:
        d['Statement'] = [st for st in d['Statement'] if st is not None]
    out['roles'][role] = docs
def allowed(role, action, resource, context):
    results = [IAMPolicy(json.dumps(d)).is_action_permitted(action, resource, None, context) for d in out['roles'][role]]
    return PermissionResult.DENIED not in results and PermissionResult.PERMITTED in results
out['decisions'] = [allowed(*q) for q in a['queries']]
print(json.dumps(out))
`;

interface MotoRead {
  encryption: Json;
  versioning: string | null;
  publicAccessBlock: Json;
  lifecycle: Json;
  bucketPolicy: Json;
  busPolicy: Json;
  topicPolicy: Json;
  roles: Record<string, Json[]>;
  decisions: boolean[];
}

/** Per setting checked after the `everything` deploy: where it was read (moto, or the packaged template where moto answered nothing). */
const policySources = new Map<string, 'moto' | 'the packaged template'>();

/** A Fn::Sub text with the pseudo parameters of the stack in moto. */
const withPseudo = (text: string) =>
  text.replace(/\$\{AWS::(StackName|AccountId|Region|Partition)\}/g, (_, name: string) => ({ StackName: STACK, AccountId: '123456789012', Region: REGION, Partition: 'aws' })[name] ?? '');

/** Every REGION item of the deployed table, as `<source>:<regionId>`, read with the plain SDK. */
async function tableRegions(dynamo: DynamoDBClient, table: string): Promise<string[]> {
  const keys: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'REGION' } }, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      // sk = `<source>/<scope id>#<regionId>`
      const [scope = '', regionId = ''] = (item.sk?.S ?? '').split('#');
      keys.push(`${scope.split('/')[0]}:${regionId}`);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return keys.sort();
}

/** The simulators' regions, from their own data: the independent model of what the table must hold. */
function simulatedRegions(zilliz: ZillizSimulator, modelarts: ModelartsSimulator): string[] {
  return [
    ...Object.values(zilliz.data.regions).flatMap((list) => list.map((r) => `zilliz:${r.regionId}`)),
    ...modelarts.data.region_items.map((r) => `modelarts:${r.region_id}`),
  ].sort();
}

/**
 * A region of one Zilliz cloud and one of ModelArts: moto's EventBridge spends
 * seconds of CPU on each event it routes (it builds a JSONPath parser per
 * field), so the pass publishes two events, not the sample's 25.
 */
const SMALL = (() => {
  const [cloud] = zillizSampleData.clouds;
  const region = cloud && zillizSampleData.regions[cloud.cloudId]?.[0];
  const [item] = modelartsSampleData.region_items;
  if (!cloud || !region || !item) throw new Error('the sample data has no region to deploy with');
  return {
    zilliz: { clouds: [cloud], regions: { [cloud.cloudId]: [region] } } satisfies ZillizData,
    modelarts: { region_items: [item] } satisfies ModelartsData,
  };
})();

/** Drains the queue until `enough` says so or nothing more arrives for a few seconds. */
async function receiveAll(sqs: SQSClient, queueUrl: string, enough: (bodies: unknown[]) => boolean): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (let empty = 0; empty < 3 && !enough(bodies); ) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const messages = out.Messages ?? [];
    empty = messages.length === 0 ? empty + 1 : 0;
    for (const m of messages) bodies.push(JSON.parse(m.Body ?? 'null'));
  }
  return bodies;
}

describe.each(CONFIGURATIONS)('the packaged template, configuration $name', ({ name, params }) => {
  let template: Template;
  let resources: StackResource[];

  beforeAll(async () => {
    template = await packagedWith(params);
    moto = await startMoto();
  }, 180_000);

  afterAll(() => moto?.stop());

  it('creates every resource moto models (CREATE_COMPLETE) and lists those it skips', async () => {
    const { cfn } = clients();
    const prepared = forMoto(template);
    for (const [kind, what] of prepared.standIns) standIn(kind, what, name);
    resources = await createStack(cfn, prepared.body).finally(() => cfn.destroy());
    const created = new Map(resources.filter((r) => r.LogicalResourceId).map((r) => [r.LogicalResourceId!, r]));
    // What this configuration deploys: the resources whose Condition holds for the packaged parameter values.
    const deployed = evaluator(template).deployed();
    const missing: string[] = [];
    let skippedHere = 0;
    for (const [id, { Type: type }] of Object.entries(deployed)) {
      const resource = created.get(id);
      if (modelled.has(type)) {
        if (resource?.ResourceStatus !== 'CREATE_COMPLETE' || resource.ResourceType !== type) missing.push(`${id} (${type}): ${resource?.ResourceStatus ?? 'not created'}`);
      } else {
        expect(resource, `${id} (${type}) is not modelled by moto, yet listed`).toBeUndefined();
        skippedHere++;
        const entry = skipped.get(id) ?? { type, configurations: [] };
        entry.configurations.push(name);
        skipped.set(id, entry);
      }
    }
    expect(missing, 'resources of a type moto models that were not created').toEqual([]);
    // Exactly what this configuration deploys, less what moto skips: nothing conditioned out was created.
    expect(created.size).toBe(Object.keys(deployed).length - skippedHere);
    expect([...created.keys()].filter((id) => !(id in deployed))).toEqual([]);
  }, 60_000);

  it('runs one sync pass against the deployed table and bus: moto holds the regions, and a subscriber got the events', async () => {
    expect(resources, 'the stack was created').toBeDefined();
    const { dynamo, events, sqs, ssm } = clients();
    const physical = new Map(resources.filter((r) => r.LogicalResourceId).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId ?? '']));

    // The sync function's environment as deployed; references to the stack's resources resolved to what moto created.
    const fn = evaluator(template).deployed().SyncLambdaFunction?.Properties as { Environment: { Variables: Record<string, Json> } };
    const deployedEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(fn.Environment.Variables)) {
      const ref = typeof value === 'object' && value !== null && !Array.isArray(value) ? value.Ref : undefined;
      const sub = typeof value === 'object' && value !== null && !Array.isArray(value) ? value['Fn::Sub'] : undefined;
      if (typeof value === 'string') deployedEnv[key] = value;
      else if (typeof ref === 'string' && physical.get(ref)) deployedEnv[key] = physical.get(ref)!;
      else if (typeof sub === 'string' && /^(\$\{AWS::(StackName|AccountId|Region)\}|[^$])*$/.test(sub)) deployedEnv[key] = withPseudo(sub);
      else throw new Error(`the sync function's ${key} is ${JSON.stringify(value)}: resolve it here to what the stack created`);
    }

    // The table and the bus the stack created, and the function's variables point at them.
    const table = physical.get('RegionTable') ?? '';
    expect(deployedEnv.TABLE_NAME).toBe(table);
    const buses = ((await events.send(new ListEventBusesCommand({}))).EventBuses ?? []).map((b) => b.Name).filter((b) => b !== 'default');
    expect(buses).toEqual([deployedEnv.EVENT_BUS_NAME]);
    const bus = deployedEnv.EVENT_BUS_NAME!;

    // The independent witness of the events: moto's SQS, subscribed to everything the function publishes.
    const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `witness-${name}` }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    await events.send(new PutRuleCommand({ Name: 'witness', EventBusName: bus, EventPattern: JSON.stringify({ source: [deployedEnv.EVENT_SOURCE] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'witness', EventBusName: bus, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }));

    // moto 5.2.1's PutEvents fails as a whole (NotImplementedError, HTTP 500) when a matching rule has a target
    // it cannot deliver to, such as the email channel's SNS topic: those targets are removed before the pass.
    const logicalOf = new Map([...physical].map(([id, name]) => [name, id]));
    // A queue a deployed function consumes (AWS::Lambda::EventSourceMapping): moto hands each message to the function
    // at once, fails on a package it cannot run, and answers PutEvents with an HTML 500.
    const consumedQueues = new Set(
      Object.values(evaluator(template).deployed())
        .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
        .map((r) => (r.Properties.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0] ?? '')
        .map((id) => String(template.Resources[id]?.Properties?.QueueName ?? physical.get(id) ?? '').split('/').at(-1) ?? ''),
    );
    for (const rule of (await events.send(new ListRulesCommand({ EventBusName: bus }))).Rules ?? []) {
      const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: bus }))).Targets ?? [];
      const undeliverable = targets.filter((t) => !MOTO_DELIVERS.test(t.Arn ?? '') || consumedQueues.has(t.Arn?.split(':').at(-1) ?? ''));
      if (undeliverable.length === 0) continue;
      await events.send(new RemoveTargetsCommand({ Rule: rule.Name, EventBusName: bus, Ids: undeliverable.map((t) => t.Id!) }));
      for (const t of undeliverable) {
        standIn('target', `${logicalOf.get(rule.Name ?? '') ?? rule.Name} → ${t.Id}`, name);
      }
    }

    const zilliz = await startZillizSimulator({ port: 0, data: SMALL.zilliz });
    const modelarts = await startModelartsSimulator({ port: 0, data: SMALL.modelarts });
    const logLines: string[] = [];
    try {
      // The secrets in moto's SSM under the names the template gives (the Huawei key as `--param huaweiSecretKeyParam` would).
      const secretKeyParam = '/region-sync/prod/huawei-secret-key';
      for (const [Name, Value] of [
        [deployedEnv.ZILLIZ_API_KEY_PARAM!, zilliz.apiKey],
        [secretKeyParam, modelarts.secretKey],
      ] as const) {
        await ssm.send(new PutParameterCommand({ Name, Value, Type: 'SecureString' }));
      }
      const env: Record<string, string> = {
        ...deployedEnv,
        AWS_REGION: REGION,
        DYNAMODB_ENDPOINT: moto.url,
        EVENTBRIDGE_ENDPOINT: moto.url,
        SSM_ENDPOINT: moto.url,
        S3_ENDPOINT: moto.url,
        // The upstreams are our simulators; Huawei by AK/SK (the password login needs a user the default does not name).
        ZILLIZ_BASE_URL: zilliz.url,
        MODELARTS_ENDPOINT: modelarts.url,
        HUAWEI_PROJECT_ID: modelarts.projectId,
        HUAWEI_ACCESS_KEY: modelarts.accessKey,
        HUAWEI_SECRET_KEY_PARAM: secretKeyParam,
        HUAWEI_PASSWORD_PARAM: '',
      };
      const handler = await loadSyncHandler({ env, log: createLogger({ test: 'deploy' }, (line) => logLines.push(line), 'warn') });
      const summary = (await handler({}, { functionName: 'sync', awsRequestId: `deploy-${name}` } as Context)) as PassSummary;
      expect(summary.ok, logLines.join('\n')).toBe(true);
      expect(summary.published, logLines.join('\n')).toMatchObject({ failed: 0, pending: 0 });

      const expected = simulatedRegions(zilliz, modelarts);
      expect(expected.length).toBeGreaterThan(0);
      expect(await tableRegions(dynamo, table)).toEqual(expected);

      const added = (bodies: unknown[]) =>
        (bodies as { 'detail-type'?: string; detail?: { regionKey?: string } }[])
          .filter((b) => b['detail-type'] === 'Region Added')
          .map((b) => b.detail?.regionKey ?? '')
          .sort();
      const bodies = await receiveAll(sqs, queueUrl!, (b) => added(b).length >= expected.length);
      expect(added(bodies)).toEqual(expected);
    } finally {
      for (const client of [dynamo, events, sqs, ssm]) client.destroy();
      await Promise.all([zilliz.close(), modelarts.close()]);
    }
  }, 120_000);

  // Issue 20's permissions, as the stack deployed them: read from moto, and where moto answers nothing (it does not
  // model AWS::S3::BucketPolicy, AWS::Events::EventBusPolicy, AWS::SNS::TopicPolicy, nor apply a bucket's
  // versioning, public access block or lifecycle), from the packaged template with this configuration's values.
  it.runIf(params.catalogBucket === 'create' && params.subscriberAccounts)('grants what CONTRACT.md says: the bucket, its policy, the bus, the changes topic, the roles', () => {
    expect(resources, 'the stack was created').toBeDefined();
    const physical = new Map(resources.filter((r) => r.LogicalResourceId).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId ?? '']));
    const bucket = physical.get('CatalogBucket') ?? '';
    const topic = physical.get('ChangesTopic') ?? '';
    // moto gives the bus no physical id: its name is the template's.
    const bus = String(template.Resources.EventBus?.Properties?.Name ?? '');
    const [syncRole, catalogRole] = [physical.get('SyncRole') ?? '', physical.get('CatalogRole') ?? ''];
    expect([bucket, topic, bus, syncRole, catalogRole].every(Boolean), 'the bucket, the topic, the bus and both roles were created').toBe(true);
    const arn = `arn:aws:s3:::${bucket}`;
    const OTHER = 'arn:aws:s3:::someone-elses-bucket';
    // [role, action, resource, request context, allowed?]: the prefixes CONTRACT.md gives each role, and their neighbours.
    const expectations: [string, string, string, Record<string, string>, boolean][] = [
      [syncRole, 's3:PutObject', `${arn}/catalog/latest.json`, {}, true],
      [syncRole, 's3:PutObject', `${arn}/catalog/v/12.json`, {}, true],
      [syncRole, 's3:PutObject', `${arn}/changes/12.json`, {}, true],
      [syncRole, 's3:PutObject', `${arn}/index.html`, {}, false],
      [syncRole, 's3:PutObject', `${arn}/catalogue/latest.json`, {}, false],
      [syncRole, 's3:PutObject', `${OTHER}/catalog/latest.json`, {}, false],
      [syncRole, 's3:DeleteObject', `${arn}/catalog/latest.json`, {}, false],
      [syncRole, 's3:PutBucketPolicy', arn, {}, false],
      [syncRole, 's3:GetObject', `${arn}/catalog/latest.json`, {}, true],
      [syncRole, 's3:GetObject', `${arn}/changes/12.json`, {}, false],
      [catalogRole, 's3:GetObject', `${arn}/catalog/latest.json`, {}, true],
      [catalogRole, 's3:GetObject', `${arn}/catalog/v/12.json`, {}, true],
      [catalogRole, 's3:GetObject', `${arn}/changes/12.json`, {}, true],
      [catalogRole, 's3:ListBucket', arn, { 's3:prefix': 'catalog/v/' }, true],
      [catalogRole, 's3:ListBucket', arn, { 's3:prefix': '' }, false],
      [catalogRole, 's3:PutObject', `${arn}/catalog/latest.json`, {}, false],
      [catalogRole, 's3:PutObject', `${arn}/changes/12.json`, {}, false],
      [catalogRole, 's3:DeleteObject', `${arn}/catalog/v/12.json`, {}, false],
      [catalogRole, 's3:GetObject', `${OTHER}/catalog/latest.json`, {}, false],
    ];
    const read = JSON.parse(
      execFileSync('python3', ['-c', MOTO_READ], {
        encoding: 'utf8',
        input: JSON.stringify({ url: moto.url, bucket, bus, topic, roles: [syncRole, catalogRole], queries: expectations.map(([r, a, res, c]) => [r, a, res, c]) }),
      }),
    ) as MotoRead;
    const deployed = evaluator(template).deployed();
    const fromTemplate = (id: string) => {
      const resource = deployed[id];
      if (!resource) throw new Error(`${id} is not deployed by this configuration`);
      // The evaluator leaves a Ref / GetAtt of a resource as it is: put in what moto created.
      const resolve = (node: Json): Json => {
        if (Array.isArray(node)) return node.map(resolve);
        if (typeof node !== 'object' || node === null) return node;
        if (typeof node.Ref === 'string' && physical.has(node.Ref)) return physical.get(node.Ref)!;
        const sub = node['Fn::Sub'];
        if (typeof sub === 'string') {
          return withPseudo(sub).replace(/\$\{([^}]+)\}/g, (whole, name: string) => (name === 'CatalogBucket.Arn' ? arn : (physical.get(name) ?? whole)));
        }
        const getAtt = node['Fn::GetAtt'];
        if (Array.isArray(getAtt) && getAtt[0] === 'CatalogBucket' && getAtt[1] === 'Arn') return arn;
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
      };
      return resolve(resource.Properties as Json) as Record<string, Json>;
    };
    const pick = <T,>(what: string, fromMoto: T | null, template: () => T): T => {
      policySources.set(what, fromMoto === null ? 'the packaged template' : 'moto');
      return fromMoto ?? template();
    };
    type Statement = { Sid?: string; Effect: string; Principal: Json; Action: Json; Resource: Json; Condition?: Record<string, Record<string, Json>> };
    const statements = (policy: Json) => {
      const s = (policy as { Statement: Statement | Statement[] }).Statement;
      return Array.isArray(s) ? s : [s];
    };
    const list = (v: Json) => (Array.isArray(v) ? v : [v]).map(String);
    const bucketProps = fromTemplate('CatalogBucket');

    // The bucket: SSE, versioning, public access blocked but for the policy's public read, the archive's lifecycle.
    const sse = pick('bucket encryption', read.encryption, () => bucketProps.BucketEncryption) as { Rules?: Json[]; ServerSideEncryptionConfiguration?: Json[] };
    expect(JSON.stringify(sse)).toContain('"SSEAlgorithm":"AES256"');
    expect(pick('bucket versioning', read.versioning, () => (bucketProps.VersioningConfiguration as { Status: string }).Status)).toBe('Enabled');
    expect(pick('public access block', read.publicAccessBlock, () => bucketProps.PublicAccessBlockConfiguration)).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      // catalogPublicRead: a public policy must be allowed, or S3 refuses the bucket policy's public statement.
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    const rules = pick('lifecycle', read.lifecycle, () => (bucketProps.LifecycleConfiguration as { Rules: Json[] }).Rules) as Record<string, Json>[];
    const days = Number(params.catalogArchiveDays);
    for (const prefix of ['changes/', 'catalog/v/', 'catalog/latest.json']) {
      const rule = rules.find((r) => r.Prefix === prefix || (r.Filter as { Prefix?: string } | undefined)?.Prefix === prefix);
      expect(rule, `a lifecycle rule for ${prefix}`).toBeDefined();
      expect(Number((rule!.NoncurrentVersionExpiration as { NoncurrentDays: Json }).NoncurrentDays)).toBe(days);
    }

    // The bucket policy: anyone may s3:GetObject catalog/* and nothing else; the CDN reads the same through its distribution.
    const bucketPolicy = statements(pick('bucket policy', read.bucketPolicy, () => fromTemplate('CatalogBucketPolicy').PolicyDocument!));
    const allows = bucketPolicy.filter((st) => st.Effect === 'Allow');
    const publicRead = allows.filter((st) => st.Principal === '*' || JSON.stringify(st.Principal) === '{"AWS":"*"}');
    expect(publicRead.map((st) => [list(st.Action), list(st.Resource), st.Condition ?? null])).toEqual([[['s3:GetObject'], [`${arn}/catalog/*`], null]]);
    const cdn = allows.filter((st) => !publicRead.includes(st));
    expect(cdn.map((st) => [st.Principal, list(st.Action), list(st.Resource)])).toEqual([[{ Service: 'cloudfront.amazonaws.com' }, ['s3:GetObject'], [`${arn}/catalog/*`]]]);
    expect(Object.keys(cdn[0]!.Condition?.StringEquals ?? {})).toEqual(['AWS:SourceArn']);
    expect(bucketPolicy.filter((st) => st.Effect === 'Deny').map((st) => st.Condition)).toEqual([{ Bool: { 'aws:SecureTransport': 'false' } }]);

    // The bus: the subscriber principals manage only the rules they create on it.
    const busPolicy =
      read.busPolicy === null
        ? (policySources.set('bus policy', 'the packaged template'),
          ['SubscriberAccountsBusPolicy', 'SubscriberOrgBusPolicy'].map((id) => fromTemplate(id).Statement as unknown as Statement))
        : (policySources.set('bus policy', 'moto'), statements(read.busPolicy));
    const ruleArn = `arn:aws:events:${REGION}:123456789012:rule/${bus}/*`;
    const creator = { 'events:creatorAccount': '${aws:PrincipalAccount}' };
    const busByPrincipal = busPolicy.map((st) => ({ principal: st.Principal, condition: st.Condition, resource: list(st.Resource).map((r) => r.replace(/arn:aws:events:[^:]*:[^:]*:/, `arn:aws:events:${REGION}:123456789012:`)) }));
    expect(busByPrincipal).toEqual([
      { principal: { AWS: SUBSCRIBER_ACCOUNTS.join(',') }, condition: { StringEqualsIfExists: creator }, resource: [ruleArn] },
      { principal: '*', condition: { StringEquals: { 'aws:PrincipalOrgID': SUBSCRIBER_ORG }, StringEqualsIfExists: creator }, resource: [ruleArn] },
    ]);
    for (const st of busPolicy) {
      expect(st.Effect).toBe('Allow');
      expect(list(st.Action).every((a) => /^events:(Put|Delete|Describe|Enable|Disable)Rule$|^events:(Put|Remove)Targets$|^events:ListTargetsByRule$/.test(a)), list(st.Action).join()).toBe(true);
    }

    // The changes topic: events.amazonaws.com publishes; exactly the subscribers may sns:Subscribe, the organization by aws:PrincipalOrgID.
    const fromMotoTopic = read.topicPolicy && statements(read.topicPolicy).some((st) => list(st.Action).includes('sns:Subscribe')) ? read.topicPolicy : null;
    const topicPolicy = statements(pick('topic policy', fromMotoTopic, () => fromTemplate('ChangesTopicPolicy').PolicyDocument!));
    const subscribe = topicPolicy.filter((st) => list(st.Action).includes('sns:Subscribe'));
    expect(subscribe.map((st) => [st.Effect, st.Principal, list(st.Action), list(st.Resource), st.Condition ?? null])).toEqual([
      ['Allow', { AWS: SUBSCRIBER_ACCOUNTS.join(',') }, ['sns:Subscribe'], [topic], null],
      ['Allow', '*', ['sns:Subscribe'], [topic], { StringEquals: { 'aws:PrincipalOrgID': SUBSCRIBER_ORG } }],
    ]);
    expect(topicPolicy.filter((st) => !subscribe.includes(st)).map((st) => [st.Principal, list(st.Action)])).toEqual([[{ Service: 'events.amazonaws.com' }, ['sns:Publish']]]);

    // The roles' inline policies as moto stores them (intrinsic functions resolved by its CloudFormation), decided by moto's IAM engine.
    policySources.set('role policies', 'moto');
    expect(read.roles[syncRole]?.length, 'the sync role has its inline policies in moto').toBeGreaterThan(0);
    const wrong = expectations.filter((e, i) => read.decisions[i] !== e[4]).map(([r, a, res, c, ok]) => `${r === syncRole ? 'sync' : 'catalog'} ${ok ? 'cannot' : 'can'} ${a} ${res} ${JSON.stringify(c)}`);
    expect(wrong).toEqual([]);
  }, 60_000);
});

describe('the README', () => {
  it("lists the resources moto skips (Deploying), as this run found them", () => {
    const all = CONFIGURATIONS.length;
    const where = (configurations: string[]) => (configurations.length === all ? 'all' : configurations.join(', '));
    const byType = new Map<string, { ids: string[]; configurations: Set<string> }>();
    for (const [id, { type, configurations }] of skipped) {
      const row = byType.get(type) ?? { ids: [], configurations: new Set() };
      row.ids.push(id);
      for (const c of configurations) row.configurations.add(c);
      byType.set(type, row);
    }
    const rows = [...byType]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, { ids, configurations }]) => {
        return `| \`${type}\` | ${ids.sort().join(', ')} | ${where([...configurations])} |`;
      });
    const changes = (Object.keys(STAND_IN_KINDS) as StandInKind[]).flatMap((kind) => {
      const byWhat = [...(standIns.get(kind) ?? [])].sort(([a], [b]) => a.localeCompare(b));
      return byWhat.length === 0 ? [] : [`- ${STAND_IN_KINDS[kind]}: ${byWhat.map(([what, configurations]) => `${what} (${where(configurations)})`).join(', ')}`];
    });
    const table = [
      '| Type moto does not model | Resources | Configurations |',
      '|---|---|---|',
      ...rows,
      '',
      'What the check changes for moto, and only for it:',
      '',
      ...(changes.length ? changes : ['- nothing']),
      ...(policySources.size
        ? [
            '',
            ...(['moto', 'the packaged template'] as const).flatMap((source) => {
              const what = [...policySources].filter(([, s]) => s === source).map(([w]) => w);
              return what.length === 0
                ? []
                : [`The permissions check (configuration everything) read ${what.join(', ')} from ${source}${source === 'moto' ? '' : ' (moto does not model or apply them)'}.`];
            }),
          ]
        : []),
    ].join('\n');
    const [start, end] = ['<!-- moto-skipped:start -->', '<!-- moto-skipped:end -->'];
    const readme = readFileSync(README, 'utf8');
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    expect(from >= 0 && to > from, `README.md has no ${start} … ${end} block`).toBe(true);
    const updated = `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`;
    if (process.env.UPDATE_README === '1') writeFileSync(README, updated);
    else expect(readme, 'the README\'s list of resources moto skips is stale: run the deploy check with UPDATE_README=1').toBe(updated);
  });
});
