/**
 * The packaged template with webhookEndpoints, notifications and another
 * event source: the deliver function behind its queue; every rule target with
 * a dead-letter queue that has an alarm on its depth; every rule matching the
 * configured source; the schema registry with one JSONSchemaDraft4 schema per
 * DetailType, which a real event validates against; no endpoint secret in the
 * template; a webhookEndpoints value that is not a reference stops the package
 * without being echoed.
 */

import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDetailTypes } from '../../lib/core/event-schemas';
import { createHarness } from '../support/harness';
import { evaluator, packageWith, type Json, type Packaged } from './notifications-template';

const require = createRequire(import.meta.url);
const webhooks = require('../../deploy/webhooks.cjs') as { enabled(o: object): Promise<string>; secretId(o: object): Promise<string>; jsonKey(o: object): Promise<string> };

const REFERENCE = '{{resolve:secretsmanager:region-sync/webhooks}}';
const SOURCE = 'acme.regions';
type Obj = { [key: string]: Json };

let p: Packaged;
beforeAll(async () => {
  p = await packageWith({ webhookEndpoints: REFERENCE, notifyWebhookUrl: '{{resolve:secretsmanager:region-sync/slack:SecretString:url}}', notifyEmail: 'ops@example.com', eventSource: SOURCE });
}, 400_000);
afterAll(() => p?.close());

/** The rules on the bus (the sync's schedule is a rule of the default bus, with Lambda's own on-failure queue). */
const busRules = (r: ReturnType<typeof deployed>) => Object.entries(r).filter(([, x]) => x.Type === 'AWS::Events::Rule' && x.Properties.EventBusName !== undefined);
const deployed = (overrides: Record<string, string> = {}) => evaluator(p.template, overrides).deployed();
const arnOf = (node: Json): string | undefined => {
  const att = (node as Obj | null)?.['Fn::GetAtt'];
  return Array.isArray(att) ? String(att[0]) : undefined;
};

