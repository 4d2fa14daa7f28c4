/**
 * `npm run replay -- --endpoint NAME --since CURSOR [--types region.added,…]`:
 * delivers the feed's changes after CURSOR again to one webhook endpoint,
 * with their original ids and bodies (lib/deliver/replay). The feed is read
 * from the catalog API (`CATALOG_URL`, or the running `npm start`); the
 * endpoints from their secret (`WEBHOOK_ENDPOINTS_SECRET_ID`, as deployed, or
 * the running `npm start`'s). Exit 0 when every change was delivered, 1 when
 * any was not, 2 on a usage or configuration error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { listDetailTypes, webhookType } from '../lib/core/event-schemas';
import { CHANGE_TYPES, type Change } from '../lib/core/api-records';
import { parseEndpoints } from '../lib/deliver/endpoints';
import { replayChanges } from '../lib/deliver/replay';
import { createSecretReader } from '../lib/deliver/secrets-manager';
import { STATE_FILE } from './stack';

function fail(message: string): never {
  process.stderr.write(`replay: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({ options: { endpoint: { type: 'string' }, since: { type: 'string' }, types: { type: 'string' } }, strict: true });
  } catch (error: unknown) {
    return fail(`${error instanceof Error ? error.message : String(error)}; usage: npm run replay -- --endpoint NAME --since CURSOR [--types …]`);
  }
})();
if (!values.endpoint) fail('--endpoint: required (the endpoint `name` in the secret)');

const known = new Map(listDetailTypes().flatMap((t) => [[t, webhookType(t)] as const, [webhookType(t), webhookType(t)] as const]));
const types = (values.types ?? '')
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean)
  .map((t) => known.get(t) ?? fail(`--types: unknown type '${t.slice(0, 40)}'`));
for (const t of types) if (!(CHANGE_TYPES as readonly string[]).includes(t)) fail(`--types: '${t}' is not in the feed (the feed holds ${CHANGE_TYPES.join(', ')})`);

const stack = existsSync(STATE_FILE) ? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { provided?: Record<string, string>; urls?: { api?: string } }) : {};
const env = { ...stack.provided, ...process.env };
const api = (process.env.CATALOG_URL ?? stack.urls?.api ?? fail('CATALOG_URL: required (the catalog API base URL) when npm start is not running')).replace(/\/+$/, '');
const secretId = env.WEBHOOK_ENDPOINTS_SECRET_ID ?? fail('WEBHOOK_ENDPOINTS_SECRET_ID: required (the secret of webhookEndpoints) when npm start is not running');

const text = await createSecretReader({ region: env.AWS_REGION ?? 'us-east-1', secretId, jsonKey: env.WEBHOOK_ENDPOINTS_JSON_KEY, endpoint: env.SECRETS_MANAGER_ENDPOINT })().catch(
  (error: unknown) => fail(`could not read the secret ${secretId}: ${error instanceof Error ? error.name : 'error'}`),
);
const parsed = parseEndpoints(text);
const endpoint = parsed.endpoints.find((e) => e.name === values.endpoint);
if (!endpoint) {
  const problem = parsed.problems.find((p) => p.endpoint === values.endpoint);
  fail(`--endpoint: ${problem ? `'${values.endpoint}' is not usable (${problem.reason})` : `no endpoint named '${values.endpoint}' in the secret`}`);
}

/** Every change of the feed after the cursor, through `next`. */
async function readFeed(since: string | undefined): Promise<Change[]> {
  const changes: Change[] = [];
  let cursor = since;
  for (;;) {
    const query = new URLSearchParams({ limit: '500', ...(cursor ? { since: cursor } : {}), ...(types.length ? { type: types.join(',') } : {}) });
    const response = await fetch(`${api}/changes?${query}`);
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string };
      fail(`the feed answered ${response.status}${problem.detail ? `: ${problem.detail}` : ''}`);
    }
    const page = (await response.json()) as { changes: Change[]; next: string };
    changes.push(...page.changes);
    if (page.changes.length === 0 || page.next === cursor) return changes;
    cursor = page.next;
  }
}

const changes = await readFeed(values.since);
const results = await replayChanges(endpoint, changes);
for (const r of results) process.stdout.write(`${r.result.ok ? 'delivered' : 'FAILED   '} ${r.id} ${r.type} ${r.result.ok ? `HTTP ${r.result.status}` : r.result.error}\n`);
const failed = results.filter((r) => !r.result.ok).length;
process.stdout.write(`replay to ${values.endpoint}: ${results.length - failed} of ${results.length} delivered\n`);
process.exit(failed ? 1 : 0);
