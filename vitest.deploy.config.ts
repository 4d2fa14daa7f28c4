/**
 * The deploy check (test/deploy): the packaged template in moto's
 * CloudFormation, then one sync pass against what it created. Run by `.ci/run`
 * (needs moto, a Python tool), never by `npm test`. No DynamoDB Local: the
 * table is the one the stack creates in moto. One file, its configurations in order.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/deploy/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
