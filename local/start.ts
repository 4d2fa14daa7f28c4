/**
 * `npm start`: the whole service on this machine. The local stack (DynamoDB
 * Local, event receiver, simulators), the catalog API on PORT through the
 * exact catalog handler, and the exact sync handler at start and every
 * SYNC_INTERVAL_SECONDS. Ctrl-C stops every process it started.
 */
import { rmSync, writeFileSync } from 'node:fs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ConfigError, invalid, parseEnv, positiveInt, wholeNumber, withDefault } from '../lib/core/config';
import type { PassSummary } from '../lib/sync/pass';
import { exitOnConfigError, formatSummary } from './cli';
import { startHttpAdapter } from './http-adapter';
import { STATE_FILE, portIsFree, startLocalStack } from './stack';

const port = (value: string | undefined) => {
  const n = wholeNumber(/^\d{1,5}$/, 'expected a port number')(value);
  return n > 0 && n < 65_536 ? n : invalid('expected a port from 1 to 65535');
};
const settings = (() => {
  try {
    return parseEnv({ PORT: withDefault(port, 3000), SYNC_INTERVAL_SECONDS: positiveInt(60) }, process.env);
  } catch (error: unknown) {
    return exitOnConfigError(error);
  }
})();

process.env.LOG_LEVEL ??= 'warn';

// PORT is the one port that must be free: say so before starting anything.
if (!(await portIsFree(settings.PORT))) {
  process.stderr.write(`port ${settings.PORT} is busy; set PORT to another port (the helpers then try PORT+1 to PORT+4)\n`);
  process.exit(1);
}

// A person at a terminal sees something at once: DynamoDB Local takes a few seconds.
const startedAt = Date.now();
process.stdout.write('starting DynamoDB Local, the event receiver and the simulators…\n');
let apiUrl = `http://127.0.0.1:${settings.PORT}`;
const stack = await startLocalStack({
  env: { ...process.env },
  persist: true,
  printEvents: true,
  // Only PORT is a hard requirement: a helper port that is taken falls back to a free one.
  ports: { zilliz: settings.PORT + 1, modelarts: settings.PORT + 2, dynamodb: settings.PORT + 3, events: settings.PORT + 4 },
  progress: (line) => process.stdout.write(`${line}\n`),
  notifications: { pageUrl: () => `${apiUrl}/` },
  webhooks: true,
}).catch((error: unknown) => {
  if (error instanceof ConfigError) return exitOnConfigError(error);
  // A busy port, Java missing: one line, no stack trace.
  process.stderr.write(`could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

let api: Awaited<ReturnType<typeof startHttpAdapter>> | undefined = undefined;
let timer: NodeJS.Timeout | undefined = undefined;
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await api?.close().catch(() => undefined);
  await stack.stop();
  rmSync(STATE_FILE, { force: true });
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

Object.assign(process.env, stack.env);
const [{ handler: sync }, { handler: catalog }] = await Promise.all([import('../functions/sync'), import('../functions/catalog')]).catch(
  exitOnConfigError,
);

const apiSince = Date.now();
api = await startHttpAdapter({ handler: catalog, port: settings.PORT }).catch(async (error: unknown) => {
  const busy = error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  process.stderr.write(busy ? `port ${settings.PORT} is busy; set PORT to another port\n` : `could not start the API: ${String(error)}\n`);
  await stack.stop();
  process.exit(1);
});

const url = api.url;
apiUrl = url;
process.stdout.write(`  catalog API ready on ${url} in ${((Date.now() - apiSince) / 1000).toFixed(1)} s\n`);

// `npm run sync` in another terminal joins this stack instead of starting a second one; the README's
// commands read the URLs from here (a helper port may have fallen back to another one).
const urls = {
  api: url,
  page: `${url}/`,
  atom: `${url}/changes.atom`,
  zilliz: stack.zilliz?.url ?? null,
  modelarts: stack.modelarts?.url ?? null,
  dynamodb: stack.env.DYNAMODB_ENDPOINT ?? null,
  events: stack.env.EVENTBRIDGE_ENDPOINT ?? null,
  s3: stack.env.S3_ENDPOINT ?? null,
  catalogFile: stack.catalogFileUrl ?? null,
};
writeFileSync(STATE_FILE, JSON.stringify({ pid: process.pid, provided: stack.provided, urls }, null, 2));

const context = { functionName: 'sync', awsRequestId: 'local' } as Context;
let running = false;
async function runSync(): Promise<void> {
  if (running) return;
  running = true;
  try {
    const summary = (await sync({ source: 'aws.events', 'detail-type': 'Scheduled Event' } as unknown as ScheduledEvent, context)) as PassSummary;
    process.stdout.write(`${formatSummary(summary)}\n`);
  } catch (error: unknown) {
    process.stderr.write(`sync failed: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    running = false;
  }
}

process.stdout.write(
  [
    '',
    `region-sync is running (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s) — open ${url}/ in a browser`,
    `  the page ${url}/   Atom feed ${url}/changes.atom`,
    `  ${url}/regions   ${url}/sources   ${url}/changes   ${url}/openapi.json`,
    ...stack.started.map((s) => `  ${s.name}: ${s.url}${s.fallbackFrom ? ` (not ${s.fallbackFrom}: taken)` : ''}`),
    ...(stack.catalogFileUrl ? [`  the catalog as a file (after each commit; Catalog Published in .local/events.jsonl): ${stack.catalogFileUrl}`] : []),
    `  URLs in .local/stack.json; [notify] lines show each notification as a webhook would get it`,
    ...(stack.webhooks
      ? [`  signed webhooks (Standard Webhooks) in .local/webhooks.jsonl; the endpoint's secret: ${stack.webhooks.secret}`, '  `npm run replay -- --endpoint local --since CURSOR` delivers again from the feed']
      : []),
    `  sync now and every ${settings.SYNC_INTERVAL_SECONDS} s (or run \`npm run sync\` in another terminal); Ctrl-C stops everything`,
    '',
  ].join('\n') + '\n',
);
await runSync();
timer = setInterval(() => void runSync(), settings.SYNC_INTERVAL_SECONDS * 1000);
