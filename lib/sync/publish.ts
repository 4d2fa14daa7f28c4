/**
 * Publishing committed changes to EventBridge. Every changeset after the
 * published cursor goes out oldest first, in PutEvents batches of at most 10,
 * retrying only the entries that failed; the cursor moves past a changeset
 * only once all of it was accepted, so an EventBridge failure delays events
 * and never loses one. A lease keeps concurrent passes from draining the same
 * changesets twice. Operational events wait in the outbox the same way.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { jitteredBackoff, sleep } from '../core/backoff';
import { crashPoint } from '../core/crash';
import { batches, changeEntry, operationalEntry, type Target } from './events';
import type { Logger } from '../core/log';
import type { StoreDeps } from '../store/deps';
import { readSeqValue } from '../store/commit';
import {
  acquireLease,
  advanceCursor,
  deleteOutbox,
  listOutbox,
  readChangeset,
  readCursor,
  recordSent,
  releaseLease,
} from '../store/publish-state';

export interface PublishDeps extends StoreDeps {
  events: EventBridgeClient;
  target: Target;
  log: Logger;
  /** Identifies this pass as the lease holder. */
  owner: string;
  leaseMs?: number;
  /** How long to wait for a lease another pass holds before leaving its work to that pass. */
  leaseWaitMs?: number;
  /** Attempts per entry within one pass. */
  attempts?: number;
  backoffMs?: number;
}

export interface PublishResult {
  published: number;
  failed: number;
  operational: number;
  /** Changesets still waiting after this pass. */
  pending: number;
  /** When changesets wait: the commit time of the oldest (the OldestPendingAgeSeconds metric). */
  oldestPendingAt?: string;
  leaseHeld: boolean;
}

interface Keyed {
  key: string;
  entry: PutEventsRequestEntry;
}

/** The longest wait between two tries of a lease another pass holds. */
const LEASE_POLL_CAP_MS = 400;

/** PutEvents calls in flight at once while draining one changeset. */
const PARALLEL_CALLS = 4;

/** Sends entries, retrying only the failed ones; returns the keys accepted and those still failing. */
export async function sendAll(deps: PublishDeps, items: readonly Keyed[]): Promise<{ sent: string[]; failed: string[] }> {
  const sent: string[] = [];
  let todo = [...items];
  const attempts = deps.attempts ?? 3;
  for (let attempt = 0; attempt < attempts && todo.length; attempt++) {
    if (attempt > 0) await sleep(jitteredBackoff(attempt, { baseMs: deps.backoffMs ?? 100 }));
    const retry: Keyed[] = [];
    const all = batches(todo, (t) => t.entry);
    // A few calls at a time: a 10,000-region first pass is 1,000 calls. The cursor still
    // moves only once the whole changeset is accepted.
    for (let i = 0; i < all.length; i += PARALLEL_CALLS) {
      if (i > 0) crashPoint('between-batches');
      await Promise.all(all.slice(i, i + PARALLEL_CALLS).map((keyed) => sendBatch(deps, keyed, attempt, sent, retry)));
    }
    todo = retry;
  }
  return { sent, failed: todo.map((t) => t.key) };
}

async function sendBatch(deps: PublishDeps, keyed: Keyed[], attempt: number, sent: string[], retry: Keyed[]): Promise<void> {
  try {
    const out = await deps.events.send(new PutEventsCommand({ Entries: keyed.map((t) => t.entry) }));
    (out.Entries ?? []).forEach((result, i) => {
      const item = keyed[i];
      if (!item) return;
      if (result.EventId && !result.ErrorCode) sent.push(item.key);
      else retry.push(item);
    });
    // A response shorter than the request leaves the rest unconfirmed: send them again.
    retry.push(...keyed.slice(out.Entries?.length ?? 0));
  } catch (error: unknown) {
    deps.log.warn('PutEvents failed', { error, entries: keyed.length, attempt });
    retry.push(...keyed);
  }
}

