/**
 * `Schema Changed` across crashes: the real handler in a child process is
 * SIGKILLed before the new shape is recorded (after the commit) or after it is
 * recorded but before its event is published (during the publish); the next
 * passes announce the new field exactly once.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../../lib/core/crash';
import { PUBLISH_KEY } from '../../lib/store/items';
import { runPassInChild } from '../support/child';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

describe.each<CrashPoint>(['after-commit', 'during-publish'])('a crash %s', (point) => {
  it('announces a new field exactly once', async () => {
    await h.pass();
    for (const region of Object.values(h.zilliz.data.regions).flat() as Record<string, unknown>[]) region.privateLink = 'pl';
    const crashed = await runPassInChild({ ...h.env, REGION_SYNC_CRASH_AT: point });
    expect(crashed.signal, crashed.output).toBe('SIGKILL');
    // The crashed pass's publish lease expires with time.
    await h.table.doc
      .send(new UpdateCommand({ TableName: h.table.tableName, Key: PUBLISH_KEY, UpdateExpression: 'SET leaseUntil = :past', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':past': 0 } }))
      .catch(() => undefined);
    await h.pass();
    await h.pass();
    const announced = h.receiver.events.filter((e) => e.detailType === 'Schema Changed').map((e) => e.detail as { field: string; change: string });
    expect(announced).toEqual([expect.objectContaining({ source: 'zilliz', field: 'privateLink', change: 'added' })]);
  });
});
