/**
 * Upstream and EventBridge faults during a pass: a failing scope never reads
 * as "regions removed", a transient fault is retried within the pass, and an
 * event that could not be delivered goes out in a later pass with the same id.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../local/simulators';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.pass();
  h.receiver.clear();
});
afterEach(async () => {
  await h.close();
});

const eventIds = () => h.receiver.events.map((e) => (e.detail as { id: string }).id);
const removals = async () => (await h.committedChanges()).filter((c) => c.type === 'region.removed');

const FAULTS: { name: string; fault: Fault; outcome: 'failed' | 'held' }[] = [
  { name: 'HTTP 500', fault: { kind: 'status', status: 500 }, outcome: 'failed' },
  { name: 'HTTP 503', fault: { kind: 'status', status: 503 }, outcome: 'failed' },
  { name: '429 with Retry-After', fault: { kind: 'rate-limit', retryAfterSeconds: 0 }, outcome: 'failed' },
  { name: 'a hung request', fault: { kind: 'hang' }, outcome: 'failed' },
  { name: 'malformed JSON', fault: { kind: 'malformed-json' }, outcome: 'failed' },
  { name: 'an HTML body', fault: { kind: 'html' }, outcome: 'failed' },
  { name: 'an item missing its id', fault: { kind: 'missing-id' }, outcome: 'failed' },
  { name: 'a business error code', fault: { kind: 'business-error' }, outcome: 'failed' },
  { name: 'a dropped connection', fault: { kind: 'reset' }, outcome: 'failed' },
  { name: 'an empty list', fault: { kind: 'empty-list' }, outcome: 'held' },
  { name: 'a short list', fault: { kind: 'short-list', keep: 1 }, outcome: 'held' },
];

describe.each([
  { source: 'zilliz', scope: 'zilliz/aws', path: '/v1/regions', other: 'modelarts' },
  { source: 'modelarts', scope: 'modelarts/0123456789abcdef0123456789abcdef', path: /\/custom-endpoint\/regions$/, other: 'zilliz' },
])('$source answering', ({ source, scope, path, other }) => {
  it.each(FAULTS)('$name fails or holds only its scope and emits no removal, while the others commit', async ({ fault, outcome }) => {
    const sim = source === 'zilliz' ? h.zilliz : h.modelarts;
    // Every Zilliz listing gets the fault; zilliz/aws is the scope asserted on.
    sim.faults.push(fault, { times: Infinity, match: { path } });
    if (other === 'modelarts') h.modelarts.addRegion({ region_id: 'ap-southeast-9', locales: { en_us: 'AP-New' } });
    else h.zilliz.addRegion('azure', { cloudId: 'azure', regionId: 'az-westeurope', apiBaseUrl: 'https://api.az-westeurope.zillizcloud.com' });

    const summary = await h.pass();
    const faulted = summary.scopes.find((s) => s.scope === scope);
    expect(faulted?.outcome).toBe(outcome);
    expect(await removals()).toEqual([]);
    expect(h.receiver.events.some((e) => e.detailType === 'Region Removed')).toBe(false);
    const added = h.receiver.events.filter((e) => e.detailType === 'Region Added').map((e) => (e.detail as { regionKey: string }).regionKey);
    expect(added).toEqual([other === 'modelarts' ? 'modelarts:ap-southeast-9' : 'zilliz:az-westeurope']);
    expect(summary.ok).toBe(outcome !== 'failed');
  });
});

describe('transient faults', () => {
  it.each([
    { name: '503', fault: { kind: 'status', status: 503 } as Fault },
    { name: '429 with Retry-After', fault: { kind: 'rate-limit', retryAfterSeconds: 1 } as Fault },
  ])('a single $name is retried within the pass', async ({ fault }) => {
    h.modelarts.faults.push(fault, { times: 1, match: { path: /custom-endpoint/ } });
    const before = h.modelarts.requests.length;
    const summary = await h.pass();
    expect(summary.ok).toBe(true);
    const calls = h.modelarts.requests.slice(before).filter((r) => r.path.endsWith('/custom-endpoint/regions'));
    expect(calls).toHaveLength(2);
    if (fault.kind === 'rate-limit') expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('renews an expired IAM token once and retries the call', async () => {
    const logins = () => h.modelarts.requests.filter((r) => r.path === '/v3/auth/tokens').length;
    expect(logins()).toBe(1);
    h.modelarts.expireTokens();
    h.modelarts.addRegion({ region_id: 'ap-southeast-9', locales: { en_us: 'AP-New' } });
    const summary = await h.pass();
    expect(summary.ok).toBe(true);
    expect(summary.changes).toBe(1);
    expect(logins()).toBe(2);
  });

  it('reuses a cached IAM token across passes', async () => {
    await h.pass();
    await h.pass();
    expect(h.modelarts.requests.filter((r) => r.path === '/v3/auth/tokens')).toHaveLength(1);
  });
});

describe('deadlines', () => {
  it('ends the pass at its deadline when every upstream hangs, failing each scope and touching no snapshot', async () => {
    await h.close();
    h = await createHarness({ env: { UPSTREAM_TIMEOUT_MS: '60000', PASS_DEADLINE_MS: '1500' } });
    await h.pass();
    h.zilliz.faults.push({ kind: 'hang' }, { times: Infinity });
    h.modelarts.faults.push({ kind: 'hang' }, { times: Infinity, match: { path: /custom-endpoint/ } });
    const started = Date.now();
    const summary = await h.pass();
    // Only a pass that waited for the hung upstreams' own 60 s timeouts reaches this bound.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(summary.scopes.every((s) => s.outcome === 'failed' && s.error?.code === 'deadline')).toBe(true);
    expect(summary.changes).toBe(0);
  });

  it('lets a hung scope fail on its own while the others complete', async () => {
    await h.close();
    h = await createHarness({ env: { UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_RETRIES: '1' } });
    await h.pass();
    h.zilliz.faults.push({ kind: 'hang' }, { times: Infinity, match: { path: '/v1/regions' } });
    h.modelarts.addRegion({ region_id: 'ap-southeast-9', locales: { en_us: 'AP-New' } });
    const summary = await h.pass();
    expect(summary.scopes.filter((s) => s.source === 'zilliz').every((s) => s.outcome === 'failed' && s.error?.code === 'timeout')).toBe(true);
    expect(summary.scopes.find((s) => s.source === 'modelarts')).toMatchObject({ outcome: 'ok', added: 1 });
  });
});

describe('EventBridge faults', () => {
  it('delivers entries that failed in one pass in a later pass, with the same ids and no duplicates', async () => {
    await h.close();
    h = await createHarness();
    h.receiver.faults.failIf((entry) => entry.detailType === 'Region Added' && (entry.detail as { after?: { cloudId?: string } }).after?.cloudId === 'gcp');
    const first = await h.pass();
    expect(first.published.failed).toBe(6);
    expect(first.published.pending).toBe(1);
    h.receiver.faults.clear();
    const second = await h.pass();
    expect(second.published.pending).toBe(0);
    const committed = (await h.committedChanges()).map((c) => c.id).sort();
    expect(eventIds().sort()).toEqual(committed);
    expect(new Set(eventIds()).size).toBe(SAMPLE_REGIONS);
  });

  it('survives a full outage: nothing is lost, and later changesets wait behind the first', async () => {
    h.receiver.faults.outage(true);
    h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId: 'gcp-europe-west4' });
    const first = await h.pass();
    expect(first.published.published).toBe(0);
    h.zilliz.removeRegion('gcp', 'gcp-europe-west4');
    const second = await h.pass();
    expect(second.published.pending).toBe(2);
    h.receiver.faults.outage(false);
    const third = await h.pass();
    expect(third.published.pending).toBe(0);
    expect(h.receiver.events.map((e) => e.detailType)).toEqual(['Region Added', 'Region Removed']);
    expect(eventIds()).toEqual((await h.committedChanges()).slice(SAMPLE_REGIONS).map((c) => c.id));
  });
});

describe('concurrency', () => {
  it('four concurrent passes record and publish each change exactly once', async () => {
    await h.close();
    h = await createHarness();
    const summaries = await Promise.all([h.pass(), h.pass(), h.pass(), h.pass()]);
    const changes = await h.committedChanges();
    expect(changes).toHaveLength(SAMPLE_REGIONS);
    expect(new Set(changes.map((c) => c.regionKey)).size).toBe(SAMPLE_REGIONS);
    expect(summaries.reduce((n, s) => n + s.changes, 0)).toBe(SAMPLE_REGIONS);
    // Whatever pass publishes, each change goes out once (a pass may leave the rest to the lease holder).
    await h.pass();
    expect(eventIds().sort()).toEqual(changes.map((c) => c.id).sort());
  });
});

describe('secrets', () => {
  it('never appear in any log line, summary or stored status, even when the upstream rejects them', async () => {
    await h.close();
    h = await createHarness({ zillizKey: 'zk-SECRET-9f8e7d6c5b4a', huaweiPassword: 'hw-SECRET-Pa55w0rd!' });
    await h.pass();
    h.zilliz.faults.push({ kind: 'business-error', code: 80001, message: 'Illegal Api-Key zk-SECRET-9f8e7d6c5b4a', httpStatus: 401 }, { times: Infinity });
    h.modelarts.revokeTokens();
    const summary = await h.pass();
    expect(summary.ok).toBe(false);
    const everything = [...h.logLines, JSON.stringify(summary), JSON.stringify(await h.committedChanges()), JSON.stringify(h.receiver.events)].join('\n');
    expect(h.logLines.length).toBeGreaterThan(0);
    expect(everything).not.toContain('zk-SECRET-9f8e7d6c5b4a');
    expect(everything).not.toContain('hw-SECRET-Pa55w0rd!');
    const errors = summary.scopes.filter((s) => s.error).map((s) => s.error?.message ?? '');
    expect(errors.join(' ')).toContain('[REDACTED]');
  });
});
