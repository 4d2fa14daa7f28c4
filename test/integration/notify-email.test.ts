/**
 * What an email notification shows in an inbox (issue 22): SNS gives every
 * email of a topic the same subject ("AWS Notification Message": EventBridge's
 * SNS target cannot set a per-message Subject), so the change must be named
 * by the first line of the body, which mail clients show beside the subject.
 * Rendered from the email targets' input transformers of the packaged
 * template, for an event of every notified detail type: the first line is
 * the change with its values, the same words as the webhook's line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTransformer, type BusEvent } from '../../local/notifications';
import { DEPLOYED_PAGE_URL, evaluator, notificationRules, packageWith, type Packaged } from './notifications-template';

const event = (detailType: string, detail: Record<string, unknown>): BusEvent =>
  ({ version: '0', id: 'e1', 'detail-type': detailType, source: 'region-sync', account: '123456789012', time: '2026-12-02T10:00:00Z', region: 'eu-west-3', resources: [], detail }) as BusEvent;

const change = (type: string, regionKey: string, summary: string, extra: Record<string, unknown> = {}) => ({
  id: '01M8SJJWCYJREA4ZAM3D20AXQG',
  type,
  regionKey,
  source: regionKey.split(':')[0],
  scope: 'zilliz/aws',
  regionId: regionKey.split(':')[1],
  changedFields: [],
  detectedAt: '2026-12-02T10:00:00.000Z',
  summary,
  ...extra,
});

/** One event per notified case, and the first line its email must start with (the change, with its values). */
const CASES: [string, BusEvent, string][] = [
  ['Region Added', event('Region Added', change('region.added', 'zilliz:aws-sa-east-1', 'aws-sa-east-1, https://api.aws-sa-east-1.zillizcloud.com')), 'Region Added: zilliz:aws-sa-east-1: aws-sa-east-1, https://api.aws-sa-east-1.zillizcloud.com'],
  ['Region Removed', event('Region Removed', change('region.removed', 'zilliz:aws-us-west-2', 'aws-us-west-2, https://api.aws-us-west-2.zillizcloud.com')), 'Region Removed: zilliz:aws-us-west-2: aws-us-west-2, https://api.aws-us-west-2.zillizcloud.com'],
  ['Region Changed', event('Region Changed', change('region.changed', 'zilliz:aws-us-east-1', 'attributes.status: available → deprecated')), 'Region Changed: zilliz:aws-us-east-1: attributes.status: available → deprecated'],
  [
    'a first sync',
    event('Region Added', change('region.added', 'zilliz:aws-us-east-1', 'aws-us-east-1, https://api.aws-us-east-1.zillizcloud.com', { initial: true, initialSummary: 'zilliz/aws: first sync, 13 regions' })),
    'First sync: zilliz/aws: first sync, 13 regions',
  ],
  [
    'Source Degraded',
    event('Source Degraded', { scope: 'zilliz/aws', scopes: ['zilliz/aws', 'zilliz/gcp'], source: 'zilliz', at: '2026-12-02T10:00:00.000Z', summary: 'zilliz/aws, zilliz/gcp: http.503: Service Unavailable (request id 7f3a)' }),
    'Source Degraded: zilliz/aws, zilliz/gcp: http.503: Service Unavailable (request id 7f3a)',
  ],
  ['Removals Held', event('Removals Held', { scope: 'zilliz/aws', source: 'zilliz', at: '2026-12-02T10:00:00.000Z', summary: 'zilliz/aws: removal of 13 of 13 regions held' }), 'Removals Held: zilliz/aws: removal of 13 of 13 regions held'],
  ['Schema Changed', event('Schema Changed', { source: 'zilliz', field: 'tier', change: 'added', detectedAt: '2026-12-02T10:00:00.000Z' }), 'Schema Changed: zilliz field tier added at 2026-12-02T10:00:00.000Z'],
];

let p: Packaged;
beforeAll(async () => {
  p = await packageWith({ notifyEmail: 'ops@example.com', notifyWebhookUrl: '{{resolve:secretsmanager:region-sync/slack:SecretString:url}}' });
}, 400_000);
afterAll(() => p?.close());

/** The rule a deployment routes the event through (its detail type, and the first-sync filter), as the template declares it. */
function ruleFor(e: BusEvent) {
  const detail = e.detail as Record<string, unknown>;
  const matching = notificationRules(p.template).filter((r) => {
    if (!r.pattern['detail-type'].includes(e['detail-type'])) return false;
    const filter = (r.pattern.detail ?? {}) as Record<string, { exists: boolean }[]>;
    return Object.entries(filter).every(([field, [condition]]) => (condition?.exists ? detail[field] !== undefined : detail[field] === undefined));
  });
  expect(matching, e['detail-type']).toHaveLength(1);
  return matching[0]!;
}

describe('email notifications, as an inbox shows them', () => {
  it('go to an SNS topic with no per-message subject: the sender is the topic display name', () => {
    const deployed = evaluator(p.template).deployed();
    expect(deployed.NotifyTopic?.Properties.DisplayName).toBe('region-sync');
    // An SNS target of a rule has no Subject setting: what EventBridge sends is the message alone.
    for (const rule of notificationRules(p.template)) {
      const email = rule.targets.find((t) => t.Id === 'email')!;
      expect(Object.keys(email).sort()).toEqual(['Arn', 'DeadLetterConfig', 'Id', 'InputTransformer', 'RetryPolicy']);
    }
  });

  it.each(CASES)('name the change with its values on the first line: %s', (_name, e, firstLine) => {
    const rule = ruleFor(e);
    const email = renderTransformer(rule.targets.find((t) => t.Id === 'email')!.InputTransformer!, e, DEPLOYED_PAGE_URL);
    const webhook = JSON.parse(renderTransformer(rule.targets.find((t) => t.Id === 'webhook')!.InputTransformer!, e, DEPLOYED_PAGE_URL)) as { text: string };
    const [first, ...rest] = email.split('\n');
    expect(first).toBe(firstLine);
    // The same words as the webhook's line, without its link; nothing left unfilled.
    expect(webhook.text.split(' · ')[0]).toBe(first);
    expect(email).not.toMatch(/<\w+>/);
    expect(rest.join('\n')).toContain(DEPLOYED_PAGE_URL);
  });
});
