/**
 * The page's weight: `GET /` through the real catalog handler (brotli as a
 * browser asks for it), at the sample catalog and at 10,000 regions, each
 * filled by a real sync pass against the simulators. The budgets (issue 13):
 * ≤ 30 KB br at the sample catalog, ≤ 300 KB br for the first screen at
 * 10,000 regions (the page is paginated server-side, 100 rows by default).
 *
 * `measurePage(options?)` takes the bench run's context (`{ endpoint }`, its DynamoDB Local) and starts
 * its own DynamoDB Local when given none.
 * CLI: `npx tsx bench/page.ts`.
 */
import { brotliDecompressSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createCatalogHandler } from '../lib/catalog/handler';
import { startDynamoDbLocal } from '../local/dynamodb';
import { createSyncBench, generatedClouds, log } from './support';

export const PAGE_BUDGET_SAMPLE_BR = 30 * 1024;
export const PAGE_BUDGET_LARGE_BR = 300 * 1024;

export interface PageFigures {
  sampleBrBytes: number;
  largeBrBytes: number;
  sampleHtmlBytes: number;
  largeHtmlBytes: number;
}

const context = { functionName: 'catalog', awsRequestId: 'bench' } as Context;

async function weigh(endpoint: string, zilliz?: ReturnType<typeof generatedClouds>): Promise<{ br: number; html: number; regions: number }> {
  const bench = await createSyncBench({ endpoint, ...(zilliz ? { zilliz } : {}) });
  try {
    const summary = await bench.pass();
    if (!summary.ok) throw new Error('the pass that fills the catalog failed');
    const handler = createCatalogHandler({ store: { doc: bench.table.doc, table: bench.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 });
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: { host: 'bench.local', 'accept-encoding': 'gzip, deflate, br' },
      requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, domainName: 'bench.local' },
      isBase64Encoded: false,
    };
    const res = (await handler(event as never, context)) as APIGatewayProxyStructuredResultV2;
    if (res.statusCode !== 200 || res.headers?.['Content-Encoding'] !== 'br') throw new Error(`GET / answered ${res.statusCode} without br`);
    const br = Buffer.from(res.body ?? '', 'base64');
    return { br: br.length, html: brotliDecompressSync(br).length, regions: summary.scopes.reduce((n, s) => n + s.regions, 0) };
  } finally {
    await bench.close();
  }
}

export async function measurePage(options: { endpoint?: string } = {}): Promise<PageFigures> {
  const { endpoint } = options;
  const db = endpoint ? undefined : await startDynamoDbLocal();
  try {
    const at = endpoint ?? db!.endpoint;
    const sample = await weigh(at);
    // 100 clouds × 100 regions (the bench's generated shape) plus the ModelArts sample.
    const large = await weigh(at, generatedClouds(100, 100));
    log(`page: ${sample.regions} regions → ${sample.br} B br (${sample.html} B HTML); ${large.regions} regions → first screen ${large.br} B br (${large.html} B HTML)`);
    return { sampleBrBytes: sample.br, largeBrBytes: large.br, sampleHtmlBytes: sample.html, largeHtmlBytes: large.html };
  } finally {
    await db?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measurePage();
  const ok = figures.sampleBrBytes <= PAGE_BUDGET_SAMPLE_BR && figures.largeBrBytes <= PAGE_BUDGET_LARGE_BR;
  console.log(JSON.stringify({ ...figures, budgets: { sampleBr: PAGE_BUDGET_SAMPLE_BR, largeBr: PAGE_BUDGET_LARGE_BR }, withinBudget: ok }, null, 2));
  process.exit(ok ? 0 : 1);
}
