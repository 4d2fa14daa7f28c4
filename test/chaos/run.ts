/**
 * `npm run test:chaos [-- --family default|v1|password] [--seed N] [--runs N] [--from N] [--steps i,j,k] [--jobs N]`:
 * runs seeded chaos schedules (seeds from..from+runs-1, or the one seed),
 * shrinks a failing schedule to its shortest failing subsequence, prints the
 * seed and that schedule with the command that replays it, and at the end the
 * figures table of README's "Reliability, measured" section.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { startDynamoDbLocal } from '../../local/dynamodb';
import { startDynamoFaultProxy } from '../../local/dynamo-fault-proxy';
import { FAMILIES, type Family } from './schedule';
import { runChaos, formatFigures } from './suite';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seed = arg('seed');
const runs = Number(arg('runs') ?? (seed === undefined ? 20 : 1));
const from = Number(seed ?? arg('from') ?? 1);
const only = arg('steps')?.split(',').map(Number);
const family = (arg('family') ?? 'default') as Family;
if (!FAMILIES.includes(family)) {
  process.stderr.write(`--family must be one of ${FAMILIES.join(', ')}, got ${family}\n`);
  process.exit(2);
}

const configured = process.env.DYNAMODB_ENDPOINT;
const db = configured ? undefined : await startDynamoDbLocal();
const endpoint = configured || (db?.endpoint as string);
const jobs = Math.max(1, Number(arg('jobs') ?? 2));
const proxies = await Promise.all(Array.from({ length: jobs }, () => startDynamoFaultProxy(endpoint)));
let code = 0;
try {
  const report = await runChaos({
    endpoint,
    family,
    proxies,
    seeds: Array.from({ length: runs }, (_, i) => from + i),
    ...(only ? { only } : {}),
    shrink: true,
    shrinkBudget: Number(arg('shrink-budget') ?? 30),
    progress: (line) => process.stdout.write(`${line}\n`),
    onReport: (r) => {
      mkdirSync('.local', { recursive: true });
      writeFileSync(`.local/chaos-figures-${family}.md`, `${formatFigures(r)}\n`);
    },
  });
  const table = formatFigures(report);
  process.stdout.write(`\n${table}\n`);
  mkdirSync('.local', { recursive: true });
  writeFileSync(`.local/chaos-figures-${family}.md`, `${table}\n`);
  if (report.failures.length) code = 1;
} finally {
  await Promise.all(proxies.map((p) => p.close()));
  await db?.stop();
}
process.exit(code);
