/**
 * `npm run sync`: one pass with the local defaults, through the exact Lambda
 * handler. Exit 0 when every scope succeeded, 1 when any failed (the others are
 * still committed), 2 on a configuration error.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { PassSummary } from '../lib/sync/pass';
import { exitOnConfigError, formatSummary } from './cli';
import { runningStack, startLocalStack } from './stack';

process.env.LOG_LEVEL ??= 'warn';
const stack = runningStack() ?? await startLocalStack({ env: { ...process.env }, persist: true, printEvents: true }).catch(exitOnConfigError);
try {
  Object.assign(process.env, stack.env);
  const { handler } = await import('../functions/sync').catch(exitOnConfigError);
  const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} } as unknown as ScheduledEvent;
  const summary = (await handler(event, { functionName: 'sync', awsRequestId: 'local' } as Context)) as PassSummary;
  process.stdout.write(`${formatSummary(summary)}\n`);
  if (stack.catalogFileUrl) process.stdout.write(`catalog file: ${stack.catalogFileUrl}\n`);
  process.exitCode = summary.ok ? 0 : 1;
} finally {
  await stack.stop();
}
process.exit();
