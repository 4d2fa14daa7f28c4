/**
 * One pass through the real Lambda handler in a child process, configured
 * entirely from the environment: the crash tests set REGION_SYNC_CRASH_AT and
 * watch it die by SIGKILL at that point. The chaos suite runs its passes on a
 * clock of its own (to span a hold's REMOVAL_HOLD_MINUTES without waiting):
 * with PASS_CLOCK (an ISO time) the pass starts at that time, through the same
 * factory the entry point uses.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';

const at = process.env.PASS_CLOCK;
const { handler } = at
  ? { handler: (await import('../../lib/sync/handler')).prepareSyncHandler({ pass: { now: () => new Date(at) } }) }
  : await import('../../functions/sync');
await handler({} as ScheduledEvent, { functionName: 'sync', awsRequestId: 'child' } as Context);
process.exit(0);
