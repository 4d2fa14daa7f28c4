/**
 * `npm start`'s stack with a helper port taken (as a new user hit it: a random
 * PORT whose PORT+3 was in use): the component falls back to a free port, the
 * progress line and `started` name it, and the other helpers keep theirs.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb';
import { startLocalStack, type LocalStack } from '../../local/stack';

let blocker: Server | undefined;
let stack: LocalStack | undefined;
afterAll(async () => {
  await stack?.stop();
  await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
});

it('starts with PORT+3 taken, on another free port, and says so', async () => {
  // A free base whose PORT+3 this test can hold: another process may win base + 3 first, then try another base.
  let base = 0;
  for (let attempt = 0; attempt < 10 && !blocker; attempt++) {
    base = await freePort();
    const server = createServer();
    const held = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(base + 3, '127.0.0.1', () => resolve(true));
    });
    if (held) blocker = server;
  }
  expect(blocker, 'no free PORT+3 in 10 tries').toBeDefined();
  const taken = base + 3;
  const lines: string[] = [];
  stack = await startLocalStack({
    env: { SOURCES: 'zilliz' },
    persist: false,
    printEvents: false,
    ports: { zilliz: base + 1, modelarts: base + 2, dynamodb: taken, events: base + 4 },
    progress: (line) => lines.push(line),
  });
  const db = stack.started.find((s) => s.name.startsWith('DynamoDB Local'));
  expect(db?.fallbackFrom).toBe(taken);
  expect(new URL(db!.url).port).not.toBe(String(taken));
  expect(lines.find((l) => l.includes('DynamoDB Local'))).toMatch(new RegExp(`ready on http://127\\.0\\.0\\.1:\\d+ in \\d+\\.\\d s \\(port ${taken} is taken`));
  // The others keep their preferred ports (unless another process on this machine holds one: then that one says so too).
  for (const [prefix, port] of [['Zilliz', base + 1], ['EventBridge', base + 4]] as const) {
    const s = stack.started.find((c) => c.name.startsWith(prefix))!;
    expect(s.fallbackFrom === port || s.url === `http://127.0.0.1:${port}`, `${s.name} ${s.url}`).toBe(true);
  }
  // And it works: the table exists on the fallback DynamoDB Local.
  const res = await fetch(db!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables', authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' },
    body: '{}',
  });
  expect(((await res.json()) as { TableNames: string[] }).TableNames).toContain('region-sync-local');
}, 60_000);
