/**
 * `npm run invoke -- <sync|catalog> <event file>`: `serverless invoke local`
 * against the stack of a running `npm start`, with its endpoints passed as
 * `-e` variables, so the packaged handler runs offline on the local data.
 */
import { spawnSync } from 'node:child_process';
import { runningStack } from './stack';

const [fn, path] = process.argv.slice(2);
if (!fn || !path || !['sync', 'catalog'].includes(fn)) {
  process.stderr.write('usage: npm run invoke -- <sync|catalog> <event file, e.g. events/get-regions.json>\n');
  process.exit(2);
}
const stack = runningStack();
if (!stack) {
  process.stderr.write('no running stack: start one with `npm start` in another terminal first\n');
  process.exit(1);
}
const vars = Object.entries(stack.provided).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
const run = spawnSync('npx', ['serverless', 'invoke', 'local', '-f', fn, '--path', path, ...vars], { stdio: 'inherit', timeout: 120_000 });
process.exit(run.status ?? 1);
