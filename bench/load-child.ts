/**
 * The load generator in its own process, so it does not share the event loop
 * of the server it measures: `tsx bench/load-child.ts '<json ComparisonSpec>'`
 * prints one JSON line, the ComparisonResult.
 */
import { runComparison, type ComparisonSpec } from './load';

const spec = JSON.parse(process.argv[2] ?? '{}') as ComparisonSpec;
process.stdout.write(`${JSON.stringify(await runComparison(spec))}\n`);
