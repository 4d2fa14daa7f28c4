/**
 * Signed webhooks end to end: the events of a real sync pass go through the
 * deliver handler (its endpoints read with the real Secrets Manager client
 * from a local stand-in, its queue modelled locally) to our webhook receiver
 * over real sockets. Every delivery is verified by the `standardwebhooks`
 * library with the endpoint's secret, an independent implementation; a
 * receiver that fails, hangs and answers slowly shows the retries, their
 * backoff, no loss and one id; bad endpoints are named, never shown.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/core/log';
import type { Change } from '../../lib/core/api-records';
import { parseEndpoints } from '../../lib/deliver/endpoints';
import type { BusEvent } from '../../lib/deliver/messages';
import { replayChanges } from '../../lib/deliver/replay';
import { signature } from '../../lib/deliver/sign';
import type { ReceivedEvent } from '../../local/event-receiver';
import { generateSecret, startLocalWebhooks, type LocalWebhooks } from '../../local/webhooks';
import type { Delivery } from '../../local/webhook-receiver';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

const busEvent = (e: ReceivedEvent): BusEvent => ({
  id: e.eventId,
  'detail-type': e.detailType,
  source: e.source,
  time: (e.time ?? e.receivedAt).replace(/\.\d{3}Z$/, 'Z'),
  detail: e.detail,
});

let h: Harness;
let events: BusEvent[];
const stacks: LocalWebhooks[] = [];

async function webhooks(options: Parameters<typeof startLocalWebhooks>[0] & { lines?: string[] }): Promise<LocalWebhooks> {
  const lines = options.lines ?? [];
  const stack = await startLocalWebhooks({ log: createLogger({ function: 'deliver' }, (line) => lines.push(line), 'debug'), ...options });
  stacks.push(stack);
  return stack;
}

const headersOf = (d: Delivery) => d.headers as Record<string, string>;

beforeAll(async () => {
  h = await createHarness();
  await h.pass();
  events = h.receiver.events.map(busEvent);
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await h?.close();
});

describe('signed webhooks', () => {
  it('every delivery of a sync pass verifies with standardwebhooks and the endpoint secret, body {type, timestamp, data}, id = change id', async () => {
    const lines: string[] = [];
    let other = '';
    const stack = await webhooks({
      lines,
      endpoints: (url, secret) => {
        other = generateSecret();
        return [
          { name: 'alpha', url: `${url}/alpha`, secret },
          { name: 'beta', url: `${url}/beta`, secret: other, types: ['Region Removed', 'source.degraded'] },
        ];
      },
    });
    for (const e of events) stack.onEvent(e);
    await stack.queue.idle();
    const alpha = stack.receiver.delivered().filter((d) => d.endpoint === 'alpha');
    expect(alpha).toHaveLength(SAMPLE_REGIONS);
    // beta takes only what its types name: nothing of a first pass.
    expect(stack.receiver.requests.filter((d) => d.endpoint === 'beta')).toEqual([]);
    const verifier = new Webhook(stack.secret);
    const byId = new Map(events.map((e) => [(e.detail as Change).id, e]));
    for (const d of alpha) {
      const payload = verifier.verify(d.body, headersOf(d)) as { type: string; timestamp: string; data: Change };
      const event = byId.get(d.headers['webhook-id'] ?? '');
      expect(event).toBeDefined();
      expect(payload).toEqual({ type: 'region.added', timestamp: (event?.detail as Change).detectedAt, data: event?.detail });
      // Another endpoint's secret does not verify it.
      expect(() => new Webhook(other).verify(d.body, headersOf(d))).toThrow();
    }
    expect(new Set(alpha.map((d) => d.headers['webhook-id'])).size).toBe(SAMPLE_REGIONS);
    expect(lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });

  it('tampering with the body, the id or the timestamp, or a replay outside the tolerance, fails verification', async () => {
    const stack = await webhooks({});
    stack.onEvent(events[0] as BusEvent);
    await stack.queue.idle();
    const [d] = stack.receiver.delivered();
    if (!d) throw new Error('no delivery');
    const verifier = new Webhook(stack.secret);
    const headers = headersOf(d);
    expect(() => verifier.verify(d.body, headers)).not.toThrow();
    expect(() => verifier.verify(d.body.replace('region.added', 'region.removed'), headers)).toThrow();
    expect(() => verifier.verify(`${d.body} `, headers)).toThrow();
    expect(() => verifier.verify(d.body, { ...headers, 'webhook-id': `${headers['webhook-id']}X` })).toThrow();
    expect(() => verifier.verify(d.body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) })).toThrow();
    // The same request received again six minutes later (the library's tolerance is five).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expect(() => verifier.verify(d.body, headers)).toThrow(/timestamp/i);
  });

  it('a receiver that fails, hangs and answers too slowly gets the same id and body on every try, with growing backoff, until delivered; another endpoint is not delayed', async () => {
    const stack = await webhooks({
      timeScale: 0.001,
      timeoutMs: 300,
      endpoints: (url, secret) => [
        { name: 'flaky', url: `${url}/flaky`, secret },
        { name: 'steady', url: `${url}/steady`, secret },
      ],
    });
    stack.receiver.script('flaky', [{ status: 500 }, { hang: true }, { status: 204, delayMs: 1_000 }, { status: 429 }]);
    const sent = events.slice(0, 3);
    for (const e of sent) stack.onEvent(e);
    await stack.queue.idle();
    const ids = sent.map((e) => (e.detail as Change).id).sort();
    const flaky = stack.receiver.requests.filter((d) => d.endpoint === 'flaky');
    const steady = stack.receiver.requests.filter((d) => d.endpoint === 'steady');
    // No loss, no duplicate for the endpoint that never failed.
    expect(steady.map((d) => d.headers['webhook-id']).sort()).toEqual(ids);
    expect([...new Set(stack.receiver.delivered().filter((d) => d.endpoint === 'flaky').map((d) => d.headers['webhook-id']))].sort()).toEqual(ids);
    // Four failed tries (500, no answer, too slow, 429), then each event once more.
    expect(flaky).toHaveLength(ids.length + 4);
    expect(stack.queue.dead).toEqual([]);
    // Every try of one event: the same id, the same body, a signature that verifies.
    const verifier = new Webhook(stack.secret);
    for (const id of ids) {
      const tries = flaky.filter((d) => d.headers['webhook-id'] === id);
      expect(new Set(tries.map((d) => d.body)).size).toBe(1);
      for (const d of tries) expect(() => verifier.verify(d.body, headersOf(d))).not.toThrow();
    }
    // The steady endpoint did not wait behind the flaky one's retries: its deliveries began before the first retry
    // (a delivery that retried inline, endpoint after endpoint, would reach it only after them). How many of the three
    // land before that retry depends on the scheduler of a loaded machine, so only the start is asserted.
    const firstRetry = stack.receiver.requests.findIndex((d, i) => d.endpoint === 'flaky' && stack.receiver.requests.slice(0, i).some((p) => p.endpoint === 'flaky' && p.headers['webhook-id'] === d.headers['webhook-id']));
    expect(stack.receiver.requests.slice(0, firstRetry).filter((d) => d.endpoint === 'steady').length).toBeGreaterThanOrEqual(1);
    // Backoff: the n-th retry of an item waits within [½, 1] of 30 s · 2^(n-1).
    for (const { item, delaySeconds } of stack.queue.scheduled) {
      const step = 30 * 2 ** (item.attempt - 1);
      expect(item.endpoint).toBe('flaky');
      expect(delaySeconds).toBeGreaterThanOrEqual(step / 2);
      expect(delaySeconds).toBeLessThanOrEqual(step);
    }
  });

  it('an endpoint that keeps failing is retried for 24 hours with backoff capped at an hour, then kept in the dead-letter queue', async () => {
    const stack = await webhooks({ timeScale: 0.00001, timeoutMs: 300 });
    stack.receiver.script('local', Array.from({ length: 200 }, () => ({ status: 503 })));
    stack.onEvent(events[0] as BusEvent);
    await stack.queue.idle(30_000);
    expect(stack.queue.dead).toHaveLength(1);
    const [dead] = stack.queue.dead;
    const delays = stack.queue.scheduled.map((s) => s.delaySeconds);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3600 - 3600);
    expect(Math.max(...delays)).toBeLessThanOrEqual(3600);
    expect(dead?.item.attempt).toBe(stack.receiver.requests.length);
    expect(new Set(stack.receiver.requests.map((d) => d.headers['webhook-id']))).toEqual(new Set([(events[0]?.detail as Change).id]));
    expect(stack.receiver.delivered()).toEqual([]);
  });

  it('bad endpoints are each named in one log line, never by URL or secret, and the others are still delivered', async () => {
    const lines: string[] = [];
    const leaks: string[] = [];
    const stack = await webhooks({
      lines,
      endpoints: (url, secret) => {
        const plain = 'http://hooks.example.com/T000/B000/secret-path-1';
        const badSecret = 'whsec_not*base64!';
        leaks.push(plain, badSecret, 'sk-very-secret-token');
        return [
          { name: 'good', url: `${url}/good`, secret },
          { name: 'plain-http', url: plain, secret },
          { name: 'bad-secret', url: `${url}/bad-secret`, secret: badSecret },
          { name: 'no-prefix', url: `${url}/no-prefix`, secret: 'sk-very-secret-token' },
          { name: 'unknown-type', url: `${url}/unknown`, secret, types: ['Region Exploded'] },
        ];
      },
    });
    for (const e of events.slice(0, 2)) stack.onEvent(e);
    await stack.queue.idle();
    expect(stack.receiver.delivered().map((d) => d.endpoint)).toEqual(['good', 'good']);
    const skipped = lines.filter((l) => l.includes('webhook endpoint skipped')).map((l) => (JSON.parse(l) as { endpoint: string }).endpoint);
    expect(skipped.sort()).toEqual(['bad-secret', 'no-prefix', 'plain-http', 'unknown-type']);
    for (const leak of [...leaks, stack.receiver.url]) expect(lines.join('\n')).not.toContain(leak);
  });

  it('a secret that does not parse delivers nothing and logs one line that shows none of it', async () => {
    const lines: string[] = [];
    const stack = await webhooks({ lines, endpoints: () => '[{"name": "x", "url": "https://example.com/hook-secret", secret: whsec_…' });
    stack.onEvent(events[0] as BusEvent);
    await stack.queue.idle();
    expect(stack.receiver.requests).toEqual([]);
    const errors = lines.filter((l) => l.includes('"level":"error"'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('not JSON');
    expect(lines.join('\n')).not.toContain('hook-secret');
  });

  it('a changed secret changes the endpoints without a restart (read again after the interval)', async () => {
    let base = '';
    let secret = '';
    const stack = await webhooks({ endpointsMaxAgeMs: 50, endpoints: (url, s) => ((base = url), (secret = s), [{ name: 'one', url: `${url}/one`, secret: s }]) });
    stack.onEvent(events[0] as BusEvent);
    await stack.queue.idle();
    stack.secretsManager.set('region-sync/webhooks', JSON.stringify([{ name: 'two', url: `${base}/two`, secret }]));
    await new Promise((r) => setTimeout(r, 80));
    stack.onEvent(events[1] as BusEvent);
    await stack.queue.idle();
    expect(stack.receiver.delivered().map((d) => d.endpoint)).toEqual(['one', 'two']);
    expect(stack.secretsManager.reads).toBe(2);
  });

  it('a replay from the feed sends the same ids and bodies, and the same id, body and timestamp give the same signature', async () => {
    const stack = await webhooks({});
    for (const e of events) stack.onEvent(e);
    await stack.queue.idle();
    const original = new Map(stack.receiver.delivered().map((d) => [d.headers['webhook-id'], d]));
    const { endpoints } = parseEndpoints(JSON.stringify([{ name: 'local', url: `${stack.receiver.url}/local`, secret: stack.secret }]));
    const [endpoint] = endpoints;
    if (!endpoint) throw new Error('no endpoint');
    const changes = await h.committedChanges();
    const results = await replayChanges(endpoint, changes);
    expect(results.every((r) => r.result.ok)).toBe(true);
    const replayed = stack.receiver.delivered().slice(original.size);
    expect(replayed).toHaveLength(changes.length);
    const verifier = new Webhook(stack.secret);
    for (const d of replayed) {
      const first = original.get(d.headers['webhook-id']);
      expect(d.body).toBe(first?.body);
      expect(() => verifier.verify(d.body, headersOf(d))).not.toThrow();
      const at = Number(first?.headers['webhook-timestamp']);
      // The library signs the replayed body at the first delivery's time: the first signature.
      expect(verifier.sign(d.headers['webhook-id'] ?? '', new Date(at * 1000), d.body)).toBe(first?.headers['webhook-signature']);
      expect(signature(endpoint.key, d.headers['webhook-id'] ?? '', at, d.body)).toBe(first?.headers['webhook-signature']);
    }
  });
});
