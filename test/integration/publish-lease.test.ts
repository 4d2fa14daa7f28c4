/**
 * The publisher's lease: one pass drains at a time, a held lease makes the
 * others leave their events to the holder, and a pass whose lease was taken
 * over stops moving the cursor instead of failing.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PUBLISH_KEY } from '../../lib/store/items';
import { acquireLease, advanceCursor, readCursor, releaseLease } from '../../lib/store/publish-state';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const deps = () => ({ doc: h.table.doc, table: h.table.tableName });

describe('the publish lease', () => {
  it('is exclusive until released or expired', async () => {
    expect(await acquireLease(deps(), 'a', 1_000, 60_000)).toBe(true);
    expect(await acquireLease(deps(), 'b', 2_000, 60_000)).toBe(false);
    expect(await acquireLease(deps(), 'b', 70_000, 60_000)).toBe(true); // a's lease expired
    await releaseLease(deps(), 'a'); // not a's any more: a no-op
    expect(await acquireLease(deps(), 'c', 70_001, 60_000)).toBe(false);
    await releaseLease(deps(), 'b');
    expect(await acquireLease(deps(), 'c', 70_002, 60_000)).toBe(true);
  });

  it('stops a pass that lost it from moving the cursor', async () => {
    expect(await acquireLease(deps(), 'a', Date.now(), 60_000)).toBe(true);
    expect(await advanceCursor(deps(), 'a', 1)).toBe(true);
    await h.table.doc.send(new UpdateCommand({ TableName: h.table.tableName, Key: PUBLISH_KEY, UpdateExpression: 'SET leaseOwner = :b', ExpressionAttributeValues: { ':b': 'b' } }));
    expect(await advanceCursor(deps(), 'a', 2)).toBe(false);
    expect((await readCursor(deps()))?.value).toBe(1);
  });

  it('leaves a pass that finds the lease held with its events pending, for the holder or the next pass', async () => {
    await h.table.doc.send(
      new UpdateCommand({ TableName: h.table.tableName, Key: PUBLISH_KEY, UpdateExpression: 'SET leaseOwner = :o, leaseUntil = :u, #v = :z', ExpressionAttributeNames: { '#v': 'value' }, ExpressionAttributeValues: { ':o': 'other', ':u': Date.now() + 600_000, ':z': 0 } }),
    );
    const summary = await h.pass();
    expect(summary.changes).toBe(25);
    expect(summary.published).toMatchObject({ leaseHeld: true, published: 0, pending: 1 });
    expect(h.receiver.events).toHaveLength(0);
    await releaseLease(deps(), 'other');
    const next = await h.pass();
    expect(next.published.published).toBe(25);
  });
});
