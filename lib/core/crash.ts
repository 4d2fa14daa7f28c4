/**
 * Named crash points for the crash-safety tests: with REGION_SYNC_CRASH_AT set
 * to a point's name, the process kills itself there with SIGKILL, exactly as a
 * Lambda timeout or an out-of-memory kill would, with no `finally` run. Unset
 * (always, in production) it does nothing.
 */
export type CrashPoint = 'after-fetch' | 'after-commit' | 'during-publish' | 'after-publish';

export function crashPoint(point: CrashPoint): void {
  if (process.env.REGION_SYNC_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
