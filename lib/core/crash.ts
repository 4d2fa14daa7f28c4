/**
 * Named crash points for the crash-safety tests: with REGION_SYNC_CRASH_AT set
 * to a point's name, the process kills itself there with SIGKILL, exactly as a
 * Lambda timeout or an out-of-memory kill would, with no `finally` run. Unset
 * (always, in production) it does nothing.
 */
export const CRASH_POINTS = [
  'after-fetch',
  /** Between two transactions of one commit (a scope too large for one transaction). */
  'between-transactions',
  'after-commit',
  /** Between two groups of PutEvents calls of one changeset. */
  'between-batches',
  'during-publish',
  'after-publish',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

export function crashPoint(point: CrashPoint): void {
  if (process.env.REGION_SYNC_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
