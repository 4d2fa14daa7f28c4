/**
 * The notification resources on the packaged template: nothing with neither
 * parameter; with them, a connection, an API destination whose endpoint is
 * only the secretsmanager reference, an email topic and subscription, and one
 * rule per family of detail types; a literal webhook URL stops the package
 * without echoing it; notifyDetailTypes selects the rules. Then the rules'
 * patterns and transformers, and the subscription patterns the docs show,
 * in moto's real engine against the events real passes emitted.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../lib/core/region';
import { loadNotificationFamilies, previewNotification, renderTransformer, type BusEvent } from '../../local/notifications';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lib/store/s3';
import { startLocalS3, type LocalS3 } from '../../local/s3';
import { createHarness, type Harness } from '../support/harness';
import { motoAvailable, startMoto, type Moto } from './notifications-moto';
import { DEPLOYED_PAGE_URL, evaluator, notificationRules, packageWith, type Packaged } from './notifications-template';

const require = createRequire(import.meta.url);
const notify = require('../../deploy/notify.cjs') as {
  ALL: string[];
  regionTypes(o: object): Promise<string>;
  scopeTypes(o: object): Promise<string>;
  changedTypes(o: object): Promise<string>;
  webhook(o: object): Promise<string>;
};

const REFERENCE = '{{resolve:secretsmanager:region-sync/slack:SecretString:url}}';
const LITERAL = 'https://hooks.slack.com/services/T0000/B0000/abcdefghijklmnop';

// One packaging (CPU-heavy) for the whole file; "neither parameter" is the same template with both
// parameters empty, as `serverless package` without them writes it (the conditions read only those).
let full: Packaged;
beforeAll(async () => {
  full = await packageWith({ notifyWebhookUrl: REFERENCE, notifyEmail: 'ops@example.com' });
}, 400_000);
afterAll(() => {
  full?.close();
});

const notifyResources = (p: Packaged, overrides: Record<string, string> = {}) =>
  Object.entries(evaluator(p.template, overrides).deployed()).filter(([id]) => id.startsWith('Notify'));

describe('notifications in the packaged template', () => {
  it('deploys nothing extra with neither parameter', () => {
    expect(notifyResources(full, { NotifyWebhook: '', NotifyEmail: '' })).toEqual([]);
    expect(full.template.Parameters.NotifyWebhook?.Default).toBe('yes');
    expect(full.template.Parameters.NotifyEmail?.Default).toBe('ops@example.com');
  });

  it('with both, posts through an API destination whose endpoint is only the secret reference', () => {
    const deployed = Object.fromEntries(notifyResources(full));
    expect(Object.keys(deployed).sort()).toEqual(
      ['NotifyApiDestination', 'NotifyChangedRule', 'NotifyConnection', 'NotifyDeadLetterAlarm', 'NotifyDeadLetterQueue', 'NotifyDeadLetterQueuePolicy', 'NotifyEmailSubscription', 'NotifyInitialRule', 'NotifyRegionRule', 'NotifySchemaRule', 'NotifyScopeRule', 'NotifyTopic', 'NotifyTopicPolicy', 'NotifyWebhookRole'].sort(),
    );
    expect(deployed.NotifyApiDestination?.Properties).toMatchObject({ InvocationEndpoint: REFERENCE, HttpMethod: 'POST' });
    expect(deployed.NotifyEmailSubscription?.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'ops@example.com' });
    // The role EventBridge takes may only invoke that destination.
    expect(deployed.NotifyWebhookRole?.Properties.Policies).toEqual([
      { PolicyName: 'invoke-webhook', PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'InvokeWebhook', Effect: 'Allow', Action: 'events:InvokeApiDestination', Resource: { 'Fn::GetAtt': ['NotifyApiDestination', 'Arn'] } }] } },
    ]);
    // No webhook URL anywhere in the template: the only URLs are the upstream endpoints' defaults and the
    // JSON Schema dialect of the registered event schemas, and the reference appears once, in the API
    // destination (not in a parameter, an output or an environment).
    const urls = new Set(full.text.match(/https?:\/\/[a-z0-9.-]+\.[a-z]{2,}/g));
    expect([...urls].sort()).toEqual(['http://json-schema.org', 'https://api.cloud.zilliz.com', 'https://iam.myhuaweicloud.com', 'https://modelarts.ap-southeast-1.myhuaweicloud.com']);
    expect(full.text.split(REFERENCE).length - 1).toBe(1);
  });

  it('routes every detail type through exactly one rule (a first sync through its own), each with a webhook and an email target', () => {
    const rules = notificationRules(full.template);
    expect(rules.filter((r) => r.id !== 'NotifyInitialRule').flatMap((r) => r.pattern['detail-type']).sort()).toEqual([...notify.ALL].sort());
    // The changes of a first sync leave the per-region rule; the one carrying initialSummary has its own.
    expect(rules.find((r) => r.id === 'NotifyRegionRule')?.pattern.detail).toEqual({ initial: [{ exists: false }] });
    expect(rules.find((r) => r.id === 'NotifyInitialRule')?.pattern).toMatchObject({ 'detail-type': ['Region Added'], detail: { initialSummary: [{ exists: true }] } });
    for (const rule of rules) {
      expect(rule.pattern.source).toEqual(['region-sync']);
      expect(rule.targets.map((t) => t.Id)).toEqual(['webhook', 'email']);
      const webhook = rule.targets[0]!.InputTransformer!;
      // Every placeholder filled with a plain value gives one JSON object {"text": "<one line>"} naming the page.
      let body = webhook.InputTemplate;
      for (const name of Object.keys(webhook.InputPathsMap)) body = body.split(`<${name}>`).join('x');
      expect(Object.keys(JSON.parse(body) as object)).toEqual(['text']);
      // Each line links into the page: a region's story (?region=), the health (#health-h) or the page.
      expect((JSON.parse(body) as { text: string }).text).toMatch(new RegExp(`^[^\\n]+ · ${DEPLOYED_PAGE_URL.replace(/\./g, '\\.').replace(/\?/g, '\\?')}(\\?region=x|#health-h)?$`));
      expect(body).not.toMatch(/<[a-z]+>/);
    }
  });

  it('with only an email, deploys the topic and rules with just the email target', () => {
    const ids = notifyResources(full, { NotifyWebhook: '' }).map(([id]) => id);
    expect(ids).not.toContain('NotifyApiDestination');
    expect(ids).toContain('NotifyTopic');
    for (const rule of notificationRules(full.template, { NotifyWebhook: '' })) expect(rule.targets.map((t) => t.Id)).toEqual(['email']);
  });

  it('refuses a literal webhook URL (serverless package stops on it), without echoing it', async () => {
    const resolver = { resolveVariable: async (v: string) => (v.startsWith('param:notifyWebhookUrl') ? LITERAL : '') };
    const error = await notify.webhook(resolver).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^notifyWebhookUrl: expected a \{\{resolve:secretsmanager:/);
    expect(error?.message).not.toContain('hooks.slack.com');
    expect(await notify.webhook({ resolveVariable: async () => REFERENCE })).toBe('yes');
  });
});

describe('notifyDetailTypes', () => {
  const resolver = (value: string) => ({ resolveVariable: async (v: string) => (v.startsWith('param:notifyDetailTypes') ? value : '') });

  it('selects the detail types of each rule family, all by default', async () => {
    expect(await notify.regionTypes(resolver(''))).toBe('Region Added,Region Removed');
    expect(await notify.regionTypes(resolver('Region Added, Source Degraded'))).toBe('Region Added');
    expect(await notify.scopeTypes(resolver('Region Added, Source Degraded'))).toBe('Source Degraded');
    // A family left empty: its rule is not deployed (condition on the empty parameter).
    expect(await notify.changedTypes(resolver('Region Added'))).toBe('');
    const emptied = evaluator(full.template, { NotifyChangedTypes: '' });
    expect(emptied.condition('HasNotifyChanged')).toBe(false);
    expect(emptied.condition('HasNotifyRegion')).toBe(true);
  });

  it('rejects an unknown detail type, naming the parameter', async () => {
    await expect(notify.regionTypes(resolver('Region Added,Region Renamed'))).rejects.toThrow(/^notifyDetailTypes: unknown detail type 'Region Renamed'/);
  });
});

// ---- In a real pattern engine: moto, against the events a real pass emits.

const HAS_MOTO = motoAvailable();
if (!HAS_MOTO) console.log('moto is not installed here: the notification pattern tests in a real engine are skipped (CI has it)');

/** A small independent matcher for the documented patterns (exact values only), as the model to compare moto with. */
function patternMatches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    if (pattern.some((p) => typeof p === 'object' && p !== null)) throw new Error('only exact-value patterns are modelled');
    return Array.isArray(value) ? value.some((v) => pattern.includes(v)) : pattern.includes(value);
  }
  if (typeof pattern !== 'object' || pattern === null || typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([key, p]) => patternMatches(p, (value as Record<string, unknown>)[key]));
}

