/**
 * The page in a real browser (headless Chromium), served by the real catalog
 * handler over a real socket (local/http-adapter.ts), on a table filled by
 * real passes against the simulators: what it shows is checked against the
 * simulators' data; search and filters with JavaScript (instant, in place)
 * and without (the GET form); no request to another origin; its CSP enforced;
 * axe-core finds no violation. The "view at" form, with JavaScript off, shows
 * the simulators' catalog as it was before the changes, and a row's link shows
 * that region's story. Saves a screenshot to .local/artifacts/page.png (and
 * the past and history views' to page-past.png, page-history.png). With the
 * catalog published as a file (a local S3 API), the page's link opens
 * latest.json, which holds what `GET /regions` answers.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { LATEST_KEY } from '../../lib/store/catalog-layout';
import { s3Module } from '../../lib/store/s3';
import { startHttpAdapter, type HttpAdapter } from '../../local/http-adapter';
import { startLocalS3, type LocalS3 } from '../../local/s3';
import { LOCAL_DIR } from '../../local/stack';
import { createHarness, type Harness } from '../support/harness';
import { launchBrowser } from './browser';

// The page's globals as the callbacks run in the browser use them (the project's lib has no DOM).
declare const document: {
  createElement(tag: string): { textContent: string };
  head: { append(node: unknown): void };
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): { length: number };
};
declare const window: Record<string, unknown>;
declare function getComputedStyle(element: unknown): { color: string };

export const SCREENSHOT = join(LOCAL_DIR, 'artifacts', 'page.png');
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let h: Harness;
let api: HttpAdapter;
let s3: LocalS3;
let browser: Browser;
const requests: string[] = [];
const violations: string[] = [];
const timings: Record<string, number> = {};
/** After the first pass, before any change: the simulators' catalog and the feed's cursor there. */
let first: { ids: string[]; cursor: string };

async function open(context: BrowserContext, path = '/'): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(api.url + path);
  return page;
}

const rowIds = (page: Page) => page.$$eval('#catalog tbody tr:not([hidden]) th[scope=row] a', (cells) => cells.map((c) => c.textContent ?? ''));

beforeAll(async () => {
  const t0 = Date.now();
  // The passes publish the catalog as files to a local S3 API, and the page links to latest.json (as `npm start` does).
  s3 = await startLocalS3({ bucket: 'region-sync-browser' });
  // The S3 SDK is loaded once per process beside the first pass: loaded here, its import does not slow the upstream calls of the pass under test.
  await s3Module();
  h = await createHarness({ env: { CATALOG_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint } });
  await h.pass();
  const handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30, catalogFileUrl: s3.url(LATEST_KEY) });
  api = await startHttpAdapter({ handler });
  first = { ids: truthIds(), cursor: ((await (await fetch(`${api.url}/changes?limit=500`)).json()) as { next: string }).next };
  h.zilliz.addRegion('aws', { regionId: 'aws-sa-east-1', apiBaseUrl: 'https://api.aws-sa-east-1.zillizcloud.com' } as never);
  h.zilliz.updateRegion('gcp', 'gcp-us-west1', { apiBaseUrl: 'https://api2.gcp-us-west1.zillizcloud.com' });
  h.modelarts.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: /custom-endpoint/ } });
  await h.pass();
  timings.data = Date.now() - t0;
  const t1 = Date.now();
  browser = await launchBrowser();
  timings.launch = Date.now() - t1;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await h?.close();
  await s3?.stop();
  console.log(`browser test timings (ms): ${JSON.stringify(timings)}`);
});

/** The catalog's truth, from the simulators (not from our store). */
function truthIds(): string[] {
  const zilliz = Object.values(h.zilliz.data.regions).flatMap((list) => (list ?? []).map((r) => `zilliz:${r.regionId}`));
  const modelarts = h.modelarts.data.region_items.map((r) => `modelarts:${r.region_id}`);
  return [...zilliz, ...modelarts].sort();
}

