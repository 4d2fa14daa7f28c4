/**
 * One pass through the real Lambda handler in a child process, configured
 * entirely from the environment: the crash tests set REGION_SYNC_CRASH_AT and
 * watch it die by SIGKILL at that point.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';

const { handler } = await import('../../functions/sync');
await handler({} as ScheduledEvent, { functionName: 'sync', awsRequestId: 'child' } as Context);
process.exit(0);
