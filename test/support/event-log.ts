/**
 * The run's event log: the global setup makes a folder and names it in the
 * environment the test workers inherit; each harness appends the events its
 * receiver accepted (test/support/harness); at the end of the run every event
 * is validated with ajv against its published schema, and the run fails
 * naming the first problems.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localValidators, problemsOf } from './event-validator';

export const EVENT_LOG_DIR = 'REGION_SYNC_TEST_EVENT_LOG';

export function startEventLog(): { check(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'region-sync-events-'));
  process.env[EVENT_LOG_DIR] = dir;
  return {
    check() {
      try {
        const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
        const validators = localValidators();
        const problems = lines.flatMap((line) => {
          const { detailType, detail } = JSON.parse(line) as { detailType: string; detail: unknown };
          return problemsOf(validators, detailType, detail);
        });
        if (problems.length) throw new Error(`${problems.length} problems in the ${lines.length} events the suite emitted, against their published schemas:\n${[...new Set(problems)].slice(0, 20).join('\n')}`);
        if (process.env.VITEST_EVENT_LOG_VERBOSE === '1') process.stdout.write(`${lines.length} events emitted by the suite match their published schemas\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
