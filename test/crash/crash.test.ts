/**
 * Crash safety: a real child process running the real handler is killed with
 * SIGKILL at each named point; the next pass must lose nothing and record
 * nothing twice. A change may be delivered again (same id) after a crash in
 * the middle of publishing: delivery is at least once, never under a new id.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../../lib/core/crash';
import { PUBLISH_KEY } from '../../lib/store/items';
import { runPassInChild } from '../support/child';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

/** What a crashed pass's lease does with time: it expires. */
async function expireLease(): Promise<void> {
  await h.table.doc.send(
    new UpdateCommand({ TableName: h.table.tableName, Key: PUBLISH_KEY, UpdateExpression: 'SET leaseUntil = :past', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':past': 0 } }),
  ).catch(() => undefined);
}

describe.each<CrashPoint>(['after-fetch', 'after-commit', 'during-publish', 'after-publish'])('a crash %s', (point) => {
  it('loses no change and records none twice', async () => {
    const crashed = await runPassInChild({ ...h.env, REGION_SYNC_CRASH_AT: point });
    expect(crashed.signal, crashed.output).toBe('SIGKILL');
    await expireLease();
    const summary = await h.pass();
    expect(summary.published.pending).toBe(0);

    const changes = await h.committedChanges();
    expect(changes).toHaveLength(SAMPLE_REGIONS);
    expect(new Set(changes.map((c) => c.regionKey)).size).toBe(SAMPLE_REGIONS);
    const delivered = h.receiver.events.map((e) => (e.detail as { id: string }).id);
    // Every committed change delivered, and nothing delivered that was not committed.
    expect(new Set(delivered)).toEqual(new Set(changes.map((c) => c.id)));
    if (point !== 'during-publish') expect(delivered).toHaveLength(SAMPLE_REGIONS);
    // A later pass has nothing left to do.
    const again = await h.pass();
    expect(again.changes).toBe(0);
    expect(again.published.published).toBe(0);
  });
});
