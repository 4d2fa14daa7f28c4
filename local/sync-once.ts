/**
 * `npm run sync`: one pass with the local defaults, through the exact Lambda
 * handler. Exit 0 when every scope succeeded, 1 when any failed (the others are
 * still committed), 2 on a configuration error.
 *
 * Beside a running `npm start` it syncs into that stack; otherwise it starts
 * one of its own. Either way the user's variables win: the stack's endpoints
 * and credentials are taken only where none is set (one line printed for
 * each), and a variable set to another value than the running stack's is a
 * configuration error (local/join.ts).
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { PassSummary } from '../lib/sync/pass';
import { exitOnConfigError, formatSummary } from './cli';
import { joinStack } from './join';
import { runningStack, startLocalStack } from './stack';

process.env.LOG_LEVEL ??= 'warn';
const user = { ...process.env };
const running = runningStack();
const stack = running ?? (await startLocalStack({ env: user, persist: true, printEvents: true }).catch(exitOnConfigError));
try {
  const joined = (() => {
    try {
      return joinStack(user, stack.provided, running ? 'the running npm start' : 'the local stack');
    } catch (error: unknown) {
      return exitOnConfigError(error);
    }
  })();
  for (const line of joined.taken) process.stdout.write(`${line}\n`);
  Object.assign(process.env, joined.env);
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