describe('the page in Chromium', () => {
  it('renders the catalog, the health and the changes, with JavaScript on, and enforces its CSP', async () => {
    const t = Date.now();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await open(context);
    expect(await rowIds(page)).toEqual(truthIds());
    const degraded = page.locator('#health tr.alert.degraded th[scope=row]');
    expect(await degraded.textContent()).toBe(`modelarts/${h.modelarts.projectId}`);
    // The latest pass first, its changes by kind with their values; the first sync folded into one line per scope.
    const passes = await page.$$eval('ol.passes > li.pass', (items) => items.map((li) => Array.from(li.querySelectorAll(':scope > ul > li')).map((x) => ((x as { textContent: string | null }).textContent ?? '').replace(/\s+/g, ' ').trim())));
    expect(passes).toHaveLength(2);
    expect(passes[0]!.map((c) => c.split(' ').slice(0, 3).join(' ').replace(/apiBaseUrl:$/, '')).sort()).toEqual(['+ Added zilliz:aws-sa-east-1', '~ Changed zilliz:gcp-us-west1']);
    expect(passes[0]!.find((c) => c.includes('Changed'))).toContain('→ now https://api2.gcp-us-west1.zillizcloud.com');
    expect(passes[1]!.filter((c) => / first sync, \d+ regions/.test(c))).toHaveLength(4);
    // The first screen of a desktop shows the changes.
    expect(await page.$eval('#changes-h', (el) => (el as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top)).toBeLessThan(800);
    // The catalog marks what changed.
    expect(await page.textContent('#catalog tr.m-new th')).toBe('zilliz:aws-sa-east-1 new');
    expect(await page.textContent('#catalog tr.m-changed th')).toBe('zilliz:gcp-us-west1 changed');
    // Its own style sheet applied (a computed style from page.css), and inline code refused by the CSP.
    expect(await page.$eval('#health .badge.s-degraded', (el) => getComputedStyle(el).color)).toBe('rgb(138, 16, 32)');
    const inline = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = 1';
      document.head.append(script);
      return (window.__inline as number | undefined) ?? null;
    });
    expect(inline).toBeNull();
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    await context.close();
    timings.render = Date.now() - t;
  });

  it('searches and filters instantly with JavaScript, without loading another page', async () => {
    const t = Date.now();
    const context = await browser.newContext();
    const page = await open(context);
    const before = requests.length;
    await page.fill('#q', 'SA-EAST');
    expect(await rowIds(page)).toEqual(['zilliz:aws-sa-east-1']);
    expect(await page.textContent('#count')).toBe(`1 of ${truthIds().length} regions`);
    await page.fill('#q', '');
    await page.selectOption('#source', 'modelarts');
    expect(await rowIds(page)).toEqual(truthIds().filter((id) => id.startsWith('modelarts:')));
    await page.selectOption('#source', '');
    await page.selectOption('#cloud', 'gcp');
    expect(await rowIds(page)).toEqual(truthIds().filter((id) => id.startsWith('zilliz:gcp-')));
    expect(requests.length).toBe(before);
    expect(new URL(page.url()).search).toBe('?cloud=gcp');
    // A paged table: the same search fetches the server's answer for the new query.
    await page.goto(`${api.url}/?limit=5`);
    await page.fill('#q', 'gcp-us');
    await page.waitForFunction(() => document.querySelectorAll('#catalog tbody tr').length === 3);
    expect(await rowIds(page)).toEqual(truthIds().filter((id) => id.startsWith('zilliz:gcp-us')));
    await context.close();
    timings.search = Date.now() - t;
  });

  it('reads, searches and filters with JavaScript off, through the GET form', async () => {
    const t = Date.now();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await open(context);
    expect(await rowIds(page)).toEqual(truthIds());
    await page.fill('#q', 'west');
    await page.selectOption('#cloud', 'aws');
    await Promise.all([page.waitForURL(/\?q=west&source=&cloud=aws$/), page.click('#filters button[type=submit]')]);
    expect(await rowIds(page)).toEqual(truthIds().filter((id) => id.startsWith('zilliz:aws-') && id.includes('west')));
    expect(await page.inputValue('#q')).toBe('west');
    // Pages are links.
    await page.goto(`${api.url}/?limit=10`);
    await Promise.all([page.waitForURL(/page=2/), page.click('a[rel=next]')]);
    expect(await rowIds(page)).toEqual(truthIds().slice(10, 20));
    await context.close();
    timings.noJs = Date.now() - t;
  });

  it('views the catalog at a past point through the "view at" form, with JavaScript off', async () => {
    const t = Date.now();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await open(context);
    await page.getByLabel('View at').fill(first.cursor);
    await Promise.all([page.waitForURL(/\?at=/), page.click('#view-at button[type=submit]')]);
    expect(await rowIds(page)).toEqual(first.ids);
    expect(first.ids).not.toEqual(truthIds());
    expect(await page.textContent('#past')).toMatch(/^Viewing the catalog as of \d{4}-\d\d-\d\d \d\d:\d\d UTC, version \d+ — back to now$/);
    await page.screenshot({ path: join(dirname(SCREENSHOT), 'page-past.png'), fullPage: false });
    // Searching keeps the point.
    await page.selectOption('#cloud', 'gcp');
    await Promise.all([page.waitForURL(/cloud=gcp/), page.click('#filters button[type=submit]')]);
    expect(await rowIds(page)).toEqual(first.ids.filter((id) => id.startsWith('zilliz:gcp-')));
    // Back to now, with the same search.
    await Promise.all([page.waitForURL((u) => !u.search.includes('at=')), page.click('#past a')]);
    expect(await rowIds(page)).toEqual(truthIds().filter((id) => id.startsWith('zilliz:gcp-')));
    await context.close();
    timings.viewAt = Date.now() - t;
  });

  it("shows a region's story from its row's link, with JavaScript off", async () => {
    const t = Date.now();
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await open(context);
    await Promise.all([page.waitForURL(/region=/), page.click('#catalog th[scope=row] a:text-is("zilliz:gcp-us-west1")')]);
    expect(await page.textContent('#history-h')).toBe('History of zilliz:gcp-us-west1');
    expect(await page.$$eval('#history li .kind', (items) => items.map((i) => i.textContent ?? ''))).toEqual(['+ Added', '~ Changed']);
    expect(await page.textContent('#history ins')).toBe(`now ${h.zilliz.data.regions.gcp?.find((r) => r.regionId === 'gcp-us-west1')?.apiBaseUrl}`);
    expect(await page.getAttribute('#history a:text-is("history JSON")', 'href')).toBe('/regions/zilliz/gcp-us-west1/history');
    await page.screenshot({ path: join(dirname(SCREENSHOT), 'page-history.png'), fullPage: false });
    await context.close();
    timings.history = Date.now() - t;
  });

  it("shows each scope's status beside its scope on a 390 px phone's first screen", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await open(context);
    const rows = await page.$$eval('#health tbody tr', (trs) =>
      trs.map((tr) => {
        const box = (el: unknown) => (el as { getBoundingClientRect(): { top: number; bottom: number; right: number } }).getBoundingClientRect();
        const scope = (tr as unknown as { querySelector(s: string): unknown }).querySelector('th');
        const badge = (tr as unknown as { querySelector(s: string): unknown }).querySelector('.badge');
        return { scope: box(scope), badge: box(badge), text: (badge as { textContent: string }).textContent };
      }),
    );
    expect(rows.length).toBe(4);
    for (const r of rows) {
      expect(r.badge.bottom).toBeLessThanOrEqual(844);
      expect(r.scope.bottom).toBeLessThanOrEqual(844);
      expect(r.badge.right).toBeLessThanOrEqual(390);
    }
    expect(rows.map((r) => r.text).sort()).toEqual(['degraded', 'ok', 'ok', 'ok']);
    // The table's caption spans the screen on one line (it was squeezed to a word per line).
    const caption = await page.$eval('#health caption', (el) => {
      const b = (el as unknown as { getBoundingClientRect(): { width: number; height: number } }).getBoundingClientRect();
      return { width: b.width, height: b.height };
    });
    expect(caption.width).toBeGreaterThan(300);
    expect(caption.height).toBeLessThan(45);
    await page.screenshot({ path: join(dirname(SCREENSHOT), 'page-phone.png'), fullPage: false });
    await context.close();
  });

  it('pages through older changes, and answers a mistyped "View at" with an HTML error page', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const page = await open(context, '/?source=zilliz');
    // The changes follow the filter: no ModelArts first sync listed.
    expect(await page.textContent('#changes')).not.toContain('modelarts/');
    await page.getByLabel('View at').fill('2026-13-45 99:99');
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#view-at button[type=submit]')]);
    expect(response?.status()).toBe(400);
    expect(await page.textContent('h1')).toMatch(/^400: /);
    expect(await page.textContent('#problem-detail')).toMatch(/^at: /);
    await page.screenshot({ path: join(dirname(SCREENSHOT), 'page-error.png'), fullPage: false });
    await page.goto(`${api.url}/?older=2.1`);
    expect(await page.textContent('#changes-h')).toBe('Older changes');
    await page.screenshot({ path: join(dirname(SCREENSHOT), 'page-older.png'), fullPage: false });
    await context.close();
  });

  it('shows the Chinese names in a CJK font served to the test browser only (docs/page.png)', async () => {
    // The page's CSP allows no font; this view alone bypasses it to load Noto Sans SC from the
    // @fontsource package through a route of the test browser (the machine has no CJK system font).
    const fonts = dirname(require.resolve('@fontsource/noto-sans-sc/400.css'));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    await context.route(/\/__fonts\//, (route) => route.fulfill({ path: join(fonts, new URL(route.request().url()).pathname.replace(/^\/__fonts\//, '')) }));
    const page = await open(context, '/?source=modelarts');
    await page.addStyleTag({ url: '/__fonts/400.css' });
    await page.addStyleTag({ content: 'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif,"Noto Sans SC"}' });
    await page.evaluate(async () => {
      await (document as unknown as { fonts: { ready: Promise<unknown> } }).fonts.ready;
    });
    const zh = h.modelarts.data.region_items.map((r) => (r as { locales?: { zh_cn?: string } }).locales?.zh_cn).filter(Boolean);
    expect(zh.length).toBeGreaterThan(0);
    expect(await page.textContent('#catalog')).toContain(zh[0]);
    // The catalog (with the Chinese names) is below the first screen: the whole page.
    await page.screenshot({ path: join(dirname(SCREENSHOT), 'page-cjk.png'), fullPage: true });
    await context.close();
  });

  it('passes axe-core with no violation, on a desktop and on a phone, now, at a past point and on a history', async () => {
    const t = Date.now();
    const views = [
      { path: '/', viewport: { width: 1280, height: 900 } },
      { path: '/', viewport: { width: 390, height: 844 } },
      { path: `/?at=${first.cursor}`, viewport: { width: 390, height: 844 } },
      { path: '/?region=zilliz:gcp-us-west1', viewport: { width: 1280, height: 900 } },
      { path: '/?older=2.1', viewport: { width: 390, height: 844 } },
      { path: '/?region=nope', viewport: { width: 1280, height: 800 } },
    ];
    for (const { path, viewport } of views) {
      const context = await browser.newContext({ viewport });
      const page = await open(context, path);
      // Injected through the DevTools protocol, which the page's CSP does not govern.
      await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(async () => {
        const axe = window.axe as { run(context: unknown, options: object): Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return r.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(result, `${path} at ${viewport.width}px`).toEqual([]);
      // Readable on a phone: the page itself never scrolls sideways (only the tables' own boxes do).
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await context.close();
    }
    timings.axe = Date.now() - t;
  });

  it('links to the catalog file, which opens as the JSON of GET /regions', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    // Not through open(): following the link is the one request to another origin (the S3 API), on purpose.
    const page = await context.newPage();
    await page.goto(api.url);
    const link = page.getByRole('link', { name: 'catalog file (latest.json)' });
    expect(await link.getAttribute('href')).toBe(s3.url(LATEST_KEY));
    await link.click();
    await page.waitForURL(s3.url(LATEST_KEY));
    const shown = JSON.parse((await page.textContent('body')) ?? '') as unknown;
    expect(shown).toEqual(await (await fetch(`${api.url}/regions`)).json());
    await context.close();
  });

  it('asked nothing of another origin, and its CSP refused nothing of its own', () => {
    expect(requests.length).toBeGreaterThan(5);
    const origin = new URL(api.url).origin;
    expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
    // The one refusal is the test's own inline script (its hash named in the report), nothing of the page's.
    const probe = createHash('sha256').update('window.__inline = 1').digest('base64');
    expect(violations.length).toBe(1);
    expect(violations[0]).toContain(`sha256-${probe}`);
  });
});
