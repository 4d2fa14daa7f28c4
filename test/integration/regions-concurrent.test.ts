/**
 * `GET /regions` read while real passes commit (the sync handler against the
 * simulators): every answer is one committed version, whole. The truth is the
 * simulators' own state: each pass commits exactly one sequence here, so the
 * catalog of version v is what the simulators answered to pass v. Readers go
 * through their own handler (so through loadCatalog's read of SEQ, the Query of
 * the regions and SEQ again), with a short random delay before each DynamoDB
 * read, so that commits land between those reads. One pass only removes
 * regions: a commit that leaves no region item of its own behind, which only
 * the second read of SEQ can notice.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { createDocumentClient } from '../../lib/store/client';
import { CatalogUnstableError, loadCatalog } from '../../lib/store/read';
import type { Region } from '../../lib/core/region';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

/** The catalog the simulators answer now: region id → the `note` it carries (the value the passes change). */
function simulatorCatalog(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const list of Object.values(h.zilliz.data.regions)) for (const r of list ?? []) out.set(`zilliz:${r.regionId}`, r.note);
  for (const r of h.modelarts.data.region_items) out.set(`modelarts:${r.region_id}`, undefined);
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A document client that waits up to `maxMs` before each Query: commits land between loadCatalog's reads of SEQ and of the regions. */
function slowClient(endpoint: string, maxMs: number): DynamoDBDocumentClient {
  const doc = createDocumentClient({ region: 'us-east-1', endpoint });
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') await sleep(Math.random() * maxMs);
      return next(args);
    },
    { step: 'initialize', name: 'widenTheWindow' },
  );
  return doc;
}

interface Answer {
  status: number;
  version?: number;
  regions?: Region[];
  problem?: unknown;
}

it('every answer during four committing passes is one committed version, whole', async () => {
  const pad = 'x'.repeat(2_000);
  for (let i = 0; i < 15; i++) h.zilliz.addRegion('aws', { regionId: `aws-extra-${i}`, note: 'v1', pad });
  const truth: Map<string, unknown>[] = [new Map()];
  const rounds: (() => void)[] = [
    () => undefined,
    // Pass 2: values change and regions come.
    () => {
      for (let i = 0; i < 10; i++) h.zilliz.updateRegion('aws', `aws-extra-${i}`, { note: 'v2' });
      for (let i = 0; i < 5; i++) h.zilliz.addRegion('gcp', { regionId: `gcp-extra-${i}`, note: 'v2', pad });
    },
    // Pass 3: removals only (fewer than half of the scope, so they are not held).
    () => {
      for (let i = 10; i < 15; i++) expect(h.zilliz.removeRegion('aws', `aws-extra-${i}`)).toBe(true);
    },
    // Pass 4: all three kinds.
    () => {
      for (let i = 0; i < 5; i++) h.zilliz.updateRegion('aws', `aws-extra-${i}`, { note: 'v4' });
      expect(h.zilliz.removeRegion('gcp', 'gcp-extra-0')).toBe(true);
      h.zilliz.addRegion('aws', { regionId: 'aws-extra-99', note: 'v4', pad });
    },
    // Pass 5: removals only again, in another scope.
    () => {
      for (let i = 1; i < 3; i++) expect(h.zilliz.removeRegion('gcp', `gcp-extra-${i}`)).toBe(true);
    },
  ];

  const answers: Answer[] = [];
  let writing = true;
  /** GET /regions through a handler of its own. */
  const reader = async () => {
    const handler = createCatalogHandler({ store: { doc: slowClient(h.table.endpoint, 40), table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) as TestHandler;
    while (writing) {
      const res = await call(handler, 'GET', '/regions');
      const body = res.json as { version?: string; regions?: Region[] };
      answers.push(res.status === 200 ? { status: 200, version: Number(body.version), regions: body.regions! } : { status: res.status, problem: res.json });
    }
  };
  // The route reloads only when SEQ moved, right after a commit; loadCatalog itself, called in a loop, is
  // read across the moment of every commit.
  const loader = async () => {
    const doc = slowClient(h.table.endpoint, 40);
    while (writing) {
      try {
        const { version, regions } = await loadCatalog({ doc, table: h.table.tableName });
        answers.push({ status: 200, version, regions });
      } catch (error: unknown) {
        if (!(error instanceof CatalogUnstableError)) throw error;
        answers.push({ status: 503, problem: { status: error.statusCode } });
      }
    }
  };
  const readers = [reader(), reader(), loader(), loader()];
  // Pass 1 is the first sync; passes 2 to 5 commit while the readers read.
  for (const [index, round] of rounds.entries()) {
    round();
    truth.push(simulatorCatalog());
    const summary = await h.pass();
    expect(summary.ok, JSON.stringify(summary.scopes)).toBe(true);
    // One sequence per pass: the catalog of version v is what the simulators answered to pass v.
    expect(summary.sequences).toEqual([index + 1]);
    await sleep(30);
  }
  writing = false;
  await Promise.all(readers);

  const ok = answers.filter((a) => a.status === 200);
  for (const answer of answers.filter((a) => a.status !== 200)) {
    // The only other answer allowed: commits kept landing through every attempt, said as a 503 problem.
    expect(answer.status).toBe(503);
    expect(answer.problem).toMatchObject({ status: 503 });
  }
  for (const answer of ok) {
    const want = truth[answer.version!];
    expect(want, `version ${answer.version}`).toBeDefined();
    const got = new Map(answer.regions!.map((r) => [r.id, r.attributes.note]));
    expect(got, `version ${answer.version}`).toEqual(want);
  }
  // The test has teeth only if reads met most versions, the removal-only ones included.
  const versions = new Set(ok.map((a) => a.version));
  expect(versions.size, [...versions].join()).toBeGreaterThanOrEqual(4);
});
