/**
 * Vitest configuration: every test/**\/*.test.ts, the fault matrix (test/faults,
 * also runnable alone with `npm run test:faults`) included. One DynamoDB Local
 * is started per run by the global setup and shared through `inject('dynamoEndpoint')`;
 * each test file takes its own table from it (test/support/db.ts).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/deploy needs moto (Python): `.ci/run` runs it with vitest.deploy.config.ts.
    exclude: ['**/node_modules/**', 'test/deploy/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
