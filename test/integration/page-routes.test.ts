/**
 * `GET /`, `GET /changes.atom` and the page's assets through the real catalog
 * handler, on a table filled by real passes against the simulators: what the
 * page and the feed show is checked against the simulators' own data, and the
 * same ETag / 304 discipline as the JSON routes. The page at a past point
 * (`/?at=`) is checked against the simulators' state as it was before the
 * change, and a region's story (`/?region=`) against the values the simulator
 * was given at each step. With the catalog published as a file, the page
 * links to latest.json, and the link serves, from the local S3 API, the very
 * bytes of `GET /regions`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { encodeCursor } from '../../lib/catalog/cursor';
import { PAGE_CSS, PAGE_JS } from '../../lib/catalog/page/assets';
import { LATEST_KEY } from '../../lib/store/catalog-layout';
import { s3Module } from '../../lib/store/s3';
import { startLocalS3, type LocalS3 } from '../../local/s3';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

let h: Harness;
let handler: TestHandler;
let s3: LocalS3;

interface SimulatorState {
  ids: string[];
  /** API base URL of each Zilliz region, as the simulator serves it. */
  urls: Record<string, string>;
}

/** The catalog's truth, from the simulators (not from our store), copied: the simulators' data changes in place. */
function simulatorState(): SimulatorState {
  const zilliz = Object.values(h.zilliz.data.regions).flatMap((list) => (list ?? []).map((r) => [`zilliz:${r.regionId}`, r.apiBaseUrl ?? '—'] as const));
  const modelarts = h.modelarts.data.region_items.map((r) => `modelarts:${r.region_id}`);
  return { ids: [...zilliz.map(([id]) => id), ...modelarts].sort(), urls: Object.fromEntries(zilliz) };
}

/** The catalog table's rows as the page renders them: id → API base URL. */
function rowsOf(html: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const m of html.matchAll(/<th scope="row"><a href="[^"]+">([^<]+)<\/a>(?: <span class="tag[^"]*">[^<]*<\/span>)?<\/th>.*?<td class="url">(?:<code>([^<]*)<\/code>|—)<\/td>/g)) rows[m[1]!] = m[2] ?? '—';
  return rows;
}

const nextCursor = async () => ((await call(handler, 'GET', '/changes?limit=500')).json as { next: string }).next;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** After the first pass, before any change: the simulators' state, the feed's cursor, and a time between the two passes. */
let first: { state: SimulatorState; cursor: string; time: string };

beforeAll(async () => {
  // The passes publish the catalog as files to a local S3 API (as `npm start` does).
  s3 = await startLocalS3({ bucket: 'region-sync-page' });
  // The S3 SDK is loaded once per process beside the first pass: loaded here, its import does not slow the upstream calls of the pass under test.
  await s3Module();
  h = await createHarness({ env: { CATALOG_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint } });
  await h.pass();
  handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
  // A commit is stamped with its pass's start: a time after the first pass and before the second lies between them.
  await sleep(5);
  first = { state: simulatorState(), cursor: await nextCursor(), time: new Date().toISOString() };
  await sleep(5);
  // One real change of each kind after the first pass.
  h.zilliz.addRegion('aws', { regionId: 'aws-sa-east-1', apiBaseUrl: 'https://api.aws-sa-east-1.zillizcloud.com' } as never);
  expect(h.zilliz.updateRegion('gcp', 'gcp-us-west1', { apiBaseUrl: 'https://new.example.com' })).toBe(true);
  expect(h.zilliz.removeRegion('az', 'az-eastus2') || h.zilliz.removeRegion('azure', 'az-eastus2')).toBe(true);
  h.modelarts.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: /custom-endpoint/ } });
  await h.pass();
});
afterAll(async () => {
  await h?.close();
  await s3?.stop();
});

