/**
 * The chaos suite's invariants, checked after every step against the model
 * (the upstream truth over time), the receiver's log and the table as read
 * directly, never against what the system says about itself:
 * - the feed: sequences 1..SEQ with no gap and no repeat, ids unique, every
 *   change valid against the replay of the ones before it (before = the
 *   region as it stood, after = a state the model really had, changedFields
 *   = the fields that really differ);
 * - the catalog (table and GET /regions) is exactly the replay of the feed,
 *   full content: the state at any moment, a kill included, is a prefix;
 * - per scope, no region is missing that the truth held all along since the
 *   last clean pass (no false removal), none has content the truth never had;
 * - a mass removal commits only after REMOVAL_HOLD_PASSES passes saw it, over
 *   at least REMOVAL_HOLD_MINUTES of pass clock; a hold that that many clean
 *   passes in a row saw over that long must have confirmed;
 * - events delivered are feed changes, same id, same content; after a clean
 *   pass every change has been delivered and each scope equals the truth
 *   (held removals excepted, and only when they are a mass removal);
 * - no secret in any stored item, response, event or log line;
 * - after a clean pass, the operational events (operational.ts).
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CatalogHandler } from '../../lib/catalog/handler';
import type { Change, Region } from '../../lib/core/region';
import { PK, SEQ_KEY } from '../../lib/store/items';
import type { EventReceiver } from '../../local/event-receiver';
import type { ScratchTable } from '../../local/table';
import { call, type TestHandler } from '../support/catalog-event';
import { canonical, contentOf, fieldsDiffering, holdMayRelease, type Model, type ModelRegion } from './model';
import { OperationalChecker, type FeedChangeset, type StepRecord } from './operational';

export interface HoldFigures {
  released: number;
  /** Holds (scope and first clean pass of the run) that REMOVAL_HOLD_PASSES clean passes saw, kept because they spanned less than REMOVAL_HOLD_MINUTES. */
  keptByTime: Set<string>;
}

export class Violation extends Error {
  override name = 'Violation';
}

export interface CheckerDeps {
  model: Model;
  table: ScratchTable;
  receiver: EventReceiver;
  catalog: CatalogHandler;
  secrets: string[];
  holdPasses: number;
  /** REMOVAL_HOLD_MINUTES as deployed (the default). */
  holdMinutes: number;
  /** The figures of the hold's two rules: mass removals released, holds kept only by the time rule. */
  holds: HoldFigures;
  logLines: string[];
  /** The world's record of every step that ran passes. */
  records: StepRecord[];
  zillizVersion: 'v1' | 'v2';
  /** The files family: the bucket, read with a client of the checks' own, straight from the server. */
  files?: { s3: S3Client; bucket: string };
}

interface FeedState {
  seq: number;
  changes: Change[];
  changesets: FeedChangeset[];
  /** Replay of the feed: region key → region. */
  replay: Map<string, Region>;
  /** Region key → scope. */
  scopeOf: Map<string, string>;
}

const minutes = (ms: number) => (ms / 60_000).toFixed(3).replace(/\.?0+$/, '');

const fail = (where: string, message: string): never => {
  throw new Violation(`${where}: ${message}`);
};

export class Checker {
  private seenChangesets = 0;
  private logScanned = 0;
  /** Scopes the feed holds a change of, as of the last check: the scopes with a snapshot head. */
  private known = new Set<string>();
  constructor(private readonly d: CheckerDeps) {}

  knownScopes(): ReadonlySet<string> {
    return new Set(this.known);
  }

