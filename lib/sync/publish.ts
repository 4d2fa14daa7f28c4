/**
 * Publishing committed changes to EventBridge. Every changeset after the
 * published cursor goes out oldest first, a window of changesets at a time,
 * in PutEvents batches of at most 10, retrying only the entries that failed;
 * the cursor moves past a changeset only once all of it was accepted, so an
 * EventBridge failure delays events and never loses one. A lease keeps
 * concurrent passes from draining the same changesets twice. Operational
 * events wait in the outbox the same way.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { jitteredBackoff, sleep } from '../core/backoff';
import { crashPoint } from '../core/crash';
import { batches, changeEntry, operationalEntry, type Target } from './events';
import type { Logger } from '../core/log';
import type { StoreDeps } from '../store/deps';
import type { OutboxItem, PublishItem } from '../store/items';
import { readSeqValue } from '../store/commit';
import {
  advanceCursor,
  deleteOutbox,
  listOutbox,
  readChangeset,
  readChangesets,
  readCursor,
  recordSent,
  releaseLease,
  renewLease,
  takeLease,
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
  /** Settles once the pass has queued its operational events (the record stage runs beside the drain): the outbox is listed after it. */
  queued?: Promise<void> | undefined;
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

/** Drain rounds in one pass at most (each further round takes commits that landed during the one before). */
const MAX_ROUNDS = 5;

/** PutEvents calls in flight at once while draining a window of changesets. */
const PARALLEL_CALLS = 4;

/** Changesets read and sent together: one Query and one cursor move per window. */
const CHANGESET_WINDOW = 20;

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

async function leaseWithWait(deps: PublishDeps): Promise<PublishItem | undefined> {
  const until = Date.now() + (deps.leaseWaitMs ?? 3_000);
  for (let attempt = 0; ; attempt++) {
    const granted = await takeLease(deps, deps.owner, Date.now(), deps.leaseMs ?? 60_000);
    if (granted) return granted;
    if (Date.now() >= until) return undefined;
    // Waiters spread out (the one backoff), and never poll slower than LEASE_POLL_CAP_MS.
    await sleep(jitteredBackoff(attempt, { baseMs: 100, capMs: LEASE_POLL_CAP_MS }));
  }
}

/**
 * One drain reads the cursor, SEQ and the outbox once each, then one SEQ read
 * and one outbox list for each further round (rare: commits that landed while
 * we drained).
 *
 * The cursor is read before the outbox is listed: when it showed no holder and
 * our grant is the very next one (`leases` one more), no pass held the lease
 * from that read to our grant, so nothing was sent or deleted from the outbox
 * meanwhile and the list is still what waits. Otherwise another holder may
 * have sent some of it (and be deleting it right now): the outbox is listed
 * again under the lease. Reusing a list taken while another pass held the
 * lease is what once published one event twice. The grant, and a renewal on
 * each later round, answer the cursor; while we hold the lease only we move
 * it, so its position is kept here.
 */
export async function publishPending(deps: PublishDeps): Promise<PublishResult> {
  const result: PublishResult = { published: 0, failed: 0, operational: 0, pending: 0, leaseHeld: false };
  const before = await readCursor(deps);
  // The changesets need not wait for this pass's operational events; the outbox does.
  const listQueued = () => Promise.resolve(deps.queued).then(() => listOutbox(deps));
  const listing = listQueued();
  listing.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  const seq = await readSeqValue(deps);
  if ((before?.value ?? 0) >= seq && (await listing).length === 0) return result;
  const granted = await leaseWithWait(deps);
  if (!granted) {
    // Another pass is draining; what it leaves, the next pass takes.
    result.leaseHeld = true;
    result.pending = seq - (before?.value ?? 0);
    return withOldestPending(deps, result, before?.value ?? 0);
  }
  const untouched = before?.leaseOwner === undefined && granted.leases === (before?.leases ?? 0) + 1;
  let position = granted.value;
  try {
    let outbox: Promise<readonly OutboxItem[]> | undefined = untouched ? listing : undefined;
    let last = seq;
    for (let round = 0; ; round++) {
      const drained = await drainChangesets(deps, result, position, last);
      position = drained.position;
      // A lost lease leaves the outbox to its new holder too: it may be sending the same events.
      if (drained.leaseLost) {
        position = (await readCursor(deps))?.value ?? position;
        // The new holder may be past the SEQ we read.
        result.pending = Math.max(0, last - position);
        break;
      }
      await drainOutbox(deps, result, await (outbox ?? listQueued()));
      const now = await readSeqValue(deps);
      result.pending = now - position;
      // Commits that landed while we drained go out now, unless EventBridge is failing.
      if (drained.blocked || now === last || result.pending === 0 || round === MAX_ROUNDS - 1) break;
      // Still ours? The renewal answers the cursor as well.
      const renewed = await renewLease(deps, deps.owner, Date.now(), deps.leaseMs ?? 60_000);
      if (!renewed) {
        deps.log.warn('publish lease lost; leaving the rest to its holder', { seq: position });
        break;
      }
      position = renewed.value;
      outbox = undefined;
      last = now;
    }
  } finally {
    await releaseLease(deps, deps.owner);
  }
  return withOldestPending(deps, result, position);
}