describe('GET /', () => {
  it('serves the whole catalog, the health and the latest changes as HTML with a strict CSP', async () => {
    const res = await call(handler, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    const regions = (await call(handler, 'GET', '/regions')).json as { regions: { id: string }[] };
    expect(regions.regions.length).toBe(SAMPLE_REGIONS + 1 - 1);
    for (const r of regions.regions) expect(res.text).toContain(`>${r.id}</a>`);
    expect(res.text).toContain(`${regions.regions.length} of ${regions.regions.length} regions`);
    // Health: the failing ModelArts scope stands out, with its error code.
    expect(res.text).toMatch(/<tr class="alert degraded"><th scope="row">modelarts\/[0-9a-z]{32}<\/th><td data-label="Status"><span class="badge s-degraded">degraded/);
    // The last error with its time.
    expect(res.text).toMatch(/<code>[A-Za-z_.0-9-]+<\/code> at <time datetime="[^"]+">/);
    // Changes, newest first, each linking the region's story: the second pass's three; the first pass's
    // additions folded into one line per scope (its first sync).
    const kinds = [...res.text.matchAll(/<span class="kind"><span aria-hidden="true">. <\/span>(\w+)<\/span> <a href="([^"]+)">/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(kinds.sort()).toEqual(['Added /?region=zilliz%3Aaws-sa-east-1', 'Changed /?region=zilliz%3Agcp-us-west1', 'Removed /?region=zilliz%3Aaz-eastus2'].sort());
    expect([...res.text.matchAll(/<strong>([^<]+)<\/strong>: first sync, (\d+) regions/g)].map((m) => m[1]).sort()).toEqual(
      ['zilliz/aws', 'zilliz/azure', 'zilliz/gcp', `modelarts/${h.modelarts.projectId}`].sort(),
    );
    expect(res.text).toContain('<code>apiBaseUrl</code>: <del><span class="sr">was </span>');
    expect(res.text).toContain('<ins><span class="sr">now </span>https://new.example.com</ins>');
    // The catalog marks the rows the latest changes touched.
    expect(res.text).toContain('>zilliz:aws-sa-east-1</a> <span class="tag t-new">new</span></th>');
    expect(res.text).toContain('>zilliz:gcp-us-west1</a> <span class="tag t-changed">changed</span></th>');
    expect(res.text).toContain('href="/changes.atom"');
    // Only its own assets, by path, nothing inline.
    expect(res.text).toContain(`<link rel="stylesheet" href="${PAGE_CSS.href}">`);
    expect(res.text).toContain(`<script src="${PAGE_JS.href}" defer></script>`);
    expect(res.text).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
  });

  it('filters on the server: search text, source and cloud from the GET form', async () => {
    const byCloud = await call(handler, 'GET', '/?cloud=gcp');
    const ids = [...byCloud.text.matchAll(/<tr data-source[^>]*><th scope="row"><a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    const truth = h.zilliz.data.regions.gcp?.map((r) => `zilliz:${r.regionId}`).sort();
    expect(ids).toEqual(truth);
    expect(byCloud.text).toContain('<option value="gcp" selected>gcp</option>');
    const search = await call(handler, 'GET', '/?q=SA-EAST');
    expect([...search.text.matchAll(/<th scope="row"><a [^>]+>([^<]+)</g)].map((m) => m[1])).toEqual(['zilliz:aws-sa-east-1']);
    const none = await call(handler, 'GET', '/?source=modelarts&cloud=aws');
    expect(none.text).toContain('No region matches.');
  });

  it('paginates with links that keep the query', async () => {
    const first = await call(handler, 'GET', '/?limit=10');
    expect([...first.text.matchAll(/<th scope="row"><a /g)].length).toBe(10);
    expect(first.text).toContain('href="/?page=2&amp;limit=10" rel="next"');
    const last = await call(handler, 'GET', '/?limit=10&page=3');
    expect([...last.text.matchAll(/<th scope="row"><a /g)].length).toBe(SAMPLE_REGIONS - 20);
    expect(last.text).toContain('rel="prev"');
  });

  it('answers 304 to its own tag and compresses with br', async () => {
    const first = await call(handler, 'GET', '/', { 'accept-encoding': 'br' });
    expect(first.headers['content-encoding']).toBe('br');
    const tag = first.headers.etag ?? '';
    expect(tag).toMatch(/^"v\d+-[0-9a-f]{12}-br"$/);
    const again = await call(handler, 'GET', '/', { 'if-none-match': tag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers['content-security-policy']).toContain("default-src 'none'");
    // Another query, another tag.
    expect((await call(handler, 'GET', '/?cloud=aws', { 'if-none-match': tag })).status).toBe(200);
  });

  it('answers a bad parameter with a 400 problem naming it', async () => {
    for (const [url, name] of [['/?source=aws', 'source'], ['/?page=0', 'page'], ['/?limit=9999', 'limit'], [`/?q=${'x'.repeat(101)}`, 'q']] as const) {
      const res = await call(handler, 'GET', url);
      expect(res.status, url).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect((res.json as { detail: string }).detail).toMatch(new RegExp(`^${name}:`));
    }
  });

  it('serves its style sheet and script with their types, tags and a year of caching at the linked URL', async () => {
    for (const a of [PAGE_CSS, PAGE_JS]) {
      const res = await call(handler, 'GET', a.href);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(a.contentType);
      expect(res.headers['cache-control']).toContain('immutable');
      expect(res.text).toBe(a.body);
      expect((await call(handler, 'GET', a.path, { 'if-none-match': res.headers.etag ?? '' })).status).toBe(304);
    }
    expect((await call(handler, 'POST', '/')).status).toBe(405);
  });
});

describe('GET /changes.atom', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'link'].includes(name) });
  type Link = { '@rel': string; '@href': string; '@type'?: string };
  type Entry = { id: string; title: string; updated: string; summary: string; link: Link[]; author?: unknown };
  type Feed = { feed: { '@xmlns': string; id: string; title: string; updated: string; author?: { name: string }; link: Link[]; entry?: Entry[] } };

  const feedOf = async (url: string, headers: Record<string, string> = {}) => {
    const res = await call(handler, 'GET', url, headers);
    expect(res.status).toBe(200);
    expect(XMLValidator.validate(res.text)).toBe(true);
    return { res, feed: (parser.parse(res.text) as Feed).feed };
  };

  it('is a well-formed Atom 1.0 feed with every element RFC 4287 requires', async () => {
    const { res, feed } = await feedOf('/changes.atom', { host: 'api.example.com', 'x-forwarded-proto': 'https' });
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toMatch(/^urn:region-sync:/);
    expect(feed.title).toBeTruthy();
    expect(Number.isNaN(Date.parse(feed.updated))).toBe(false);
    // atom:author is required on the feed unless every entry has one.
    const entries = feed.entry ?? [];
    expect(feed.author?.name || entries.every((e) => e.author)).toBeTruthy();
    expect(feed.link.find((l) => l['@rel'] === 'self')).toMatchObject({ '@href': 'https://api.example.com/changes.atom', '@type': 'application/atom+xml' });
    expect(feed.link.find((l) => l['@rel'] === 'alternate')).toMatchObject({ '@href': 'https://api.example.com/', '@type': 'text/html' });
    for (const e of entries) {
      expect(e.id).toMatch(/^urn:region-sync:change:[0-9A-Z]{26}$/);
      expect(e.title).toMatch(/^Region (Added|Removed|Changed): (zilliz|modelarts):\S+$/);
      expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
      // An entry without atom:content must link rel="alternate" (RFC 4287, 4.1.2): the story (HTML) first, the JSON beside it.
      expect(e.link.filter((l) => l['@rel'] === 'alternate').map((l) => l['@type'])).toEqual(['text/html', 'application/json']);
    }
    // Exactly one id, title and updated on the feed; one alternate link of each type.
    expect(feed.link.filter((l) => l['@rel'] === 'alternate' && l['@type'] === 'text/html')).toHaveLength(1);
  });

  it('lists the latest changes newest first, up to limit (default 50), with the truth of the change records', async () => {
    const committed = await h.committedChanges();
    const { feed } = await feedOf('/changes.atom');
    const entries = feed.entry ?? [];
    expect(entries.length).toBe(Math.min(50, committed.length));
    const newestFirst = committed.slice().reverse();
    expect(entries.map((e) => e.id)).toEqual(newestFirst.slice(0, entries.length).map((c) => `urn:region-sync:change:${c.id}`));
    expect(entries.map((e) => e.updated)).toEqual(newestFirst.slice(0, entries.length).map((c) => c.detectedAt));
    const changed = entries.find((e) => e.title === 'Region Changed: zilliz:gcp-us-west1');
    expect(changed?.summary).toMatch(/^apiBaseUrl: \S+ → https:\/\/new\.example\.com$/);
    expect(entries.find((e) => e.title === 'Region Added: zilliz:aws-sa-east-1')?.link[0]?.['@href']).toBe('https://api.example.com/?region=zilliz%3Aaws-sa-east-1');
    expect(entries.find((e) => e.title === 'Region Added: zilliz:aws-sa-east-1')?.link[1]?.['@href']).toBe('https://api.example.com/regions/zilliz/aws-sa-east-1/history');
    expect((await feedOf('/changes.atom?limit=2')).feed.entry?.length).toBe(2);
  });

  it('filters by source and answers 304 to its tag', async () => {
    const { res, feed } = await feedOf('/changes.atom?source=modelarts');
    const committed = (await h.committedChanges()).filter((c) => c.source === 'modelarts');
    expect((feed.entry ?? []).map((e) => e.title).sort()).toEqual(committed.map((c) => `Region Added: ${c.regionKey}`).sort());
    expect(feed.link.find((l) => l['@rel'] === 'self')?.['@href']).toMatch(/\/changes\.atom\?source=modelarts$/);
    expect((await call(handler, 'GET', '/changes.atom?source=modelarts', { 'if-none-match': res.headers.etag ?? '' })).status).toBe(304);
    expect((await call(handler, 'GET', '/changes.atom?source=nope')).status).toBe(400);
    expect((await call(handler, 'GET', '/changes.atom?limit=0')).status).toBe(400);
  });
});

