/**
 * The scopes' status written together (recordStatuses: one transaction over
 * the items read at the pass's start) against the model of one UpdateItem per
 * scope (recordStatus, which decides each transition on the value its write
 * replaced): the same outcomes and the same items, pass after pass, and a
 * write landing between the read and the transaction is never counted over.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { readStatuses, recordStatus, recordStatuses, type StatusUpdate } from '../../lib/store/status';
import type { StoreDeps } from '../../lib/store/deps';
import { freshTable, type FreshTable } from '../support/db';

const SCOPES = ['modelarts/p', 'zilliz/aws', 'zilliz/gcp', 'zilliz/azure', 'zilliz/ali'];
const error = (n: number) => ({ code: 'upstream.http', message: `HTTP 500 #${String(n)}`, at: `2026-12-03T00:00:${String(n % 60).padStart(2, '0')}.000Z` });

let batched: FreshTable;
beforeEach(async () => {
  batched = await freshTable();
});
afterEach(async () => {
  await batched.drop();
});

const deps = (t: FreshTable): StoreDeps => ({ doc: t.doc, table: t.tableName });

/** The STATUS items as /sources reads them (without the write's bookkeeping). */
async function items(t: FreshTable): Promise<unknown[]> {
  const out = await t.doc.send(new QueryCommand({ TableName: t.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'STATUS' }, ConsistentRead: true }));
  return (out.Items ?? []).map(({ writeToken: _t, replacedFailures: _f, replacedSuccessAt: _s, ...rest }) => rest);
}

describe('recordStatuses', () => {
  it('gives the outcomes and items of one UpdateItem per scope, over any run of passes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.boolean(), { minLength: SCOPES.length, maxLength: SCOPES.length }), { minLength: 1, maxLength: 6 }), async (passes) => {
        const table = [await freshTable(), await freshTable()] as const;
        try {
          for (const [n, failing] of passes.entries()) {
            const at = `2026-12-03T00:${String(n).padStart(2, '0')}:00.000Z`;
            const updates: StatusUpdate[] = SCOPES.map((scope, i) => ({ scope, source: scope.split('/')[0]!, at, ...(failing[i] ? { error: error(n) } : {}) }));
            const expected = await Promise.all(updates.map((u) => recordStatus(deps(table[1]), u)));
            const got = await recordStatuses(deps(table[0]), updates, await readStatuses(deps(table[0])));
            expect(got).toEqual(expected);
          }
          expect(await items(table[0])).toEqual(await items(table[1]));
        } finally {
          await Promise.all(table.map((t) => t.drop()));
        }
      }),
      { numRuns: 12 },
    );
  });

  it('a status written between the read and the transaction: the transaction changes nothing, each scope is written alone over what is there', async () => {
    const [scope] = SCOPES as [string];
    const at = (m: number) => `2026-12-03T01:0${String(m)}:00.000Z`;
    const all = (m: number, failing: boolean): StatusUpdate[] => SCOPES.map((s) => ({ scope: s, source: s.split('/')[0]!, at: at(m), ...(failing ? { error: error(m) } : {}) }));
    await recordStatuses(deps(batched), all(0, false), await readStatuses(deps(batched)));
    const read = await readStatuses(deps(batched));
    // Another pass records a failure of one scope after this pass read the items: it announced the degradation.
    expect((await recordStatus(deps(batched), { ...all(1, true)[0]!, scope })).transition).toBe('degraded');
    const outcomes = await recordStatuses(deps(batched), all(2, true), read);
    expect(outcomes[0]).toEqual({ transition: null, consecutiveFailures: 2, previousError: error(1) });
    expect(outcomes.slice(1).map((o) => [o.transition, o.consecutiveFailures])).toEqual(SCOPES.slice(1).map(() => ['degraded', 1]));
    const stored = (await items(batched)) as { sk: string; consecutiveFailures: number }[];
    expect(Object.fromEntries(stored.map((i) => [i.sk, i.consecutiveFailures]))).toEqual(Object.fromEntries(SCOPES.map((s) => [s, s === scope ? 2 : 1])));
  });
});
