/**
 * The warm catalog handler in its own process, bundled with esbuild like the
 * function and configured from the environment as the function is (the
 * Lambda entry point of functions/catalog.ts, called as the runtime calls
 * it: an API Gateway payload 2.0 event and a context, no HTTP adapter).
 * Message `{ type: 'measure', iterations, warmup }` answers the figures:
 * the cold first request, the first and a warm request per encoding, then
 * `iterations` timed calls each of `GET /regions` (br) and of its 304,
 * interleaved in blocks, every call timed alone with process.hrtime.bigint.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { handler } from '../functions/catalog';
import { apiEvent, BROWSER_HEADERS, lambdaContext } from './api-event';

const reply = (message: unknown) => process.send?.(message);
const context = lambdaContext('catalog');

type Result = { statusCode?: number; headers?: Record<string, string | number | boolean>; body?: string; isBase64Encoded?: boolean };

async function call(path: string, headers: Record<string, string>): Promise<{ ms: number; result: Result }> {
  const event = apiEvent(path, headers);
  const t0 = process.hrtime.bigint();
  const result = (await handler(event, context)) as Result;
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

const header = (r: Result, name: string) => {
  const found = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return found ? String(found[1]) : undefined;
};

export interface Percentiles {
  calls: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

function percentiles(ns: BigInt64Array | bigint[]): Percentiles {
  const sorted = Array.from(ns, Number).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 1e6;
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return {
    calls: sorted.length,
    p50Ms: round(at(0.5)),
    p90Ms: round(at(0.9)),
    p99Ms: round(at(0.99)),
    p999Ms: round(at(0.999)),
    maxMs: round(sorted.at(-1)! / 1e6),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length / 1e6),
  };
}

export interface EncodingFigures {
  bytes: number;
  firstMs: number;
  warmMs: number;
  /** What the Lambda response weighs (base64 for a compressed body) against API Gateway's 6 MB limit. */
  lambdaResponseBytes: number;
}

export interface HandlerFigures {
  regions: number;
  coldLoadMs: number;
  identity: EncodingFigures;
  gzip: EncodingFigures;
  br: EncodingFigures;
  ok: Percentiles;
  notModified: Percentiles;
}

async function encoding(accept: string, regions: { n?: number }): Promise<EncodingFigures & { etag: string }> {
  const first = await call('/regions', accept ? { ...BROWSER_HEADERS, 'accept-encoding': accept } : { accept: 'application/json' });
  if (first.result.statusCode !== 200) throw new Error(`GET /regions (${accept || 'identity'}) answered ${first.result.statusCode}`);
  const raw = first.result.isBase64Encoded ? Buffer.from(first.result.body ?? '', 'base64') : Buffer.from(first.result.body ?? '');
  const enc = header(first.result, 'content-encoding') ?? 'identity';
  const text = enc === 'br' ? brotliDecompressSync(raw) : enc === 'gzip' ? gunzipSync(raw) : raw;
  const count = (JSON.parse(text.toString('utf8')) as { count: number }).count;
  if (regions.n !== undefined && count !== regions.n) throw new Error(`GET /regions listed ${count} regions in one encoding, ${regions.n} in another`);
  regions.n = count;
  const warm = await call('/regions', accept ? { ...BROWSER_HEADERS, 'accept-encoding': accept } : { accept: 'application/json' });
  return {
    bytes: raw.length,
    firstMs: Math.round(first.ms * 10) / 10,
    warmMs: Math.round(warm.ms * 1000) / 1000,
    lambdaResponseBytes: (first.result.body ?? '').length,
    etag: header(first.result, 'etag') ?? '',
  };
}

async function measure(iterations: number, warmup: number): Promise<HandlerFigures> {
  // A route that needs the catalog but answers little: the cold load alone (reads every region).
  const cold = await call('/regions/zilliz/none', { accept: 'application/json' });
  const regions: { n?: number } = {};
  const { etag: _i, ...identity } = await encoding('', regions);
  const { etag: _g, ...gzip } = await encoding('gzip', regions);
  const { etag, ...br } = await encoding('br', regions);
  if (!etag) throw new Error('GET /regions sent no ETag');
  const okHeaders = { ...BROWSER_HEADERS };
  const nmHeaders = { ...BROWSER_HEADERS, 'if-none-match': etag };
  const check304 = await call('/regions', nmHeaders);
  if (check304.result.statusCode !== 304) throw new Error(`If-None-Match answered ${check304.result.statusCode}`);
  for (let i = 0; i < warmup; i++) {
    await call('/regions', okHeaders);
    await call('/regions', nmHeaders);
  }
  const ok = new BigInt64Array(iterations);
  const nm = new BigInt64Array(iterations);
  const BLOCK = 1000;
  for (let done = 0; done < iterations; done += BLOCK) {
    const end = Math.min(iterations, done + BLOCK);
    for (const [list, headers, status] of [
      [ok, okHeaders, 200],
      [nm, nmHeaders, 304],
    ] as const) {
      for (let i = done; i < end; i++) {
        const event = apiEvent('/regions', headers);
        const t0 = process.hrtime.bigint();
        const result = (await handler(event, context)) as Result;
        list[i] = process.hrtime.bigint() - t0;
        if (result.statusCode !== status) throw new Error(`a warm call answered ${result.statusCode}, expected ${status}`);
      }
    }
  }
  return { regions: regions.n ?? 0, coldLoadMs: Math.round(cold.ms * 10) / 10, identity, gzip, br, ok: percentiles(ok), notModified: percentiles(nm) };
}

process.on('message', (message: { type: string; iterations?: number; warmup?: number }) => {
  if (message.type === 'measure') {
    measure(message.iterations ?? 20_000, message.warmup ?? 2_000).then(
      (figures) => reply({ type: 'figures', figures }),
      (error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  } else if (message.type === 'exit') process.exit(0);
});
reply({ type: 'ready' });