describe('GET /?at=: the page at a past point', () => {
  it('at the cursor before the changes shows the simulators\' catalog as it was then, as /regions?at= does, immutable', async () => {
    const res = await call(handler, 'GET', `/?at=${first.cursor}`, { 'accept-encoding': 'br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['cache-control']).toContain('immutable');
    const rows = rowsOf(res.text);
    expect(Object.keys(rows)).toEqual(first.state.ids);
    for (const [id, url] of Object.entries(first.state.urls)) expect(rows[id], id).toBe(url);
    // Now differs: the change and the removal are not there yet.
    expect(simulatorState().ids).not.toEqual(first.state.ids);
    const api = (await call(handler, 'GET', `/regions?at=${first.cursor}`)).json as { regions: { id: string }[]; version: string; syncedAt: string };
    expect(api.regions.map((r) => r.id)).toEqual(Object.keys(rows));
    expect(res.text).toContain(`<strong>Viewing the catalog as of <time datetime="${api.syncedAt}">`);
    expect(res.text).toMatch(new RegExp(`, version ${api.version}</strong> — <a href="/">back to now</a>`));
    // The health is not history: said so, not shown.
    expect(res.text).toContain('Health is not kept in history');
    expect(res.text).not.toContain('<table id="health">');
    // The changes a client held then: the first pass's, none of the second's.
    expect(res.text).toContain('<h2 id="changes-h">Changes up to version');
    expect(res.text).not.toMatch(/Region (Removed|Changed)<\/span>/);
    // The forms and links keep the point; 304 to its own tag.
    expect(res.text).toContain(`<input type="hidden" name="at" value="${first.cursor}">`);
    expect(res.text).toContain(`<input type="text" id="at" name="at" value="${first.cursor}"`);
    const again = await call(handler, 'GET', `/?at=${first.cursor}`, { 'if-none-match': res.headers.etag ?? '' });
    expect(again.status).toBe(304);
    expect((await call(handler, 'GET', '/', { 'if-none-match': res.headers.etag ?? '' })).status).toBe(200);
  });

  it('at a time between the passes shows the same catalog, filtered by the query, and is not immutable yet', async () => {
    const res = await call(handler, 'GET', `/?at=${encodeURIComponent(first.time)}&cloud=gcp`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    const rows = rowsOf(res.text);
    expect(Object.keys(rows)).toEqual(first.state.ids.filter((id) => id.startsWith('zilliz:gcp-')));
    expect(rows['zilliz:gcp-us-west1']).toBe(first.state.urls['zilliz:gcp-us-west1']);
    expect(rows['zilliz:gcp-us-west1']).not.toBe('https://new.example.com');
    const all = rowsOf((await call(handler, 'GET', `/?at=${encodeURIComponent(first.time)}`)).text);
    expect(Object.keys(all)).toEqual(first.state.ids);
  });

  it('answers a bad or future point with 400 naming at, one older than the retention with 410, as /regions?at= does', async () => {
    const cases = [
      ['last tuesday', 400],
      [new Date(Date.now() + 3_600_000).toISOString(), 400],
      [encodeCursor({ seq: 999, index: 0 }), 400],
      ['2020-01-01T00:00:00Z', 410],
    ] as const;
    for (const [at, status] of cases) {
      const page = await call(handler, 'GET', `/?at=${encodeURIComponent(at)}`);
      const api = await call(handler, 'GET', `/regions?at=${encodeURIComponent(at)}`);
      expect([page.status, api.status], at).toEqual([status, status]);
      expect(page.headers['content-type']).toBe('application/problem+json');
      const detail = (page.json as { detail: string }).detail;
      expect(detail).toMatch(/^at:/);
      expect(detail).toBe((api.json as { detail: string }).detail);
    }
    expect((await call(handler, 'GET', `/?at=${'1'.repeat(65)}`)).status).toBe(400);
  });
});

describe('GET /?region=: one region\'s story', () => {
  const key = 'zilliz:aws-sa-east-1';
  const changedUrl = 'https://changed.example.com';
  let addedUrl: string;
  let beforeRemoval: { state: SimulatorState; cursor: string };

  beforeAll(async () => {
    addedUrl = h.zilliz.data.regions.aws?.find((r) => r.regionId === 'aws-sa-east-1')?.apiBaseUrl ?? '';
    expect(addedUrl).toMatch(/^https:/);
    expect(h.zilliz.updateRegion('aws', 'aws-sa-east-1', { apiBaseUrl: changedUrl })).toBe(true);
    await h.pass();
    beforeRemoval = { state: simulatorState(), cursor: await nextCursor() };
    expect(h.zilliz.removeRegion('aws', 'aws-sa-east-1')).toBe(true);
    await h.pass();
  });

  it('lists its addition, change and removal, oldest first, with the values the simulator had, and links its JSON', async () => {
    const res = await call(handler, 'GET', `/?region=${key}`);
    expect(res.status).toBe(200);
    const section = /<section id="history"[^]*?<\/section>/.exec(res.text)?.[0] ?? '';
    expect(section).toContain(`<h2 id="history-h">History of ${key}</h2>`);
    expect([...section.matchAll(/<li class="k-\w+"><span class="kind"><span aria-hidden="true">. <\/span>(\w+)<\/span>/g)].map((m) => m[1])).toEqual(['Added', 'Changed', 'Removed']);
    expect(section).toContain(`<code>${addedUrl}</code>`);
    expect(section).toContain(`<code>apiBaseUrl</code>: <del><span class="sr">was </span>${addedUrl}</del> <span class="arrow" aria-hidden="true">→</span> <ins><span class="sr">now </span>${changedUrl}</ins>`);
    // Removed: no JSON of the region now, its history JSON still.
    expect(section).toContain('not in the catalog now');
    expect(section).toContain('href="/regions/zilliz/aws-sa-east-1/history"');
    const json = (await call(handler, 'GET', '/regions/zilliz/aws-sa-east-1/history')).json as { changes: { type: string }[] };
    expect(json.changes.map((c) => c.type)).toEqual(['region.added', 'region.changed', 'region.removed']);
    // A region in the catalog links its JSON.
    const current = await call(handler, 'GET', '/?region=zilliz:gcp-us-west1');
    expect(current.text).toContain('<a href="/regions/zilliz/gcp-us-west1">region JSON</a>');
  });

  it('is reached from each row and, for a removed region, from the latest changes', async () => {
    const res = await call(handler, 'GET', '/');
    expect(res.text).toContain('<th scope="row"><a href="/?region=zilliz%3Agcp-us-west1">zilliz:gcp-us-west1</a>');
    expect(res.text).toContain(`<span aria-hidden="true">− </span>Removed</span> <a href="/?region=zilliz%3Aaws-sa-east-1">${key}</a>`);
    expect(rowsOf(res.text)[key]).toBeUndefined();
  });

  it('at the cursor before the removal, the page holds the region as the simulator last served it', async () => {
    const rows = rowsOf((await call(handler, 'GET', `/?at=${beforeRemoval.cursor}`)).text);
    expect(Object.keys(rows)).toEqual(beforeRemoval.state.ids);
    expect(rows[key]).toBe(changedUrl);
  });

  it('answers a malformed region with 400 naming it, and one never seen with 404', async () => {
    const bad = await call(handler, 'GET', '/?region=aws-sa-east-1');
    expect(bad.status).toBe(400);
    expect((bad.json as { detail: string }).detail).toMatch(/^region:/);
    expect((await call(handler, 'GET', '/?region=zilliz:nowhere-1')).status).toBe(404);
  });
});

describe('the page for people, second pass', () => {
  it('answers a browser an HTML error page, a program problem+json, same status and words', async () => {
    const browser = await call(handler, 'GET', '/?region=nope', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.status).toBe(400);
    expect(browser.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(browser.text).toContain('<h1>400: ');
    expect(browser.text).toContain('region: expected &lt;source&gt;:&lt;regionId&gt;');
    expect(browser.text).toContain('<a href="/">Back to the region catalog</a>');
    const program = await call(handler, 'GET', '/?region=nope', { accept: 'application/json' });
    expect(program.headers['content-type']).toBe('application/problem+json');
    expect((program.json as { detail: string }).detail).toContain('region: expected <source>:<regionId>');
    expect((await call(handler, 'GET', '/?region=zilliz:no-such-region', { accept: 'text/html' })).text).toContain('<h1>404: ');
  });

  it('"View at" takes YYYY-MM-DD HH:MM, and says "before the first sync" where that is true', async () => {
    // An hour ago: within the retention, before this table's first pass.
    const hourAgo = new Date(Date.now() - 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    const before = await call(handler, 'GET', `/?at=${encodeURIComponent(hourAgo)}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain('Viewing the catalog before the first sync');
    expect(Object.keys(rowsOf(before.text))).toEqual([]);
    const t = new Date(Date.parse(first.time) + 0);
    const minute = new Date(Math.ceil(t.getTime() / 60_000) * 60_000 - 60_000).toISOString().slice(0, 16).replace('T', ' ');
    const plain = await call(handler, 'GET', `/?at=${encodeURIComponent(minute)}`);
    expect(plain.status).toBe(200);
  });

  it('says so when paging past the end', async () => {
    const res = await call(handler, 'GET', '/?page=999');
    expect(res.text).toContain('Page 999 of 1: past the end');
    expect(res.text).toMatch(/Page 999 is past the end: \d+ regions match, on 1 page/);
    expect(res.text).not.toMatch(/\d+ of \d+ regions/);
  });

  it('the change list follows the filters, and pages through the feed with "older"', async () => {
    const gcp = await call(handler, 'GET', '/?cloud=gcp');
    const section = /<section id="changes"[^]*?<\/section>/.exec(gcp.text)?.[0] ?? '';
    expect(section).toContain('zilliz:gcp-us-west1');
    expect(section).not.toContain('zilliz:aws-sa-east-1');
    expect(section).toContain('<strong>filtered</strong>');
    // One page of the "older" link: the changes before a place, the filters kept.
    const committed = await h.committedChanges();
    const older = await call(handler, 'GET', '/?older=1.5');
    const listed = [...older.text.matchAll(/<li><a href="\/\?region=([^"]+)">/g)].map((m) => decodeURIComponent(m[1]!));
    expect(listed.sort()).toEqual(committed.slice(0, 5).map((c) => c.regionKey).sort());
    expect(older.text).toContain('Older changes');
    expect((await call(handler, 'GET', '/?older=x')).status).toBe(400);
  });
});

describe('the catalog file', () => {
  const fileLink = (html: string) => [...html.matchAll(/<a href="([^"]+)"[^>]*>catalog file \(latest\.json\)<\/a>/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

  it('is linked from the page, now and at a past point, when CATALOG_FILE_URL is set; the link serves the bytes of GET /regions', async () => {
    const url = s3.url(LATEST_KEY);
    const withFile = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30, catalogFileUrl: url }) as TestHandler;
    const page = await call(withFile, 'GET', '/');
    expect(page.status).toBe(200);
    expect(fileLink(page.text)).toEqual([url]);
    // What the link serves, read from the S3 API, is the API's own answer.
    const served = await fetch(fileLink(page.text)[0]!);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe((await call(withFile, 'GET', '/regions', { 'accept-encoding': 'identity' })).text);
    // A past view links to the same (latest) file.
    expect(fileLink((await call(withFile, 'GET', `/?at=${encodeURIComponent(first.cursor)}`)).text)).toEqual([url]);
  });

  it('is not linked without CATALOG_FILE_URL', async () => {
    expect(fileLink((await call(handler, 'GET', '/')).text)).toEqual([]);
  });
});
