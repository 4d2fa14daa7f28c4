/**
 * Vitest configuration for the main suite: every test/**\/*.test.ts except the
 * fault-injection suite (test/faults, run by its own config). One DynamoDB Local
 * is started per run by the global setup and shared through `inject('dynamoEndpoint')`;
 * each test file takes its own table from it (test/support/db.ts).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
