/**
 * Lints the OpenAPI document exactly as the catalog function serves it: GET
 * /openapi.json through the real handler (no table is read for it), written to
 * a temp file, then `redocly lint` with redocly.yaml. Run by `npm run
 * lint:openapi` (part of `npm run lint`, so CI runs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createCatalogHandler } from '../lib/catalog/handler';
import { createDocumentClient } from '../lib/store/client';

const handler = createCatalogHandler({
  store: { doc: createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }), table: 'region-sync-lint' },
  corsOrigins: ['*'],
  revalidateMs: 0,
  maxAgeSeconds: 0,
});
const event = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/openapi.json',
  rawQueryString: '',
  headers: {},
  requestContext: { http: { method: 'GET', path: '/openapi.json', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'lint' }, requestId: 'lint' },
  isBase64Encoded: false,
} as unknown as APIGatewayProxyEventV2;
const res = await handler(event, { awsRequestId: 'lint' } as Context);
if (res.statusCode !== 200 || typeof res.body !== 'string' || res.isBase64Encoded) {
  console.error(`GET /openapi.json answered ${res.statusCode}; nothing to lint`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
try {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, res.body);
  const run = spawnSync(join(import.meta.dirname, '../node_modules/.bin/redocly'), ['lint', '--config', join(import.meta.dirname, '../redocly.yaml'), file], {
    stdio: 'inherit',
    // Offline and quiet: no telemetry, no update check.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