/** Adds the commit time of the first unpublished changeset (after `position`) when any is pending. */
async function withOldestPending(deps: PublishDeps, result: PublishResult, position: number): Promise<PublishResult> {
  if (result.pending <= 0) return result;
  const first = await readChangeset(deps, position + 1);
  if (first?.committedAt) result.oldestPendingAt = first.committedAt;
  return result;
}

interface Drained {
  /** The cursor as far as this pass moved it. */
  position: number;
  /** A changeset could not be fully published (and so blocks the ones after it). */
  blocked: boolean;
  leaseLost: boolean;
}

/**
 * Publishes changesets position+1 … to, oldest first, a window at a time: the
 * window's changesets read in one Query, their events sent together (a few
 * PutEvents calls in flight), then the cursor moved once past them all. A
 * changeset with an entry still failing blocks itself and every one after it:
 * what each of them had accepted is recorded, so a later pass sends only the
 * rest, and the cursor stops before it. A crash before the cursor moves sends
 * the window again next pass (delivery is at least once; subscribers
 * deduplicate on `detail.id`).
 */
async function drainChangesets(deps: PublishDeps, result: PublishResult, position: number, to: number): Promise<Drained> {
  for (let from = position + 1; from <= to; from += CHANGESET_WINDOW) {
    const last = Math.min(to, from + CHANGESET_WINDOW - 1);
    const changesets = await readChangesets(deps, from, last);
    const todo: Keyed[] = [];
    const seqOf = new Map<string, number>();
    for (let seq = from; seq <= last; seq++) {
      const changeset = changesets.get(seq);
      if (!changeset) {
        deps.log.error('changeset expired before it was published', { seq });
        continue;
      }
      for (const change of changeset.changes) {
        if (changeset.sent.has(change.id)) continue;
        todo.push({ key: change.id, entry: changeEntry(change, deps.target) });
        seqOf.set(change.id, seq);
      }
    }
    const { sent, failed } = await sendAll(deps, todo);
    crashPoint('during-publish');
    result.published += sent.length;
    if (failed.length) {
      result.failed += failed.length;
      const blockedFrom = Math.min(...failed.map((id) => seqOf.get(id) ?? from));
      const accepted = new Map<number, string[]>();
      for (const id of sent) {
        const seq = seqOf.get(id) ?? from;
        if (seq >= blockedFrom) accepted.set(seq, [...(accepted.get(seq) ?? []), id]);
      }
      await Promise.all([...accepted].map(([seq, ids]) => recordSent(deps, seq, ids)));
      deps.log.warn('changeset left pending', { seq: blockedFrom, sent: sent.length, failed: failed.length });
      const done = blockedFrom - 1;
      if (done > position) {
        if (!(await advanceCursor(deps, deps.owner, done))) return leaseLost(deps, done, position);
        position = done;
      }
      return { position, blocked: true, leaseLost: false };
    }
    if (!(await advanceCursor(deps, deps.owner, last))) return leaseLost(deps, last, position);
    position = last;
  }
  return { position, blocked: false, leaseLost: false };
}

/** Our lease expired and another pass took over: it publishes from its own reading of the cursor. */
function leaseLost(deps: PublishDeps, seq: number, position: number): Drained {
  deps.log.warn('publish lease lost; leaving the rest to its holder', { seq });
  return { position, blocked: true, leaseLost: true };
}

async function drainOutbox(deps: PublishDeps, result: PublishResult, items: readonly OutboxItem[]): Promise<void> {
  if (items.length === 0) return;
  const { sent, failed } = await sendAll(
    deps,
    items.map((item) => ({ key: item.sk, entry: operationalEntry(item.detailType, item.detail, deps.target) })),
  );
  await Promise.all(sent.map((sk) => deleteOutbox(deps, sk)));
  result.operational += sent.length;
  result.failed += failed.length;
}