/** Every subscription pattern shown in README.md and docs/DEPLOY.md: each JSON object starting with "source", wherever it stands (a json block, a table, a command). */
function documentedPatterns(): { where: string; pattern: Record<string, unknown> }[] {
  return ['README.md', 'docs/DEPLOY.md'].flatMap((file) => {
    const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    const found: { where: string; pattern: Record<string, unknown> }[] = [];
    let parsedTo = 0;
    for (const m of text.matchAll(/\{\s*"source"\s*:/g)) {
      // A "source" inside a pattern already read (a detail filter) is part of it, not a pattern.
      if (m.index < parsedTo) continue;
      let depth = 0;
      let end = m.index;
      for (; end < text.length; end++) {
        if (text[end] === '{') depth++;
        if (text[end] === '}' && --depth === 0) break;
      }
      found.push({ where: file, pattern: JSON.parse(text.slice(m.index, end + 1)) as Record<string, unknown> });
      parsedTo = end + 1;
    }
    return found;
  });
}

describe.skipIf(!HAS_MOTO)('notification rules and documented patterns in moto, against real events', () => {
  let h: Harness;
  let moto: Moto;
  let emitted: { detailType: string; detail: unknown; event: BusEvent }[];
  const bus = 'region-sync-prod';
  const received = new Map<string, string[]>();
  const key = (detailType: string, detail: unknown) => `${detailType}|${canonicalJson(detail)}`;

  let s3: LocalS3 | undefined;
  let s3Client: S3Client | undefined;
  beforeAll(async () => {
    // The catalog files too, so Catalog Published is among the events the documented patterns are held against.
    s3 = await startLocalS3({ bucket: 'region-sync-notify' });
    s3Client = await createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    h = await createHarness({ env: { CATALOG_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint }, s3: s3Client });
    await h.pass();
    h.zilliz.addRegion('aws', { regionId: 'aws-sa-east-1', apiBaseUrl: 'https://api.aws-sa-east-1.zillizcloud.com' } as never);
    h.zilliz.updateRegion('gcp', 'gcp-us-west1', { apiBaseUrl: 'https://api2.gcp-us-west1.zillizcloud.com' });
    h.zilliz.removeRegion('azure', 'az-eastus2');
    h.modelarts.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: /custom-endpoint/ } });
    await h.pass();
    h.modelarts.faults.clear();
    // Every ModelArts region gains a field: a change of shape (Schema Changed) once ModelArts answers again.
    for (const r of h.modelarts.data.region_items) h.modelarts.updateRegion(r.region_id, { endpoint_type: 'public' });
    h.zilliz.faults.push({ kind: 'short-list', keep: 1 }, { times: Infinity, match: { path: /\/v[12]\/regions/ } });
    await h.pass();
    emitted = h.receiver.events.map((e) => ({
      detailType: e.detailType,
      detail: e.detail,
      event: { version: '0', id: e.eventId, 'detail-type': e.detailType, source: e.source, account: '123456789012', time: e.receivedAt, region: 'us-east-1', resources: [], detail: e.detail },
    }));
    // What the project emitted: every kind a person would be told about here.
    expect(new Set(emitted.map((e) => e.detailType))).toEqual(
      new Set(['Region Added', 'Region Changed', 'Region Removed', 'Source Degraded', 'Source Recovered', 'Removals Held', 'Schema Changed', 'Catalog Published']),
    );

    moto = await startMoto();
    await moto.events('CreateEventBus', { Name: bus });
    const route = async (name: string, pattern: object, transformer?: object) => {
      const { QueueUrl } = (await moto.sqs('CreateQueue', { QueueName: name })) as { QueueUrl: string };
      await moto.events('PutRule', { Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) });
      await moto.events('PutTargets', {
        Rule: name,
        EventBusName: bus,
        Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:123456789012:${name}`, ...(transformer ? { InputTransformer: transformer } : {}) }],
      });
      received.set(name, []);
      return QueueUrl;
    };
    const queues = new Map<string, string>();
    for (const rule of notificationRules(full.template)) {
      queues.set(rule.id, await route(rule.id, rule.pattern));
      const webhook = rule.targets.find((t) => t.Id === 'webhook')!.InputTransformer!;
      queues.set(`${rule.id}-webhook`, await route(`${rule.id}-webhook`, rule.pattern, webhook));
    }
    for (const [i, { pattern }] of documentedPatterns().entries()) queues.set(`documented-${i}`, await route(`documented-${i}`, pattern));

    for (let i = 0; i < emitted.length; i += 10) {
      const entries = emitted.slice(i, i + 10).map((e) => ({ Source: 'region-sync', DetailType: e.detailType, Detail: JSON.stringify(e.detail), EventBusName: bus }));
      const answer = await moto.events('PutEvents', { Entries: entries });
      expect(answer.FailedEntryCount).toBe(0);
    }
    for (const [name, url] of queues) {
      for (;;) {
        const { Messages = [] } = (await moto.sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 })) as { Messages?: { Body: string }[] };
        if (Messages.length === 0) break;
        received.get(name)!.push(...Messages.map((m) => m.Body));
      }
    }
  }, 300_000);

  afterAll(async () => {
    moto?.stop();
    await h?.close();
    s3Client?.destroy();
    await s3?.stop();
  });

  const matchedKeys = (name: string) =>
    received.get(name)!.map((body) => {
      const event = JSON.parse(body) as { 'detail-type': string; detail: unknown };
      return key(event['detail-type'], event.detail);
    });

  /** The events people are told of: all but the changes of a first sync, of which one per scope (the one with initialSummary). */
  // What people are told: every event but Catalog Published (for programs: the file's URL and checksum), and a
  // scope's first sync once.
  const told = () => emitted.filter((e) => {
    if (e.detailType === 'Catalog Published') return false;
    const d = e.detail as { initial?: boolean; initialSummary?: string };
    return d.initial === undefined || d.initialSummary !== undefined;
  });

  it('notifies every event the project emitted exactly once, through the rule of its family; a first sync once per scope', () => {
    const rules = notificationRules(full.template);
    const all = rules.flatMap((r) => matchedKeys(r.id));
    expect(all.sort()).toEqual(told().map((e) => key(e.detailType, e.detail)).sort());
    // The first pass of this harness synced every scope for the first time: one line per scope, not per region.
    const initial = emitted.filter((e) => (e.detail as { initial?: boolean }).initial);
    expect(initial.length).toBeGreaterThan(20);
    expect(matchedKeys('NotifyInitialRule').length).toBe(new Set(initial.map((e) => (e.detail as { scope: string }).scope)).size);
    for (const rule of rules) {
      for (const k of matchedKeys(rule.id)) expect(rule.pattern['detail-type']).toContain(k.split('|')[0]);
    }
  });

  it('posts {"text": "<one line>"} as moto renders the deployed transformer, equal to the local preview', () => {
    const { families } = loadNotificationFamilies();
    let checked = 0;
    for (const rule of notificationRules(full.template)) {
      const bodies = received.get(`${rule.id}-webhook`);
      if (!bodies) continue;
      const webhook = rule.targets.find((t) => t.Id === 'webhook')!.InputTransformer!;
      const { when } = families.find((f) => `Notify${f.name[0]!.toUpperCase()}${f.name.slice(1)}Rule` === rule.id)!;
      const expected = emitted
        .filter((e) => rule.pattern['detail-type'].includes(e.detailType) && (when?.(e.detail as Record<string, unknown>) ?? true))
        .map((e) => renderTransformer(webhook, e.event, DEPLOYED_PAGE_URL));
      expect(bodies.map((b) => JSON.stringify(JSON.parse(b))).sort()).toEqual(expected.map((b) => JSON.stringify(JSON.parse(b))).sort());
      for (const body of bodies) {
        const parsed = JSON.parse(body) as { text: string };
        expect(Object.keys(parsed)).toEqual(['text']);
        expect(parsed.text).toMatch(/^(Region (Added|Removed|Changed)|Source (Degraded|Recovered)|Removals Held|Schema Changed|First sync): [^\n<>]+ · https:\/\//);
        checked++;
      }
    }
    expect(checked).toBe(told().length);
    // The preview of npm start renders the same line from serverless.yml as the packaged template deploys.
    for (const e of told()) {
      const preview = previewNotification(families, e.event, DEPLOYED_PAGE_URL, loadNotificationFamilies().pageUrlNode)!;
      const rule = notificationRules(full.template).find((r) => r.id === `Notify${preview.family[0]!.toUpperCase()}${preview.family.slice(1)}Rule`)!;
      const deployed = renderTransformer(rule.targets.find((t) => t.Id === 'webhook')!.InputTransformer!, e.event, DEPLOYED_PAGE_URL);
      expect(preview.webhook).toEqual(JSON.parse(deployed));
    }
    // The lines carry the values and the region's story, checked against the simulators' own data.
    const preview = (detailType: string, pick: (d: Record<string, unknown>) => boolean = () => true) => {
      const e = told().find((x) => x.detailType === detailType && pick(x.detail as Record<string, unknown>))!;
      return previewNotification(families, e.event, DEPLOYED_PAGE_URL, loadNotificationFamilies().pageUrlNode)!;
    };
    const gcp = h.zilliz.data.regions.gcp?.find((r) => r.regionId === 'gcp-us-west1');
    const changedLine = preview('Region Changed').webhook.text;
    expect(changedLine).toMatch(/^Region Changed: zilliz:gcp-us-west1: apiBaseUrl: \S+ → https:\/\/api2\.gcp-us-west1\.zillizcloud\.com · /);
    expect(changedLine).toContain(gcp?.apiBaseUrl);
    expect(changedLine.endsWith(`${DEPLOYED_PAGE_URL}?region=zilliz:gcp-us-west1`)).toBe(true);
    expect(preview('Region Added', (d) => d.regionKey === 'zilliz:aws-sa-east-1').webhook.text).toBe(
      `Region Added: zilliz:aws-sa-east-1: aws-sa-east-1, https://api.aws-sa-east-1.zillizcloud.com · ${DEPLOYED_PAGE_URL}?region=zilliz:aws-sa-east-1`,
    );
    const aws = preview('Region Added', (d) => d.scope === 'zilliz/aws' && d.initialSummary !== undefined);
    expect(aws.family).toBe('initial');
    expect(aws.webhook.text).toBe(`First sync: zilliz/aws: first sync, 12 regions · ${DEPLOYED_PAGE_URL}`);
    expect(preview('Removals Held', (d) => d.scope === 'zilliz/aws').webhook.text).toMatch(/^Removals Held: zilliz\/aws: removal of 12 of 13 regions held; .* 3 consecutive passes, the last at or after \d{4}-\d\d-\d\d \d\d:\d\d UTC · /);
    expect(preview('Source Degraded').webhook.text).toMatch(/^Source Degraded: modelarts\/\w+: http\.503: .+ · https:\/\/\S+#health-h$/);
  });

  it('matches, for each subscription pattern in README.md and docs/DEPLOY.md, exactly the events it describes, and some', () => {
    const documented = documentedPatterns();
    expect(documented.filter((d) => d.where === 'README.md').length).toBeGreaterThanOrEqual(3);
    expect(documented.filter((d) => d.where === 'docs/DEPLOY.md').length).toBeGreaterThanOrEqual(6);
    for (const [i, { where, pattern }] of documented.entries()) {
      const expected = emitted
        .filter((e) => patternMatches(pattern, { source: 'region-sync', 'detail-type': e.detailType, detail: e.detail }))
        .map((e) => key(e.detailType, e.detail));
      expect(expected.length, `${where}: ${JSON.stringify(pattern)} matches nothing the project emits`).toBeGreaterThan(0);
      expect(matchedKeys(`documented-${i}`).sort(), `${where}: ${JSON.stringify(pattern)}`).toEqual(expected.sort());
    }
  });
});
