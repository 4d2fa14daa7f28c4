/**
 * The catalog over HTTP: `npm start`'s path (the catalog
 * handler behind local/http-adapter.ts, bench/catalog-server.ts) against a
 * bare node:http server replaying the very bytes and headers captured from
 * one real answer of it (bench/bare-server.ts). Each server runs in its own
 * process, and autocannon in a third (bench/load-child.ts), so none shares
 * an event loop with another. Both the 200 path (`GET /regions` with a
 * browser's Accept-Encoding: br) and the 304 path (If-None-Match with the
 * current ETag). The ratio is the median of per-slice ratios (1 s slices
 * alternating A B, B A, …): a slice and its pair ran under the same machine
 * load. The figures are taken on the sample catalog plus 5 clouds (40
 * regions, a ~1 KB br body), where the servers are what is measured; the
 * same comparison at 10,000 regions (a ~60 KB body) is given beside them,
 * with each server's CPU time per request, which shows whether the servers
 * or the load generator set the pace there.
 */
import type { ChildProcess } from 'node:child_process';
import { request, type OutgoingHttpHeaders } from 'node:http';
import { BROWSER_HEADERS } from './api-event';
import type { CapturedResponse } from './bare-server';
import { type BenchContext, upstreamEnv } from './context';
import { ask, bundleBenchModule, forkBundle, nextMessage, stopChild } from './ipc';
import { largeCatalog } from './large-catalog';
import { pairedRatio, runComparisonInChild, type LoadFigures } from './load';
import { createSyncBench, log, REGION, round, sampleWithClouds } from './support';

const CONNECTIONS = 10;
const SLICE_S = 1;
const SLICES = 6;
const WARMUP_S = 1;

export interface Captured {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** Headers node:http writes by itself; every other header is replayed by the bare server. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export function capture(url: string, headers: Record<string, string>): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const out: OutgoingHttpHeaders = {};
        const raw = res.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i]!;
          if (!TRANSPORT.has(name.toLowerCase())) out[name] = raw[i + 1]!;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface PathResult {
  adapter: LoadFigures;
  /** The same adapter around a handler answering a fixed result: the adapter's own cost. */
  static: LoadFigures;
  bare: LoadFigures;
  /** Median of the per-slice ratios adapter / bare. */
  ratio: number;
  /** The same for the static handler. */
  staticRatio: number;
}

export interface HttpComparison {
  regions: number;
  bodyBytes: number;
  encoding: string;
  responseHeaderCount: number;
  connections: number;
  sliceS: number;
  slices: number;
  ok: PathResult;
  notModified: PathResult;
}

export interface CatalogHttpDetails {
  small: HttpComparison;
  large: HttpComparison;
}

const toWire = (c: Captured): CapturedResponse => ({ status: c.status, headers: c.headers, body: c.body.toString('base64') });

export async function runCatalogHttp(ctx: BenchContext): Promise<{ values: Record<string, number>; details: CatalogHttpDetails }> {
  const bench = await createSyncBench({ endpoint: ctx.endpoint, zilliz: sampleWithClouds(5, 3), env: upstreamEnv(ctx.upstream) });
  let small: HttpComparison;
  try {
    const summary = await bench.pass();
    if (!summary.ok) throw new Error('catalog-http: the filling pass failed a scope');
    small = await compareServers(ctx.endpoint, bench.table.tableName, summary.scopes.reduce((n, s) => n + s.regions, 0));
  } finally {
    await bench.close();
  }
  const { table, regions } = await largeCatalog(ctx);
  const large = await compareServers(ctx.endpoint, table.tableName, regions);
  return {
    values: { catalogThroughputRatio: small.ok.ratio, catalog304ThroughputRatio: small.notModified.ratio },
    details: { small, large },
  };
}

/** One comparison of the adapter with the bare server on the catalog in `tableName`. */
export async function compareServers(endpoint: string, tableName: string, regions: number): Promise<HttpComparison> {
  let adapter: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    const adapterFile = await bundleBenchModule('catalog-server.ts', { minify: true });
    const bareFile = await bundleBenchModule('bare-server.ts', { minify: true });
    // The function's own environment: table and endpoint; every other setting at its default.
    adapter = forkBundle(adapterFile, { AWS_REGION: REGION, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, LOG_LEVEL: 'warn' });
    const ready = await nextMessage<{ type: 'ready'; url: string; staticUrl: string }>(adapter);
    const url = `${ready.url}/regions`;
    const full = await capture(url, BROWSER_HEADERS);
    if (full.status !== 200) throw new Error(`catalog-http: GET /regions answered ${full.status}`);
    const etag = String(full.headers.ETag ?? full.headers.etag ?? '');
    const conditional = { ...BROWSER_HEADERS, 'if-none-match': etag };
    const notModified = await capture(url, conditional);
    if (notModified.status !== 304) throw new Error(`catalog-http: If-None-Match answered ${notModified.status}`);
    bare = forkBundle(bareFile, {});
    await nextMessage(bare);
    const bareReady = await ask<{ type: 'ready'; url: string }>(bare, { type: 'serve', full: toWire(full), notModified: toWire(notModified) }, 'ready');
    const bareUrl = `${bareReady.url}/regions`;

    const compare = async (headers: Record<string, string>, expectStatus: number): Promise<PathResult> => {
      const result = await runComparisonInChild({
        targets: [
          { name: 'adapter', url, headers, expectStatus, pid: adapter!.pid },
          { name: 'static', url: `${ready.staticUrl}/regions`, headers, expectStatus, pid: adapter!.pid },
          { name: 'bare', url: bareUrl, headers, expectStatus, pid: bare!.pid },
        ],
        connections: CONNECTIONS,
        sliceS: SLICE_S,
        slices: SLICES,
        warmupS: WARMUP_S,
      });
      const a = result.adapter!;
      const st = result.static!;
      const b = result.bare!;
      if (a.failures || st.failures || b.failures) throw new Error(`catalog-http: unexpected answers (adapter ${a.failures}, static ${st.failures}, bare ${b.failures})`);
      return { adapter: a, static: st, bare: b, ratio: round(pairedRatio(a, b), 3), staticRatio: round(pairedRatio(st, b), 3) };
    };
    const ok = await compare(BROWSER_HEADERS, 200);
    const nm = await compare(conditional, 304);
    log(`catalog http at ${regions} regions: 200 ${ok.adapter.requestsPerSecond}/${ok.bare.requestsPerSecond} req/s (${ok.ratio}), 304 ${nm.adapter.requestsPerSecond}/${nm.bare.requestsPerSecond} req/s (${nm.ratio})`);
    return {
        regions,
        bodyBytes: full.body.length,
        encoding: String(full.headers['Content-Encoding'] ?? full.headers['content-encoding'] ?? 'identity'),
        responseHeaderCount: Object.keys(full.headers).length,
        connections: CONNECTIONS,
        sliceS: SLICE_S,
        slices: SLICES,
        ok,
        notModified: nm,
    };
  } finally {
    await stopChild(adapter);
    await stopChild(bare);
  }
}