describe('webhooks in the packaged template', () => {
  it('deploys the deliver function, fed by a queue from a rule on every event of the bus', () => {
    const r = deployed();
    expect(r.DeliverLambdaFunction?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'functions/deliver.handler', Timeout: 30 });
    const env = (r.DeliverLambdaFunction?.Properties.Environment as Obj).Variables as Obj;
    expect(env.WEBHOOK_ENDPOINTS_SECRET_ID).toBe('region-sync/webhooks');
    expect(r.DeliverRule?.Properties.EventPattern).toEqual({ source: [SOURCE] });
    const mapping = Object.values(r).find((x) => x.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties).toMatchObject({ EventSourceArn: { 'Fn::GetAtt': ['DeliverQueue', 'Arn'] }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    // Lambda's advice for an SQS source: a visibility timeout of six times the function's.
    expect(Number(r.DeliverQueue?.Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * 30);
    expect(r.DeliverQueue?.Properties.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': ['DeliverDeadLetterQueue', 'Arn'] } });
    // The role reads only that secret.
    const statements = ((r.DeliverRole?.Properties.Policies as Obj[])[0]?.PolicyDocument as Obj).Statement as Obj[];
    expect(statements.find((s) => s.Sid === 'ReadEndpoints')).toMatchObject({ Action: 'secretsmanager:GetSecretValue' });
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  it('holds the secret id, never the reference: CloudFormation would resolve the URLs and secrets into the environment', () => {
    expect(p.text).not.toContain(REFERENCE);
    expect(p.text).toContain('region-sync/webhooks');
  });

  it('deploys none of it without the parameter', () => {
    expect(Object.keys(deployed({ Webhooks: '' })).filter((id) => id.startsWith('Deliver'))).toEqual([]);
  });

  it('gives every rule target a dead-letter queue with an alarm on its depth', () => {
    const variants: Record<string, string>[] = [{}, { NotifyWebhook: '' }, { NotifyEmail: '' }, { Webhooks: '' }];
    for (const overrides of variants) {
      const r = deployed(overrides);
      const rules = busRules(r);
      expect(rules.length).toBeGreaterThan(0);
      for (const [id, rule] of rules) {
        for (const target of rule.Properties.Targets as Obj[]) {
          const queue = arnOf((target.DeadLetterConfig as Obj | undefined)?.Arn ?? null);
          expect(queue, `${id} ${String(target.Id)}`).toBeDefined();
          expect(r[queue ?? '']?.Type).toBe('AWS::SQS::Queue');
          expect(target.RetryPolicy, `${id} ${String(target.Id)}`).toBeDefined();
          const alarm = Object.values(r).find(
            (x) => x.Type === 'AWS::CloudWatch::Alarm' && x.Properties.Namespace === 'AWS/SQS' && JSON.stringify(x.Properties.Dimensions).includes(`["${queue}","QueueName"]`),
          );
          expect(alarm?.Properties, `alarm on ${queue}`).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
        }
      }
    }
  });

  it('matches the configured event source in every rule, the one the sync function puts', () => {
    const r = deployed();
    for (const [id, rule] of busRules(r)) expect((rule.Properties.EventPattern as Obj).source, id).toEqual([SOURCE]);
    expect(((r.SyncLambdaFunction?.Properties.Environment as Obj).Variables as Obj).EVENT_SOURCE).toBe(SOURCE);
  });

  it('registers one JSONSchemaDraft4 schema per DetailType in region-sync-<stage>, and a real event validates against its schema', async () => {
    const r = deployed();
    expect(r.EventSchemaRegistry?.Properties.RegistryName).toBe('region-sync-prod');
    const schemas = Object.values(r).filter((x) => x.Type === 'AWS::EventSchemas::Schema');
    expect(schemas.map((s) => s.Properties.SchemaName).sort()).toEqual(listDetailTypes().map((t) => `${SOURCE}@${t.replace(/ /g, '')}`).sort());
    for (const s of schemas) expect(s.Properties.Type).toBe('JSONSchemaDraft4');
    // ajv 8 has no draft-04 mode; these schemas use nothing whose meaning changed after draft 4, so draft-07 reads them alike.
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validate = new Map(schemas.map((s) => {
      const { $schema: dialect, ...content } = JSON.parse(String(s.Properties.Content)) as Record<string, unknown>;
      expect(dialect).toBe('http://json-schema.org/draft-04/schema#');
      return [String(s.Properties.SchemaName), ajv.compile(content)] as const;
    }));
    const h = await createHarness({ env: { EVENT_SOURCE: SOURCE } });
    try {
      await h.pass();
      const [event] = h.receiver.events;
      if (!event) throw new Error('no event');
      const envelope = { version: '0', id: event.eventId, 'detail-type': event.detailType, source: event.source, account: '123456789012', time: event.time, region: 'eu-west-3', resources: [], detail: event.detail };
      const check = validate.get(`${SOURCE}@${event.detailType.replace(/ /g, '')}`);
      expect(check?.(envelope), JSON.stringify(check?.errors)).toBe(true);
      expect(check?.({ ...envelope, 'detail-type': 'Region Removed' })).toBe(false);
      expect(check?.({ ...envelope, detail: { ...(event.detail as object), after: null } })).toBe(false);
    } finally {
      await h.close();
    }
  });

  it('refuses a webhookEndpoints value that is not a secretsmanager reference, without echoing it', async () => {
    const literal = '[{"name":"x","url":"https://hooks.example.com/very-secret","secret":"whsec_c2VjcmV0c2VjcmV0c2VjcmV0"}]';
    const resolver = (value: string) => ({ resolveVariable: async (v: string) => (v.startsWith('param:webhookEndpoints') ? value : '') });
    for (const bad of [literal, 'https://hooks.example.com/very-secret', '{{resolve:ssm:/very-secret}}', '{{resolve:secretsmanager:region-sync/webhooks:SecretString:list:AWSPREVIOUS}}']) {
      const error = await webhooks.enabled(resolver(bad)).then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).toMatch(/^webhookEndpoints: /);
      expect(error?.message).not.toContain('very-secret');
      expect(error?.message).not.toContain('whsec_');
    }
    expect(await webhooks.secretId(resolver('{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-3:123456789012:secret:hooks-AbCdEf:SecretString:list}}'))).toBe(
      'arn:aws:secretsmanager:eu-west-3:123456789012:secret:hooks-AbCdEf',
    );
    expect(await webhooks.jsonKey(resolver('{{resolve:secretsmanager:hooks:SecretString:list}}'))).toBe('list');
  });

  const lint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  it.skipIf(lint.error !== undefined || lint.status !== 0)('passes cfn-lint (W3005, from osls itself, ignored)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhooks-lint-'));
    try {
      const file = join(dir, 'template.json');
      writeFileSync(file, p.text);
      const run = spawnSync('cfn-lint', [file, '--ignore-checks', 'W3005'], { encoding: 'utf8', timeout: 90_000 });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});