  private async query(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.d.table.doc.send(
        new QueryCommand({ TableName: this.d.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async scanAll(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.d.table.doc.send(new ScanCommand({ TableName: this.d.table.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Reads and validates the feed; returns its replay. */
  private async feed(where: string): Promise<FeedState> {
    const [seqItems, changesets] = await Promise.all([this.query(SEQ_KEY.pk), this.query(PK.changes)]);
    const seq = Number(seqItems[0]?.value ?? 0);
    const seqs = changesets.map((c) => Number(c.seq));
    // Changesets expire only after the retention days: here every one must still be there.
    if (seqs.length !== seq || seqs.some((s, i) => s !== i + 1)) fail(where, `feed sequences ${JSON.stringify(seqs)} are not 1..${seq}`);
    const replay = new Map<string, Region>();
    const scopeOf = new Map<string, string>();
    const ids = new Set<string>();
    const changes: Change[] = [];
    const sets: FeedChangeset[] = [];
    for (const cs of changesets) {
      const list = JSON.parse(String(cs.body)) as Change[];
      sets.push({ seq: Number(cs.seq), committedAt: String(cs.committedAt), changes: list });
      const perScope = new Map<string, { removed: string[]; before: number }>();
      // Committed during the step just run: its passes all read the current truth.
      const fresh = Number(cs.seq) > this.seenChangesets;
      for (const c of list) {
        const at = `${where}: changeset ${String(cs.seq)} change ${c.id} (${c.type} ${c.regionKey})`;
        if (ids.has(c.id)) fail(at, 'the same change id is in the feed twice');
        ids.add(c.id);
        const current = replay.get(c.regionKey);
        const scope = perScope.get(c.scope) ?? { removed: [], before: [...scopeOf.values()].filter((s) => s === c.scope).length };
        perScope.set(c.scope, scope);
        if (c.type === 'region.added') {
          if (current) fail(at, 'added while already present: recorded twice');
          if (c.before !== null || !c.after) fail(at, 'an addition must have before null and an after');
        } else {
          if (!current) fail(at, `${c.type} of a region not present`);
          if (canonical(c.before) !== canonical(current)) fail(at, `before ${canonical(c.before)} differs from the region as it stood ${canonical(current)}`);
        }
        if (c.type === 'region.changed') {
          const fields = fieldsDiffering(c.before as ModelRegion, c.after as ModelRegion);
          if (fields.length === 0) fail(at, 'a change that changes nothing');
          if (canonical(fields) !== canonical(c.changedFields)) fail(at, `changedFields ${JSON.stringify(c.changedFields)}, the fields that differ are ${JSON.stringify(fields)}`);
          if (c.after?.firstSeenAt !== c.before?.firstSeenAt) fail(at, 'firstSeenAt moved');
        } else if (c.changedFields.length !== 0) fail(at, 'changedFields on an addition or removal');
        if (c.after && !this.everHad(c.regionKey, c.after)) fail(at, `after ${canonical(contentOf(c.after as ModelRegion))} is no state the upstream ever had`);
        const truth = this.d.model.current.get(c.scope)?.get(c.regionKey);
        if (fresh && c.after && canonical(contentOf(c.after as ModelRegion)) !== canonical(truth)) {
          fail(at, `after ${canonical(contentOf(c.after as ModelRegion))}, the upstream lists ${canonical(truth)}`);
        }
        if (c.type === 'region.removed') {
          if (c.after !== null) fail(at, 'a removal must have after null');
          if (fresh && truth) fail(at, 'removed, but the upstream still lists it');
          replay.delete(c.regionKey);
          scopeOf.delete(c.regionKey);
          scope.removed.push(c.regionKey);
        } else {
          replay.set(c.regionKey, c.after as Region);
          scopeOf.set(c.regionKey, c.scope);
        }
        changes.push(c);
      }
      if (Number(cs.seq) > this.seenChangesets) {
        for (const [scopeName, { removed, before }] of perScope) {
          if (removed.length * 2 <= before) continue;
          // A mass removal: every removed region must have been absent for REMOVAL_HOLD_PASSES passes, and over at
          // least REMOVAL_HOLD_MINUTES of pass clock (from the first pass that could have seen it gone to the commit).
          for (const id of removed) {
            const gone = this.d.model.goneAt.get(id) ?? this.d.model.passes;
            const since = this.d.model.passes - gone + this.d.model.glitchSlack(gone);
            const spanned = Date.parse(String(cs.committedAt)) - this.d.model.earliestHoldStart(gone);
            if (!holdMayRelease(since, spanned, this.d.holdPasses, this.d.holdMinutes)) {
              fail(where, `mass removal in ${scopeName} (changeset ${String(cs.seq)}) released after ${since} passes over ${minutes(spanned)} min, before ${this.d.holdPasses} passes over ${this.d.holdMinutes} min`);
            }
          }
          this.d.holds.released += 1;
        }
      }
    }
    this.seenChangesets = Math.max(this.seenChangesets, seq);
    this.known = new Set(changes.map((c) => c.scope));
    return { seq, changes, changesets: sets, replay, scopeOf };
  }

  /** True when the model's truth held this content for the region at some version. */
  private everHad(regionKey: string, region: Region): boolean {
    const want = canonical(contentOf(region as ModelRegion));
    return this.d.model.versions.some((v) => [...v.values()].some((regions) => {
      const r = regions.get(regionKey);
      return r !== undefined && canonical(r) === want;
    }));
  }

  /** True when the region was absent from its scope at some version since the scope's floor. */
  private goneSince(scope: string, regionKey: string, from = this.d.model.floor.get(scope) ?? 0): boolean {
    return this.d.model.versions.slice(from).some((v) => !v.get(scope)?.has(regionKey));
  }

  private async catalogItems(where: string): Promise<Map<string, Region>> {
    const items = await this.query(PK.region);
    const out = new Map<string, Region>();
    for (const item of items) {
      const region = JSON.parse(String(item.body)) as Region;
      if (`${String(item.scope)}#${region.regionId}` !== item.sk) fail(where, `region item ${String(item.sk)} holds ${region.id}`);
      out.set(region.id, region);
    }
    return out;
  }

  /** After every step, and at the moment of a kill. */
  async check(where: string): Promise<FeedState> {
    const feed = await this.feed(where);
    const catalog = await this.catalogItems(where);
    // The catalog is exactly the replay of the feed: nothing committed without its change, no change without its write.
    const a = [...catalog.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
    const b = [...feed.replay.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
    if (canonical(a) !== canonical(b)) {
      const missing = b.filter(([k]) => !catalog.has(k)).map(([k]) => k);
      const extra = a.filter(([k]) => !feed.replay.has(k)).map(([k]) => k);
      const differ = a.filter(([k, v]) => feed.replay.has(k) && canonical(v) !== canonical(feed.replay.get(k))).map(([k]) => k);
      fail(where, `the catalog is not the replay of the feed: missing ${missing.join(',')} extra ${extra.join(',')} different ${differ.join(',')}`);
    }
    // Per scope against the truth: nothing the truth held all along is missing.
    for (const scope of this.d.model.scopes()) {
      const from = this.d.model.floor.get(scope) ?? 0;
      for (const id of this.d.model.versions[from]?.get(scope)?.keys() ?? []) {
        if (this.d.model.floor.has(scope) && !catalog.has(id) && !this.goneSince(scope, id, from)) {
          fail(where, `${id} is missing from the catalog though ${scope} has listed it since the last clean pass`);
        }
      }
    }
    await this.checkHttp(where, catalog, feed);
    await this.checkFiles(where, feed, false);
    this.checkDeliveries(where, feed, false);
    await this.scanSecrets(where);
    return feed;
  }

  private async checkHttp(where: string, catalog: Map<string, Region>, feed: FeedState): Promise<void> {
    const handler = this.d.catalog as unknown as TestHandler;
    const regions = await call(handler, 'GET', '/regions');
    if (regions.status !== 200) fail(where, `GET /regions answered ${regions.status}`);
    const served = (regions.json as { regions: Region[] }).regions;
    const want = [...catalog.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
    if (canonical(served) !== canonical(want)) fail(where, 'GET /regions differs from the table');
    const changes: Change[] = [];
    let url = '/changes?limit=500';
    for (let i = 0; i < 100; i++) {
      const page = await call(handler, 'GET', url);
      if (page.status !== 200) fail(where, `GET ${url} answered ${page.status}`);
      const body = page.json as { changes: Change[]; next: string };
      changes.push(...body.changes);
      this.scanText(where, `GET ${url}`, page.text);
      if (body.changes.length === 0) break;
      url = `/changes?limit=500&since=${encodeURIComponent(body.next)}`;
    }
    if (canonical(changes) !== canonical(feed.changes)) fail(where, `GET /changes (${changes.length}) differs from the feed (${feed.changes.length})`);
    const sources = await call(handler, 'GET', '/sources');
    if (sources.status !== 200) fail(where, `GET /sources answered ${sources.status}`);
    // Each pass adds at most one failure to a scope: more means a status write was applied twice.
    const since = this.d.model.passes - this.d.model.passesAtClean;
    for (const x of (sources.json as { sources: { scope: string; consecutiveFailures: number }[] }).sources) {
      if (x.consecutiveFailures > since) fail(where, `GET /sources: ${x.scope} has ${x.consecutiveFailures} consecutive failures after ${since} passes`);
    }
    this.scanText(where, 'GET /regions', regions.text);
    this.scanText(where, 'GET /sources', sources.text);
    const first = want[0];
    if (first) {
      const one = await call(handler, 'GET', `/regions/${first.source}/${encodeURIComponent(first.regionId)}`);
      if (canonical(one.json) !== canonical(first)) fail(where, `GET /regions/${first.source}/${first.regionId} differs from the table`);
    }
  }

  /** Events are feed changes with the feed's id and content; after a clean pass, all of them. */
  private checkDeliveries(where: string, feed: FeedState, all: boolean): void {
    const byId = new Map(feed.changes.map((c) => [c.id, c]));
    const delivered = new Set<string>();
    for (const e of this.d.receiver.events) {
      this.scanText(where, `event ${e.detailType}`, JSON.stringify(e.detail));
      if (!e.detailType.startsWith('Region ')) continue;
      const detail = e.detail as Change;
      const change = byId.get(detail.id);
      if (!change) fail(where, `event ${detail.id} is no change of the feed`);
      if (canonical(change) !== canonical(detail)) fail(where, `event ${detail.id} differs from the feed's change`);
      const type = { 'region.added': 'Region Added', 'region.removed': 'Region Removed', 'region.changed': 'Region Changed' }[detail.type];
      if (type !== e.detailType) fail(where, `event ${detail.id} has detail-type ${e.detailType}`);
      delivered.add(detail.id);
    }
    if (all) {
      const undelivered = feed.changes.filter((c) => !delivered.has(c.id));
      if (undelivered.length) fail(where, `${undelivered.length} committed changes never delivered after a clean pass (first ${undelivered[0]?.id})`);
    }
  }

  /** After a pass with everything healthy: each scope is the truth, held mass removals excepted. */
  async afterCleanPass(exact = false): Promise<void> {
    const where = exact ? 'after the final clean passes' : 'after a clean pass';
    const feed = await this.check(where);
    await this.checkFiles(where, feed, true);
    this.checkDeliveries(where, feed, true);
    // Every operational event queued so far has been published by this pass: check them all against the model.
    new OperationalChecker(this.d.model, (message) => fail(where, message)).check(this.d.records, this.d.receiver.events, feed.changesets);
    const catalog = feed.replay;
    const truth = this.d.model.current;
    const sources = await call(this.d.catalog as unknown as TestHandler, 'GET', '/sources');
    const statusOf = new Map((sources.json as { sources: { scope: string; status: string; consecutiveFailures: number; regionCount: number; held?: { since?: string; confirmsAfter?: string } }[] }).sources.map((x) => [x.scope, x]));
    for (const scope of this.d.model.scopes()) {
      const want = truth.get(scope) ?? new Map<string, ModelRegion>();
      const have = [...catalog.entries()].filter(([k]) => feed.scopeOf.get(k) === scope);
      for (const [id, region] of want) {
        const stored = catalog.get(id);
        if (!stored) fail(where, `${id} of ${scope} is not in the catalog`);
        if (canonical(contentOf(stored as ModelRegion)) !== canonical(region)) fail(where, `${id}: stored ${canonical(contentOf(stored as ModelRegion))}, upstream ${canonical(region)}`);
      }
      const retained = have.filter(([k]) => !want.has(k)).map(([k]) => k);
      if (retained.length * 2 > have.length) this.heldAfterCleanPasses(where, scope, statusOf.get(scope)?.held);
      if (retained.length && (exact || retained.length * 2 <= have.length)) {
        fail(where, `${scope} keeps ${retained.join(',')} which the upstream no longer lists (${exact ? 'after every hold' : 'not a mass removal, so not held'})`);
      }
      if (retained.length === 0) this.d.model.floor.set(scope, this.d.model.versions.length - 1);
      // GET /sources after the healthy pass: the scope succeeded, counts what it stores, is held only while it keeps a removal.
      const status = statusOf.get(scope);
      // On Zilliz v2 a cloud with no region is in no answer: a scope never stored is not attempted (chaos seed 465).
      const unseen = this.d.zillizVersion === 'v2' && scope.startsWith('zilliz/') && want.size === 0 && have.length === 0 && !this.known.has(scope);
      if ((truth.has(scope) || have.length > 0) && !unseen) {
        const expected = retained.length ? 'held' : 'ok';
        if (!status || status.status !== expected || status.consecutiveFailures !== 0 || status.regionCount !== have.length) {
          fail(where, `GET /sources shows ${scope} as ${JSON.stringify(status)}; expected ${expected}, 0 failures, ${have.length} regions`);
        }
      }
    }
  }

  /**
   * A scope still holding removals after a clean pass. The last clean passes
   * in a row that saw the scope's same region ids all answered the same
   * removal, so its hold started at the first of them or earlier: when there
   * are REMOVAL_HOLD_PASSES of them spanning REMOVAL_HOLD_MINUTES, the last
   * must have confirmed it; with enough passes but less time, the time rule
   * alone kept it (a figure of the report). /sources says when it confirms:
   * REMOVAL_HOLD_MINUTES after a start no later than that first pass.
   */
  private heldAfterCleanPasses(where: string, scope: string, held: { since?: string; confirmsAfter?: string } | undefined): void {
    const records = this.d.records;
    const last = records.at(-1);
    if (!last?.clean) return;
    const ids = (version: number) => [...(this.d.model.versions[version]?.get(scope)?.keys() ?? [])].sort().join();
    const want = ids(last.version);
    let first = last;
    let run = 0;
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i] as StepRecord;
      if (!r.clean || ids(r.version) !== want) break;
      first = r;
      run += 1;
    }
    const spanned = last.from - first.from;
    if (holdMayRelease(run, spanned, this.d.holdPasses, this.d.holdMinutes)) {
      fail(where, `${scope} still holds its removals after ${run} clean passes in a row over ${minutes(spanned)} min saw them gone (the hold confirms after ${this.d.holdPasses} over ${this.d.holdMinutes} min)`);
    }
    if (run >= this.d.holdPasses) this.d.holds.keptByTime.add(`${scope}@${first.from}`);
    const since = Date.parse(held?.since ?? '');
    const confirmsAfter = Date.parse(held?.confirmsAfter ?? '');
    if (!(since <= first.from) || confirmsAfter - since !== this.d.holdMinutes * 60_000) {
      fail(where, `GET /sources shows ${scope} held since ${String(held?.since)}, confirming after ${String(held?.confirmsAfter)}: expected a start no later than ${new Date(first.from).toISOString()} and ${this.d.holdMinutes} min after it`);
    }
  }

  /** The highest version latest.json has held so far, and the ETag of each object already checked (immutable ones stay checked). */
  private latestSeen = 0;
  private checkedObjects = new Map<string, string>();

  private async objects(prefix: string): Promise<{ key: string; etag: string }[]> {
    const { s3, bucket } = this.d.files as NonNullable<CheckerDeps['files']>;
    const out: { key: string; etag: string }[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, etag: o.ETag ?? '' });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async text(key: string): Promise<string> {
    const { s3, bucket } = this.d.files as NonNullable<CheckerDeps['files']>;
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString('utf-8')) ?? '';
  }

  /**
   * The catalog as a file at version V, rebuilt here from the feed (changesets
   * 1..V replayed): what `catalog/latest.json` and `catalog/v/V.json` must hold.
   */
  private fileAt(feed: FeedState, version: number): { regions: Region[]; count: number; version: string; syncedAt: string | null } {
    const replay = new Map<string, Region>();
    for (const cs of feed.changesets) {
      if (cs.seq > version) break;
      for (const c of cs.changes) {
        if (c.type === 'region.removed') replay.delete(c.regionKey);
        else replay.set(c.regionKey, c.after as Region);
      }
    }
    const regions = [...replay.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return { regions, count: regions.length, version: String(version), syncedAt: feed.changesets[version - 1]?.committedAt ?? null };
  }

  /**
   * The files family, against the bucket's contents (read straight from the
   * server) and the feed: latest.json is the catalog of a committed version,
   * never ahead of the table and never older than it held before; each
   * catalog/v/V.json is the catalog at V; each changes/<seq>.json is the
   * table's changeset; every Catalog Published names a version whose file has
   * the SHA-256 it announces. After a clean pass (S3 healthy) the files have
   * caught up: latest.json at the table's version, every changeset archived.
   */
  private async checkFiles(where: string, feed: FeedState, caughtUp: boolean): Promise<void> {
    if (!this.d.files) return;
    const file = (key: string, version: number, text: string) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return fail(where, `${key} is not JSON`);
      }
      if (version < 1 || version > feed.seq) fail(where, `${key} holds version ${version}; the table has committed 1..${feed.seq}`);
      if (canonical(body) !== canonical(this.fileAt(feed, version))) fail(where, `${key} (version ${version}) is not the catalog the feed gives at that version`);
    };
    const latest = (await this.objects('catalog/latest.json')).find((o) => o.key === 'catalog/latest.json');
    if (latest) {
      const text = await this.text(latest.key);
      const version = Number((JSON.parse(text) as { version?: string }).version);
      file(latest.key, version, text);
      if (version < this.latestSeen) fail(where, `catalog/latest.json moved back to version ${version} after holding ${this.latestSeen}`);
      this.latestSeen = version;
    }
    const versions = new Map<number, string>();
    for (const o of await this.objects('catalog/v/')) {
      const version = Number(/^catalog\/v\/(\d+)\.json$/.exec(o.key)?.[1] ?? NaN);
      if (!Number.isInteger(version)) fail(where, `unexpected object ${o.key}`);
      const text = await this.text(o.key);
      versions.set(version, text);
      if (this.checkedObjects.get(o.key) !== o.etag) file(o.key, version, text);
      this.checkedObjects.set(o.key, o.etag);
    }
    const archived = new Set<number>();
    for (const o of await this.objects('changes/')) {
      const seq = Number(/^changes\/(\d+)\.json$/.exec(o.key)?.[1] ?? NaN);
      const cs = feed.changesets[seq - 1];
      if (!cs || cs.seq !== seq) fail(where, `${o.key} archives a changeset the table does not have (seq 1..${feed.seq})`);
      archived.add(seq);
      if (this.checkedObjects.get(o.key) === o.etag) continue;
      const body = JSON.parse(await this.text(o.key)) as unknown;
      if (canonical(body) !== canonical({ seq, committedAt: cs?.committedAt, changes: cs?.changes })) fail(where, `${o.key} differs from the table's changeset ${seq}`);
      this.checkedObjects.set(o.key, o.etag);
    }
    for (const e of this.d.receiver.events) {
      if (e.detailType !== 'Catalog Published') continue;
      const d = e.detail as { version: string; key: string; sha256: string; count: number };
      const text = versions.get(Number(d.version));
      if (d.key !== `catalog/v/${d.version}.json` || text === undefined) fail(where, `Catalog Published ${JSON.stringify(d)} names no file of the bucket`);
      if (createHash('sha256').update(text as string).digest('hex') !== d.sha256) fail(where, `Catalog Published for version ${d.version}: sha256 ${d.sha256} is not that of ${d.key}`);
    }
    if (caughtUp && feed.seq > 0) {
      if (this.latestSeen !== feed.seq || !latest) fail(where, `after a pass with S3 healthy, catalog/latest.json is at version ${latest ? this.latestSeen : 'none'}, the table at ${feed.seq}`);
      if (!versions.has(feed.seq)) fail(where, `after a pass with S3 healthy, catalog/v/${feed.seq}.json is missing`);
      const missing = feed.changesets.map((c) => c.seq).filter((seq) => !archived.has(seq));
      if (missing.length) fail(where, `after a pass with S3 healthy, changes/<seq>.json is missing for ${missing.join(',')}: a change lost from the archive`);
    }
  }

  async finalCheck(): Promise<void> {
    await this.afterCleanPass(true);
  }

  private scanText(where: string, what: string, text: string): void {
    for (const secret of this.d.secrets) if (text.includes(secret)) fail(where, `a secret is in ${what}`);
  }

  private async scanSecrets(where: string): Promise<void> {
    for (const item of await this.scanAll()) this.scanText(where, `stored item ${String(item.pk)}/${String(item.sk)}`, JSON.stringify(item));
    for (const line of this.d.logLines.slice(this.logScanned)) this.scanText(where, `log line ${line.slice(0, 80)}`, line);
    this.logScanned = this.d.logLines.length;
  }
}