async function leaseWithWait(deps: PublishDeps): Promise<boolean> {
  const until = Date.now() + (deps.leaseWaitMs ?? 3_000);
  for (let attempt = 0; ; attempt++) {
    if (await acquireLease(deps, deps.owner, Date.now(), deps.leaseMs ?? 60_000)) return true;
    if (Date.now() >= until) return false;
    // Waiters spread out (the one backoff), and never poll slower than LEASE_POLL_CAP_MS.
    await sleep(jitteredBackoff(attempt, { baseMs: 100, capMs: LEASE_POLL_CAP_MS }));
  }
}

export async function publishPending(deps: PublishDeps): Promise<PublishResult> {
  const result: PublishResult = { published: 0, failed: 0, operational: 0, pending: 0, leaseHeld: false };
  const [cursor, seq, outbox] = await Promise.all([readCursor(deps), readSeqValue(deps), listOutbox(deps)]);
  if ((cursor?.value ?? 0) >= seq && outbox.length === 0) return result;
  if (!(await leaseWithWait(deps))) {
    // Another pass is draining; what it leaves, the next pass takes.
    result.leaseHeld = true;
    result.pending = seq - (cursor?.value ?? 0);
    return withOldestPending(deps, result);
  }
  try {
    let last = seq;
    for (let round = 0; round < 5; round++) {
      const blocked = await drainChangesets(deps, result);
      await drainOutbox(deps, result);
      const now = await readSeqValue(deps);
      const position = (await readCursor(deps))?.value ?? 0;
      result.pending = now - position;
      // Commits that landed while we drained go out now, unless EventBridge is failing.
      if (blocked || now === last || result.pending === 0) break;
      last = now;
    }
  } finally {
    await releaseLease(deps, deps.owner);
  }
  return withOldestPending(deps, result);
}

/** Adds the commit time of the first unpublished changeset when any is pending. */
async function withOldestPending(deps: PublishDeps, result: PublishResult): Promise<PublishResult> {
  if (result.pending <= 0) return result;
  const first = await readChangeset(deps, ((await readCursor(deps))?.value ?? 0) + 1);
  if (first?.committedAt) result.oldestPendingAt = first.committedAt;
  return result;
}

/** Returns true when a changeset could not be fully published (and so blocks the ones after it). */
async function drainChangesets(deps: PublishDeps, result: PublishResult): Promise<boolean> {
  const from = ((await readCursor(deps))?.value ?? 0) + 1;
  const to = await readSeqValue(deps);
  for (let seq = from; seq <= to; seq++) {
    const changeset = await readChangeset(deps, seq);
    if (!changeset) {
      deps.log.error('changeset expired before it was published', { seq });
      if (!(await advanceCursor(deps, deps.owner, seq))) return leaseLost(deps, seq);
      continue;
    }
    const todo = changeset.changes.filter((c) => !changeset.sent.has(c.id)).map((c) => ({ key: c.id, entry: changeEntry(c, deps.target) }));
    const { sent, failed } = await sendAll(deps, todo);
    crashPoint('during-publish');
    result.published += sent.length;
    if (failed.length) {
      result.failed += failed.length;
      await recordSent(deps, seq, sent);
      deps.log.warn('changeset left pending', { seq, sent: sent.length, failed: failed.length });
      return true;
    }
    if (!(await advanceCursor(deps, deps.owner, seq))) return leaseLost(deps, seq);
  }
  return false;
}

/** Our lease expired and another pass took over: it publishes from its own reading of the cursor. */
function leaseLost(deps: PublishDeps, seq: number): true {
  deps.log.warn('publish lease lost; leaving the rest to its holder', { seq });
  return true;
}

async function drainOutbox(deps: PublishDeps, result: PublishResult): Promise<void> {
  const items = await listOutbox(deps);
  if (items.length === 0) return;
  const { sent, failed } = await sendAll(
    deps,
    items.map((item) => ({ key: item.sk, entry: operationalEntry(item.detailType, item.detail, deps.target) })),
  );
  await Promise.all(sent.map((sk) => deleteOutbox(deps, sk)));
  result.operational += sent.length;
  result.failed += failed.length;
}
