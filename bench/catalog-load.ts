/**
 * Figure 3, catalog throughput: the real catalog handler behind the local HTTP
 * adapter, on a table filled by a real sync pass, against a bare node:http
 * server that answers the very bytes and headers the adapter answered
 * (captured from one real response). Both the 200 path (`GET /regions` with a
 * browser's Accept-Encoding) and the 304 path (If-None-Match with the current
 * ETag). Both servers run in one child process built with esbuild
 * (bench/catalog-server.ts); the load generator runs in another child, so
 * each has its own event loop (see BENCHMARKS.md for the in-process check).
 */
import type { ChildProcess } from 'node:child_process';
import { request, type OutgoingHttpHeaders } from 'node:http';
import type { CapturedResponse } from './catalog-server';
import { ask, bundleBenchModule, forkBundle, nextMessage, stopChild } from './ipc';
import { pairedRatio, runComparisonInChild, type ComparisonResult, type ComparisonSpec, type LoadFigures } from './load';
import { createSyncBench, log, REGION, round, sampleWithClouds } from './support';

export const GOAL_200 = 0.7;
export const GOAL_304 = 0.85;
const CONNECTIONS = 10;
/** Each path: 8 s per server, in 1 s slices alternating between the two servers. */
const SLICE_S = 1;
const SLICES = 8;
const WARMUP_S = 1;
/** What a browser or `curl --compressed` sends. */
const CLIENT_HEADERS = { 'accept-encoding': 'gzip, deflate, br', accept: 'application/json' };

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
  bare: LoadFigures;
  /** Median of the per-slice ratios adapter / bare. */
  ratio: number;
}

export interface CatalogLoadResult {
  regions: number;
  bodyBytes: number;
  encoding: string;
  responseHeaderCount: number;
  connections: number;
  sliceS: number;
  slices: number;
  loadGenerator: 'child process';
  ok: PathResult;
  notModified: PathResult;
  /** The 200 path with autocannon inside this process, for comparison only. */
  inProcess: PathResult;
  catalogThroughputRatio: number;
  catalog304ThroughputRatio: number;
  pass: { ok: boolean; notModified: boolean };
}

async function compare(
  adapterUrl: string,
  bareUrl: string,
  headers: Record<string, string>,
  expectStatus: number,
  run: (spec: ComparisonSpec) => Promise<ComparisonResult>,
  serverPid: number,
  slices = SLICES,
): Promise<PathResult> {
  const result = await run({
    targets: [
      { name: 'adapter', url: adapterUrl, headers, expectStatus },
      { name: 'bare', url: bareUrl, headers, expectStatus },
    ],
    connections: CONNECTIONS,
    sliceS: SLICE_S,
    slices,
    warmupS: WARMUP_S,
    serverPid,
  });
  const adapter = result.adapter!;
  const bare = result.bare!;
  if (adapter.failures || bare.failures) throw new Error(`catalog-load: unexpected answers (adapter ${adapter.failures}, bare ${bare.failures})`);
  return { adapter, bare, ratio: round(pairedRatio(adapter, bare), 3) };
}

const toWire = (c: Captured): CapturedResponse => ({ status: c.status, headers: c.headers, body: c.body.toString('base64') });

export async function runCatalogLoad(endpoint: string): Promise<CatalogLoadResult> {
  const bench = await createSyncBench({ endpoint, zilliz: sampleWithClouds(5, 3) });
  let server: ChildProcess | undefined;
  try {
    const summary = await bench.pass();
    if (!summary.ok) throw new Error('catalog-load: the filling pass failed a scope');
    const file = await bundleBenchModule('catalog-server.ts', { minify: true, external: ['autocannon'] });
    // The function's own environment: table and endpoint; every other setting at its default.
    server = forkBundle(file, { AWS_REGION: REGION, TABLE_NAME: bench.table.tableName, DYNAMODB_ENDPOINT: endpoint });
    const serverPid = server.pid ?? 0;
    const ready = await nextMessage<{ type: 'ready'; url: string }>(server);
    const regionsUrl = `${ready.url}/regions`;
    const full = await capture(regionsUrl, CLIENT_HEADERS);
    if (full.status !== 200) throw new Error(`catalog-load: GET /regions answered ${full.status}`);
    const etag = String(full.headers.ETag ?? full.headers.etag ?? '');
    const conditional = { ...CLIENT_HEADERS, 'if-none-match': etag };
    const notModified = await capture(regionsUrl, conditional);
    if (notModified.status !== 304) throw new Error(`catalog-load: If-None-Match answered ${notModified.status}`);
    const bare = await ask<{ type: 'bare'; url: string }>(server, { type: 'bare', full: toWire(full), notModified: toWire(notModified) }, 'bare');
    const bareUrl = `${bare.url}/regions`;

    const ok = await compare(regionsUrl, bareUrl, CLIENT_HEADERS, 200, runComparisonInChild, serverPid);
    const nm = await compare(regionsUrl, bareUrl, conditional, 304, runComparisonInChild, serverPid);
    // The same 200 comparison with autocannon inside the server process: one event loop for both sides.
    const inServer = (spec: ComparisonSpec) => ask<{ type: 'load'; result: ComparisonResult }>(server!, { type: 'load', spec }, 'load').then((m) => m.result);
    const inProcess = await compare(regionsUrl, bareUrl, CLIENT_HEADERS, 200, inServer, serverPid, 2);
    log(`catalog: 200 ${ok.adapter.requestsPerSecond}/${ok.bare.requestsPerSecond} req/s (${ok.ratio}), 304 ${nm.adapter.requestsPerSecond}/${nm.bare.requestsPerSecond} req/s (${nm.ratio}); in-process 200 ratio ${inProcess.ratio}`);
    return {
      regions: summary.scopes.reduce((n, s) => n + s.regions, 0),
      bodyBytes: full.body.length,
      encoding: String(full.headers['Content-Encoding'] ?? full.headers['content-encoding'] ?? 'identity'),
      responseHeaderCount: Object.keys(full.headers).length,
      connections: CONNECTIONS,
      sliceS: SLICE_S,
      slices: SLICES,
      loadGenerator: 'child process',
      ok,
      notModified: nm,
      inProcess,
      catalogThroughputRatio: ok.ratio,
      catalog304ThroughputRatio: nm.ratio,
      pass: { ok: ok.ratio >= GOAL_200, notModified: nm.ratio >= GOAL_304 },
    };
  } finally {
    await stopChild(server);
    await bench.close();
  }
}
