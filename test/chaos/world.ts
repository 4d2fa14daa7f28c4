/**
 * One chaos schedule run against the real system: a fresh table on a shared
 * DynamoDB Local (the passes reach it through the fault proxy, the checks
 * directly), both simulators and the PutEvents receiver on real sockets.
 * Passes run the sync handler as deployed (lib/sync/handler.ts: middy, the
 * secrets read and registered by production code, the warm snapshot cache):
 * up to four warm instances in this process (1-4 passes at once, one per
 * instance), or, to be killed, a cold one in a child process running the
 * Lambda entry point. Passes run on the model's pass clock (the handler's
 * `now`), which the schedule's waits move, so a hold's REMOVAL_HOLD_MINUTES (30)
 * passes in a step. After every step the invariants of invariants.ts are
 * checked against the model; the first violation stops the run, and so does
 * a pass that throws anything but a classified DynamoDB failure met in a step
 * where a DynamoDB fault hit.
 */
import { randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { createCatalogHandler, type CatalogHandler } from '../../lib/catalog/handler';
import { createLogger } from '../../lib/core/log';
import { createDocumentClient } from '../../lib/store/client';
import { PUBLISH_KEY } from '../../lib/store/items';
import { loadSyncConfig, secretsOf, type SyncConfig } from '../../lib/sync/config';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { loadSyncHandler } from '../../lib/sync/handler';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lib/store/s3';
import type { DynamoFaultProxy } from '../../local/dynamo-fault-proxy';
import { startLocalS3, type LocalS3 } from '../../local/s3';
import { startS3FaultProxy, type S3FaultProxy } from '../../local/s3-fault-proxy';
import { startEventReceiver, type EventReceiver } from '../../local/event-receiver';
import { simulatorEnv, startModelartsSimulator, startZillizSimulator, type Fault, type ModelartsSimulator, type RecordedRequest, type ZillizSimulator } from '../../local/simulators';
import { createScratchTable, type ScratchTable } from '../../local/table';
import { runBundledPass } from './child';
import { Checker, Violation, type HoldFigures } from './invariants';
import { MODELARTS_SCOPE, Model, type Outcome } from './model';
import { ANY_OUTCOME, type StepRecord } from './operational';
import { describeStep, DYNAMO_TARGETS, LIST_ROUTES, MODES, routesOf, S3_TARGETS, type Family, type Mode, type Route, type Step } from './schedule';

export const HOLD_PASSES = 2;
/** REMOVAL_HOLD_MINUTES is left at its default (CONTRACT: 30): the model's figure, not read from production's configuration. */
export const HOLD_MINUTES = 30;
const MINUTE = 60_000;
/** The files family's bucket: one s3rver per schedule, behind its own S3 fault proxy. */
const BUCKET = 'region-sync-chaos';

/** The S3 side of the files family: the server, the fault proxy the passes reach it through, and two clients. */
export interface FilesWorld {
  s3: LocalS3;
  proxy: S3FaultProxy;
  /** The warm instances' client, through the proxy; a short request timeout so a `timeout` fault costs a second, not 15. */
  passes: S3Client;
  /** The checks' client, straight to the server: the independent witness of what the bucket holds. */
  witness: S3Client;
}

async function startFiles(): Promise<FilesWorld> {
  const s3 = await startLocalS3({ bucket: BUCKET });
  // S3 checks If-Match / If-None-Match, s3rver does not: the proxy does it for the passes' races on latest.json.
  const proxy = await startS3FaultProxy(s3.endpoint, { conditionalWrites: true });
  const [passes, witness] = await Promise.all([
    createS3Client({ region: 'us-east-1', endpoint: proxy.endpoint, requestTimeoutMs: 400 }),
    createS3Client({ region: 'us-east-1', endpoint: s3.endpoint }),
  ]);
  return { s3, proxy, passes, witness };
}

/** Warm instances of the sync function: a step of n passes at once runs one on each of n of them. */
const INSTANCES = 4;

/** Faults armed (answers that would be faulty) and faults that hit (faulty answers given), by kind. */
export interface FaultCount {
  armed: number;
  hit: number;
}

export interface RunStats {
  steps: number;
  passes: number;
  concurrentSteps: number;
  crashes: number;
  /** Kills that did not happen because the pass never reached the point. */
  crashesNotReached: number;
  faults: Map<string, FaultCount>;
  mutations: Map<string, number>;
  /** Passes that failed as a whole with a classified DynamoDB failure, by error name. */
  thrown: Map<string, number>;
  /** Mass removals committed, and holds kept by the time rule alone (invariants.ts). */
  holds: HoldFigures;
}

/** A schedule that asks for something its family cannot do (a fault on a route the mode never calls). */
export class GeneratorError extends Error {
  override name = 'GeneratorError';
}

/**
 * What a pass may throw when DynamoDB fails beyond the SDK's retries (the
 * handler rethrows it redacted, its name kept): the service's errors, and the
 * connection dropped under an applied write. Anything else is a bug.
 */
const EXPECTED_THROWS = new Set(['ThrottlingException', 'InternalServerError', 'TransactionCanceledException', 'ProvisionedThroughputExceededException', 'TimeoutError']);
const CONNECTION_DROPPED = /socket hang up|ECONNRESET|other side closed|EPIPE|terminated|fetch failed/i;
export function isClassifiedFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return EXPECTED_THROWS.has(error.name) || (error.name === 'Error' && CONNECTION_DROPPED.test(error.message));
}

/** Upstream fault kinds by what the scope sees when the fault answers its last attempt. */
const FAILING = new Set(['status-500', 'status-503', 'rate-limit', 'hang', 'malformed-json', 'html', 'business-error', 'reset', 'echo-secrets']);
const UNSURE = new Set(['missing-id']);
const SHORTENING = new Set(['empty-list', 'short-list', 'glitch']);

type SyncHandler = Awaited<ReturnType<typeof loadSyncHandler>>;

export interface RunResult {
  violation?: { step: number; description: string; message: string };
  stats: RunStats;
  ms: number;
}

const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
const armed = (m: Map<string, FaultCount>, k: string, n: number) => m.set(k, { armed: (m.get(k)?.armed ?? 0) + n, hit: m.get(k)?.hit ?? 0 });
const hit = (m: Map<string, FaultCount>, k: string, n = 1) => m.set(k, { armed: m.get(k)?.armed ?? 0, hit: (m.get(k)?.hit ?? 0) + n });

const LIST_SHAPING = new Set(['empty-list', 'short-list']);

/** A fault that hit a request during the current step. */
interface Hit {
  request: RecordedRequest;
  kind: string;
}

export class World {
  model = new Model();
  stats: RunStats = { steps: 0, passes: 0, concurrentSteps: 0, crashes: 0, crashesNotReached: 0, faults: new Map(), mutations: new Map(), thrown: new Map(), holds: { released: 0, keptByTime: new Set() } };
  /** Per warm instance: the time its pass starts at (the pass clock, plus its place among the step's passes in ms). */
  private instanceClock: number[] = [];
  /** One record per step that ran passes: what the operational events are checked against. */
  records: StepRecord[] = [];
  private hits: Hit[] = [];
  private handlers: SyncHandler[] = [];
  private singlePasses = 0;
  private invocations = 0;
  logLines: string[] = [];
  /** A list-shaping glitch is only armed after a clean pass since the last one, so none lasts REMOVAL_HOLD_PASSES answers. */
  private glitchAllowed = true;
  private glitchArmed = false;
  private counter = 0;
  private catalog!: CatalogHandler;
  private config!: SyncConfig;
  private env!: Record<string, string>;
  checker!: Checker;
  secrets: string[] = [];

  readonly mode: Mode;

  private constructor(
    readonly table: ScratchTable,
    readonly proxy: DynamoFaultProxy,
    readonly zilliz: ZillizSimulator,
    readonly modelarts: ModelartsSimulator,
    readonly receiver: EventReceiver,
    readonly family: Family,
    readonly files: FilesWorld | undefined,
  ) {
    this.mode = MODES[family];
  }

  static async create(endpoint: string, proxy: DynamoFaultProxy, family: Family = 'default'): Promise<World> {
    const key = `zk-${randomBytes(12).toString('hex')}`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const secretKey = `sk-${randomBytes(12).toString('hex')}`;
    const [table, zilliz, modelarts, receiver, files] = await Promise.all([
      createScratchTable(endpoint, 'chaos'),
      startZillizSimulator({ apiKey: key, shape: 'seed' }),
      startModelartsSimulator({ password, secretKey }),
      startEventReceiver(),
      MODES[family].files ? startFiles() : undefined,
    ]);
    const world = new World(table, proxy, zilliz, modelarts, receiver, family, files);
    await world.init();
    return world;
  }

  private async init(): Promise<void> {
    this.env = {
      TABLE_NAME: this.table.tableName,
      DYNAMODB_ENDPOINT: this.proxy.endpoint,
      EVENT_BUS_NAME: 'region-sync-chaos',
      EVENTBRIDGE_ENDPOINT: this.receiver.endpoint,
      // The family's deployment: Zilliz v2 or v1, ModelArts signed with AK/SK or through the IAM password login.
      ...simulatorEnv(this.zilliz, this.modelarts, { zilliz: this.mode.zilliz, huawei: this.mode.huawei }),
      REMOVAL_HOLD_PASSES: String(HOLD_PASSES),
      // REMOVAL_HOLD_MINUTES as deployed (30): the passes run on the model's clock, which the schedule's waits move.
      // Long enough that a loaded machine (2 cores shared by many runs) does not time a healthy upstream out: the model
      // reads a scope's outcome from the last attempt the simulator answered.
      UPSTREAM_TIMEOUT_MS: '2000',
      UPSTREAM_RETRIES: '2',
      PASS_DEADLINE_MS: '8000',
      // The files family: the catalog bucket, reached through the S3 fault proxy (the crash child builds its own client).
      ...(this.files ? { CATALOG_BUCKET: BUCKET, S3_ENDPOINT: this.files.proxy.endpoint } : {}),
    };
    this.config = loadSyncConfig(this.env);
    this.storeDoc = createDocumentClient({ region: 'us-east-1', endpoint: this.proxy.endpoint });
    this.events = createEventBridgeClient({ region: 'us-east-1', endpoint: this.receiver.endpoint });
    // The scan list: every secret of the simulators, configured in this family or not. Only production
    // code registers secrets with the redactor: the handler, when its first pass reads them.
    this.secrets = [this.zilliz.apiKey, this.modelarts.password, this.modelarts.secretKey];
    const log = createLogger({ chaos: true }, (line) => this.logLines.push(line), 'debug');
    // The pass clock starts at a whole minute: the schedule's waits then put holds exactly on REMOVAL_HOLD_MINUTES.
    this.model.clock = Math.floor(Date.now() / MINUTE) * MINUTE;
    for (let i = 0; i < INSTANCES; i++) {
      this.instanceClock.push(this.model.clock);
      const at = i;
      this.handlers.push(
        await loadSyncHandler({
          env: this.env,
          log,
          store: { doc: this.storeDoc, table: this.table.tableName },
          events: this.events,
          ...(this.files ? { s3: this.files.passes } : {}),
          pass: { backoffMs: 5, publish: { leaseWaitMs: 300, backoffMs: 5 }, now: () => new Date(this.instanceClock[at] as number) },
        }),
      );
    }
    this.catalog = createCatalogHandler({ store: { doc: this.table.doc, table: this.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 });
    this.checker = new Checker({ model: this.model, table: this.table, receiver: this.receiver, catalog: this.catalog, secrets: this.secrets, holdPasses: HOLD_PASSES, holdMinutes: HOLD_MINUTES, holds: this.stats.holds, ...(this.files ? { files: { s3: this.files.witness, bucket: BUCKET } } : {}), logLines: this.logLines, records: this.records, zillizVersion: this.mode.zilliz });
    this.pushTruth();
  }

  /** The secrets an upstream can echo: those this branch's configuration sends it. */
  private echoable(): string[] {
    const sent = new Set(secretsOf(this.config));
    return this.secrets.filter((s) => sent.has(s));
  }

  private pushTruth(): void {
    const t = this.model.truth;
    this.zilliz.data.clouds = structuredClone(t.clouds);
    this.zilliz.data.regions = structuredClone(t.zilliz);
    this.modelarts.data.region_items = structuredClone(t.modelarts);
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}-chaos-${this.counter}`;
  }

  // ---------- mutations (model first, then the simulators) ----------

  private mutate(step: Extract<Step, { t: 'mutate' }> | { t: 'mutate'; kind: 'big-cloud'; a: number; b: number }): void {
    const t = this.model.truth;
    const { a, b } = step;
    const clouds = t.clouds.map((c) => c.cloudId);
    const cloud = clouds[Math.floor(a * clouds.length)];
    const list = cloud ? (t.zilliz[cloud] ??= []) : [];
    const useZilliz = b < 0.7 && cloud !== undefined;
    const at = (n: number) => Math.floor(b * n);
    bump(this.stats.mutations, step.kind);
    switch (step.kind) {
      case 'add':
        if (useZilliz) list.push({ cloudId: cloud, regionId: this.nextId(cloud), apiBaseUrl: `https://api.${this.counter}.example`, description: `Region ${this.counter}` });
        else t.modelarts.push({ region_id: this.nextId('ma'), locales: { en_us: `MA ${this.counter}`, zh_cn: `区域 ${this.counter}` } });
        break;
      case 'remove':
        if (useZilliz && list.length) list.splice(at(list.length), 1);
        else if (t.modelarts.length) t.modelarts.splice(at(t.modelarts.length), 1);
        break;
      case 'rename': {
        const r = useZilliz ? list[at(list.length)] : undefined;
        if (r) r.description = `Renamed ${this.nextId('n')}`;
        else {
          const m = t.modelarts[at(t.modelarts.length)];
          if (m) m.locales = { ...m.locales, en_us: `Renamed ${this.nextId('n')}` };
        }
        break;
      }
      case 'change-field': {
        const r = useZilliz ? list[at(list.length)] : undefined;
        if (r) r.apiBaseUrl = `https://changed-${this.nextId('u')}.example`;
        else {
          const m = t.modelarts[at(t.modelarts.length)];
          if (m) m.locales = { ...m.locales, zh_cn: `改 ${this.nextId('z')}` };
        }
        break;
      }
      case 'new-field': {
        const target = (useZilliz ? list[at(list.length)] : t.modelarts[at(t.modelarts.length)]) as Record<string, unknown> | undefined;
        if (target) {
          target.zones = ['z3', 'z1', `z${this.nextId('f')}`];
          target.tier = b < 0.5 ? 'standard' : { level: 2, tags: ['b', 'a'] };
        }
        break;
      }
      case 'reorder':
        // No change at all: list order and key order are not changes.
        if (useZilliz) list.reverse();
        t.modelarts.reverse();
        for (const r of [...list, ...t.modelarts] as Record<string, unknown>[]) if (Array.isArray(r.zones)) r.zones = [...(r.zones as unknown[])].reverse();
        break;
      case 'cloud-added': {
        const id = this.nextId('cloud');
        t.clouds.push({ cloudId: id, description: `Cloud ${id}` });
        t.zilliz[id] = Array.from({ length: 1 + Math.floor(b * 5) }, () => ({ cloudId: id, regionId: this.nextId(id), apiBaseUrl: `https://${this.counter}.example` }));
        break;
      }
      case 'big-cloud': {
        // Too many changes for one transaction (100 items) and for one round of PutEvents calls (4 x 10).
        const id = this.nextId('big');
        t.clouds.push({ cloudId: id, description: `Cloud ${id}` });
        t.zilliz[id] = Array.from({ length: 100 + Math.floor(b * 25) }, () => ({ cloudId: id, regionId: this.nextId(id), apiBaseUrl: `https://${this.counter}.example` }));
        break;
      }
      case 'cloud-gone':
        if (cloud && t.clouds.length > 1) {
          t.clouds = t.clouds.filter((c) => c.cloudId !== cloud);
          delete t.zilliz[cloud];
        }
        break;
      case 'mass-removal':
        if (useZilliz) t.zilliz[cloud] = list.slice(0, Math.floor(list.length / 3));
        else t.modelarts = t.modelarts.slice(0, Math.floor(t.modelarts.length / 3));
        break;
    }
    this.model.commitTruth();
    this.pushTruth();
  }

  // ---------- faults ----------

  /** The simulator and request matcher of a route; a route the mode never calls is a generator error. */
  private route(route: Route): { sim: ZillizSimulator | ModelartsSimulator; match: { path: string | RegExp; method?: string } } {
    if (!routesOf(this.mode).includes(route)) throw new GeneratorError(`a fault on ${route}, which the ${this.family} family (Zilliz ${this.mode.zilliz}, Huawei ${this.mode.huawei}) never calls`);
    switch (route) {
      case 'zilliz /v1/clouds':
        return { sim: this.zilliz, match: { path: '/v1/clouds' } };
      case 'zilliz /v1/regions':
        return { sim: this.zilliz, match: { path: '/v1/regions' } };
      case 'zilliz /v2/regions':
        return { sim: this.zilliz, match: { path: '/v2/regions' } };
      case 'modelarts regions':
        return { sim: this.modelarts, match: { path: /custom-endpoint/ } };
      case 'iam login':
        return { sim: this.modelarts, match: { path: '/v3/auth/tokens', method: 'POST' } };
    }
  }

  /** Queues a fault on a route; each request it answers counts as a hit and is remembered for the step's outcomes. */
  private arm(route: Route, fault: Fault, times: number, label: string, kind: string): void {
    const { sim, match } = this.route(route);
    armed(this.stats.faults, label, times);
    sim.faults.push(fault, {
      times,
      match,
      onHit: () => {
        hit(this.stats.faults, label);
        const request = sim.requests.at(-1);
        if (request) this.hits.push({ request, kind });
      },
    });
  }

  private upstreamFault(step: Extract<Step, { t: 'upstream-fault' }>): void {
    const zilliz = step.route.startsWith('zilliz');
    let times = step.kind === 'hang' ? 1 : step.times;
    if (LIST_SHAPING.has(step.kind)) {
      if (!LIST_ROUTES.includes(step.route)) throw new GeneratorError(`${step.kind} on ${step.route}, which answers no list`);
      if (!this.glitchAllowed) return void this.route(step.route);
      this.glitchArmed = true;
      times = 1;
    }
    const echo = this.echoable().join(' / ');
    const faults: Record<string, Fault> = {
      'status-500': { kind: 'status', status: 500 },
      'status-503': { kind: 'status', status: 503 },
      'rate-limit': { kind: 'rate-limit', retryAfterSeconds: 0 },
      hang: { kind: 'hang' },
      'malformed-json': { kind: 'malformed-json' },
      html: { kind: 'html' },
      'empty-list': { kind: 'empty-list' },
      'missing-id': { kind: 'missing-id' },
      'business-error': { kind: 'business-error' },
      // Removing more than half: what a hold is for (half or less cannot be told from a real removal).
      'short-list': { kind: 'short-list', keep: 0 },
      delay: { kind: 'delay', ms: 50 },
      reset: { kind: 'reset' },
      'echo-secrets': zilliz
        ? { kind: 'business-error', code: 80002, message: `Invalid Api-Key: ${echo}` }
        : { kind: 'status', status: 401, body: { error_code: 'APIG.0301', error_msg: `Incorrect IAM authentication information: ${echo}` } },
    };
    this.arm(step.route, faults[step.kind] as Fault, times, `${step.route} ${step.kind}`, step.kind);
  }

  private glitch(step: Extract<Step, { t: 'glitch' }>): void {
    if (!LIST_ROUTES.includes(step.route)) throw new GeneratorError(`a glitch on ${step.route}, which answers no list`);
    if (!this.glitchAllowed) return void this.route(step.route);
    this.glitchArmed = true;
    // The provider list keeps one cloud; a region list or ModelArts' answer comes back empty.
    const fault: Fault = step.route === 'zilliz /v1/clouds' ? { kind: 'short-list', keep: 1 } : step.route === 'modelarts regions' ? { kind: 'short-list', keep: 0 } : { kind: 'empty-list' };
    this.arm(step.route, fault, 1, `glitch mass removal (${step.route})`, 'glitch');
  }

  private failEntries = 0;
  private failCloud: string | undefined;
  private outageCalls: number | undefined;

  private eventsFault(step: Extract<Step, { t: 'events-fault' }>): void {
    if (step.kind === 'entries') {
      this.failEntries += step.n;
      armed(this.stats.faults, 'EventBridge entry failures', step.n);
    } else if (step.kind === 'outage') {
      this.receiver.faults.outage(true);
      this.outageCalls ??= this.receiver.calls;
      armed(this.stats.faults, 'EventBridge outage (outages armed / calls refused)', 1);
    } else {
      const clouds = this.model.truth.clouds.map((c) => c.cloudId);
      this.failCloud = clouds[step.n % Math.max(1, clouds.length)];
      armed(this.stats.faults, 'EventBridge one cloud failing (clouds armed / entries failed)', 1);
    }
    // One predicate serves both entry faults, so each failure it answers is counted as it happens.
    this.receiver.faults.failIf((e) => {
      if (this.failEntries > 0) {
        this.failEntries -= 1;
        hit(this.stats.faults, 'EventBridge entry failures');
        return true;
      }
      const region = e.detail as { after?: { cloudId?: string } | null; before?: { cloudId?: string } | null };
      if (this.failCloud !== undefined && (region.after ?? region.before)?.cloudId === this.failCloud) {
        hit(this.stats.faults, 'EventBridge one cloud failing (clouds armed / entries failed)');
        return true;
      }
      return false;
    });
  }

  private dynamoFault(step: Extract<Step, { t: 'dynamo-fault' }>): void {
    const target = DYNAMO_TARGETS[step.target];
    if (!target) throw new GeneratorError(`no DynamoDB target ${step.target}`);
    if (step.kind === 'cancelled' && target.operation !== 'TransactWriteItems') throw new GeneratorError(`a cancellation of ${target.operation}`);
    armed(this.stats.faults, `DynamoDB ${step.kind} ${target.operation}`, step.times);
    this.proxy.inject(target.operation, step.kind, step.times, {
      ...('bodyIncludes' in target ? { bodyIncludes: target.bodyIncludes } : {}),
      ...(step.reasons ? { reasons: [...step.reasons] } : {}),
    });
  }

  /** Counted when the proxy answers with it; remembered for the step (a pass that met only S3 faults must fail no scope). */
  private s3Hits = 0;

  private s3Fault(step: Extract<Step, { t: 's3-fault' }>): void {
    if (!this.files) throw new GeneratorError(`an S3 fault in the ${this.family} family, which has no catalog bucket`);
    const target = S3_TARGETS[step.target];
    if (!target) throw new GeneratorError(`no S3 target ${step.target}`);
    const label = `S3 ${step.kind} ${target.label}`;
    armed(this.stats.faults, label, step.times);
    this.files.proxy.inject(step.kind, step.times, { ...(target.method ? { method: target.method } : {}), ...(target.pathIncludes ? { pathIncludes: target.pathIncludes } : {}) }, () => {
      this.s3Hits += 1;
      hit(this.stats.faults, label);
    });
  }

  private clearFaults(): void {
    this.files?.proxy.clear();
    for (const sim of [this.zilliz, this.modelarts]) sim.faults.clear();
    if (this.outageCalls !== undefined) hit(this.stats.faults, 'EventBridge outage (outages armed / calls refused)', this.receiver.calls - this.outageCalls);
    this.outageCalls = undefined;
    this.failEntries = 0;
    this.failCloud = undefined;
    this.receiver.faults.clear();
    this.proxy.clear();
  }

  /** What a dead or failed pass left: its lease expires with time; here at once. */
  private async expireLease(): Promise<void> {
    await this.table.doc
      .send(new UpdateCommand({ TableName: this.table.tableName, Key: PUBLISH_KEY, UpdateExpression: 'SET leaseUntil = :p', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':p': 0 } }))
      .catch(() => undefined);
  }

  // ---------- passes ----------

  private storeDoc!: ReturnType<typeof createDocumentClient>;
  private events!: ReturnType<typeof createEventBridgeClient>;

  /** What every pass-running step shares: a window of time, the hits and DynamoDB faults seen, a record. */
  private async step<T>(label: string, passes: number, clean: boolean, run: () => Promise<T>, outcomes: (r: T) => 'any' | 'computed'): Promise<T> {
    this.hits = [];
    const dynamoBefore = this.proxy.injected;
    const known = this.checker.knownScopes();
    const zStart = this.zilliz.requests.length;
    const mStart = this.modelarts.requests.length;
    // A minute on the pass clock before every step that runs passes: each step's passes start at a time of their own.
    this.model.clock += MINUTE;
    const from = this.model.clock;
    const to = from + passes - 1;
    const result = await run();
    this.countInjected();
    const dynamoHit = this.proxy.injected > dynamoBefore;
    const record: StepRecord = {
      step: this.records.length,
      label,
      from,
      to,
      passes,
      clean,
      version: this.model.versions.length - 1,
      outcomes: new Map(),
      fallback: clean ? new Set(['ok', 'none']) : ANY_OUTCOME,
      glitched: this.glitchedScopes(known),
    };
    if (outcomes(result) === 'computed' && !dynamoHit) this.computeOutcomes(record, known, this.zilliz.requests.slice(zStart), this.modelarts.requests.slice(mStart));
    this.records.push(record);
    return result;
  }

  private hitOn(request: RecordedRequest): string | undefined {
    return this.hits.find((h) => h.request === request)?.kind;
  }

  private zillizScopes(known: ReadonlySet<string>): string[] {
    const all = new Set([...known].filter((s) => s.startsWith('zilliz/') && s !== 'zilliz/*'));
    for (const c of this.model.truth.clouds) all.add(`zilliz/${c.cloudId}`);
    return [...all];
  }

  /** Scopes whose answer a list-shaping fault shortened during this step. */
  private glitchedScopes(known: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    for (const h of this.hits) {
      if (!SHORTENING.has(h.kind)) continue;
      const { path, query, body } = h.request;
      if (path === '/v1/regions') out.add(`zilliz/${query.cloudId ?? (body as { cloudId?: string } | undefined)?.cloudId ?? ''}`);
      else if (path.startsWith('/v1/clouds') || path.startsWith('/v2/')) for (const s of this.zillizScopes(known)) out.add(s);
      else out.add(MODELARTS_SCOPE);
    }
    return out;
  }

  /**
   * One pass with no DynamoDB fault met: each scope's outcome follows from the
   * last attempt of each call it depends on (the simulators' logs, and the
   * fault each request took). A call none of whose attempts failed last
   * succeeded; one whose last attempt took a failing fault failed.
   */
  private computeOutcomes(record: StepRecord, known: ReadonlySet<string>, zilliz: RecordedRequest[], modelarts: RecordedRequest[]): void {
    type Last = 'ok' | 'failed' | 'unsure' | 'absent';
    const verdict = (requests: RecordedRequest[]): Last => {
      const last = requests.at(-1);
      if (!last) return 'absent';
      const kind = this.hitOn(last);
      return kind === undefined || SHORTENING.has(kind) || kind === 'delay' ? 'ok' : FAILING.has(kind) ? 'failed' : UNSURE.has(kind) ? 'unsure' : 'unsure';
    };
    const set = (scope: string, ...o: (Outcome | 'none')[]) => record.outcomes.set(scope, new Set(o));
    const listedClouds = new Set(this.model.truth.clouds.map((c) => c.cloudId));
    const withRegions = new Set(this.model.truth.clouds.filter((c) => (this.model.truth.zilliz[c.cloudId] ?? []).length > 0).map((c) => c.cloudId));
    for (const scope of this.zillizScopes(known)) {
      const cloud = scope.slice('zilliz/'.length);
      const isKnown = known.has(scope);
      if (this.mode.zilliz === 'v2') {
        const v = verdict(zilliz.filter((r) => r.path === '/v2/regions'));
        if (v === 'failed') set(scope, isKnown ? 'failed' : 'none');
        else if (v === 'ok') set(scope, isKnown || withRegions.has(cloud) ? 'ok' : 'none');
        else set(scope, 'ok', 'failed', 'none');
        continue;
      }
      const clouds = zilliz.filter((r) => r.path === '/v1/clouds');
      const discovery = verdict(clouds);
      if (clouds.some((r) => this.hitOn(r) !== undefined && SHORTENING.has(this.hitOn(r) as string))) set(scope, 'ok', 'failed', 'none');
      else if (discovery === 'failed') set(scope, isKnown ? 'failed' : 'none');
      else if (discovery !== 'ok') set(scope, 'ok', 'failed', 'none');
      else if (!listedClouds.has(cloud)) set(scope, isKnown ? 'ok' : 'none');
      else {
        const v = verdict(zilliz.filter((r) => r.path === '/v1/regions' && (r.query.cloudId ?? (r.body as { cloudId?: string } | undefined)?.cloudId) === cloud));
        if (v === 'ok') set(scope, 'ok');
        else if (v === 'failed') set(scope, 'failed');
        else set(scope, 'ok', 'failed', 'none');
      }
    }
    const regions = modelarts.filter((r) => r.path.includes('custom-endpoint'));
    const logins = modelarts.filter((r) => r.path === '/v3/auth/tokens');
    const lastLogin = logins.at(-1);
    const loginAfter = lastLogin !== undefined && (regions.length === 0 || modelarts.indexOf(lastLogin) > modelarts.indexOf(regions.at(-1) as RecordedRequest));
    const v = loginAfter && verdict(logins) === 'failed' ? 'failed' : verdict(regions);
    if (v === 'ok' || v === 'failed') set(MODELARTS_SCOPE, v);
    else set(MODELARTS_SCOPE, 'ok', 'failed', 'none');
  }

  /** Runs n passes at once, each on its own warm instance; returns, per pass, whether it threw. */
  private async passes(n: number, first = 0): Promise<{ ok: boolean; threw?: unknown }[]> {
    // Passes at once start a millisecond apart on the pass clock (no two commits share a time).
    for (let i = 0; i < n; i++) {
      this.instanceClock[(first + i) % INSTANCES] = this.model.clock + i;
      this.model.passTimes[this.model.passes + 1 + i] = this.model.clock + i;
    }
    this.model.passes += n;
    this.stats.passes += n;
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const handler = this.handlers[(first + i) % INSTANCES] as SyncHandler;
        this.invocations += 1;
        try {
          const summary = await handler({}, { functionName: 'sync', awsRequestId: `chaos-${this.invocations}` } as Context);
          return { ok: summary.ok };
        } catch (error: unknown) {
          return { ok: false, threw: error };
        }
      }),
    );
  }

  /** A pass that threw: allowed only as a classified DynamoDB failure in a step where a DynamoDB fault hit. */
  private judgeThrows(results: { threw?: unknown }[], dynamoHit: boolean): void {
    for (const { threw } of results) {
      if (threw === undefined) continue;
      const e = threw instanceof Error ? threw : new Error(String(threw));
      if (!dynamoHit || !isClassifiedFailure(e)) {
        throw new Violation(`a pass threw ${e.name}: ${e.message}${dynamoHit ? '' : ' (no DynamoDB fault hit in this step)'}`);
      }
      bump(this.stats.thrown, e.name === 'Error' ? 'connection dropped' : e.name);
    }
  }

  private async pass(concurrent: number): Promise<void> {
    if (concurrent > 1) this.stats.concurrentSteps += 1;
    // A single pass lands on one warm instance after another, so each instance's cache meets the others' commits.
    const first = concurrent > 1 ? 0 : this.singlePasses++ % INSTANCES;
    const before = this.proxy.injected;
    const s3Before = this.s3Hits;
    const results = await this.step(`${concurrent} pass${concurrent > 1 ? 'es at once' : ''}`, concurrent, false, () => this.passes(concurrent, first), (r) =>
      concurrent === 1 && r.every((x) => x.threw === undefined) ? 'computed' : 'any',
    );
    this.judgeThrows(results, this.proxy.injected > before);
    // An S3 fault fails no scope: a pass whose only faults were S3's succeeds everywhere.
    if (this.s3Hits > s3Before && this.proxy.injected === before && this.hits.length === 0 && results.some((r) => !r.ok)) {
      throw new Violation(`a pass that met only S3 faults (${this.s3Hits - s3Before}) failed a scope`);
    }
    this.afterFaultyPass();
  }

  private afterFaultyPass(): void {
    if (this.glitchArmed) {
      this.glitchAllowed = false;
      this.model.glitchPasses.push(this.model.passes);
    }
    this.glitchArmed = false;
    this.clearFaults();
  }

  private countedDynamo = new Map<string, number>();
  private countInjected(): void {
    for (const [k, v] of this.proxy.byKind) {
      const seen = this.countedDynamo.get(k) ?? 0;
      if (v > seen) hit(this.stats.faults, `DynamoDB ${k}`, v - seen);
      this.countedDynamo.set(k, v);
    }
  }

  private async clean(): Promise<void> {
    this.clearFaults();
    await this.expireLease();
    const [result] = await this.step('clean pass', 1, true, () => this.passes(1), () => 'computed');
    if (result?.threw !== undefined) {
      const e = result.threw instanceof Error ? result.threw : new Error(String(result.threw));
      throw new Violation(`a pass with every upstream and DynamoDB healthy threw ${e.name}: ${e.message}`);
    }
    if (!result?.ok) throw new Violation('a pass with every upstream and DynamoDB healthy did not succeed for every scope');
    this.model.passesAtClean = this.model.passes;
    this.model.cleanPasses.push(this.model.passes);
    this.glitchAllowed = true;
    await this.checker.afterCleanPass();
  }

  private async crash(step: Extract<Step, { t: 'crash' }>): Promise<void> {
    if (step.big) this.mutate({ t: 'mutate', kind: 'big-cloud', a: 0, b: 0.5 });
    await this.expireLease();
    const before = this.proxy.injected;
    const child = await this.step(describeStep(step), 1, false, () => {
      this.model.passes += 1;
      this.stats.passes += 1;
      this.model.passTimes[this.model.passes] = this.model.clock;
      return runBundledPass({ ...this.env, REGION_SYNC_CRASH_AT: step.point, PASS_CLOCK: new Date(this.model.clock).toISOString() });
    }, () => 'any');
    this.logLines.push(...child.output.split('\n').filter(Boolean));
    if (process.env.CHILD_LOG) process.stdout.write(child.output);
    if (child.signal === 'SIGKILL') this.stats.crashes += 1;
    else this.stats.crashesNotReached += 1;
    // A child that failed on its own (not killed) is judged like a pass that threw.
    if (child.signal !== 'SIGKILL' && child.code !== 0) {
      const named = [...EXPECTED_THROWS].find((name) => child.output.includes(name)) ?? (CONNECTION_DROPPED.test(child.output) ? 'connection dropped' : undefined);
      if (this.proxy.injected === before || named === undefined) {
        throw new Violation(`the crash child exited with code ${child.code} before its crash point: ${child.output.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`);
      }
      bump(this.stats.thrown, named);
    }
    this.afterFaultyPass();
    // The state at the moment of the kill: checked before anything else runs.
    await this.checker.check(`after SIGKILL ${step.point}`);
    await this.expireLease();
  }

  async run(step: Step): Promise<void> {
    this.stats.steps += 1;
    const t0 = Date.now();
    await this.runStep(step);
    const t1 = Date.now();
    // Arming a fault or changing the upstream leaves the system as it was: the checks follow every step that ran it.
    if (step.t === 'pass' || step.t === 'crash') await this.checker.check(describeStep(step));
    if (process.env.CHAOS_PROFILE === '1') process.stdout.write(`  ${describeStep(step)}: ${t1 - t0} ms + check ${Date.now() - t1} ms\n`);
  }

  private async runStep(step: Step): Promise<void> {
    switch (step.t) {
      case 'mutate':
        this.mutate(step);
        break;
      case 'upstream-fault':
        this.upstreamFault(step);
        break;
      case 'glitch':
        this.glitch(step);
        break;
      case 'expire-tokens':
        if (this.mode.huawei !== 'password') throw new GeneratorError(`IAM tokens expire in the ${this.family} family, which signs with AK/SK`);
        this.modelarts.expireTokens();
        break;
      case 'events-fault':
        this.eventsFault(step);
        break;
      case 'dynamo-fault':
        this.dynamoFault(step);
        break;
      case 'pass':
        await this.pass(step.concurrent);
        break;
      case 'crash':
        await this.crash(step);
        break;
      case 'clean':
        await this.clean();
        break;
      case 'wait':
        this.model.clock += step.minutes * MINUTE;
        break;
      case 's3-fault':
        this.s3Fault(step);
        break;
    }
  }

  /** The end of every schedule: faults gone, enough clean passes for any hold to resolve, then exact equality. */
  async finish(): Promise<void> {
    const t0 = Date.now();
    // A hold releases on its REMOVAL_HOLD_PASSES-th confirming answer that starts REMOVAL_HOLD_MINUTES after the first:
    // that many clean passes, the last exactly that long after the first, resolve any (a hold that starts at the
    // first one is confirmed on the dot, so the time rule's boundary is met in every schedule that ends held).
    await this.clean();
    for (let i = 1; i < HOLD_PASSES; i++) {
      if (i === HOLD_PASSES - 1) this.model.clock += (HOLD_MINUTES - (HOLD_PASSES - 1)) * MINUTE;
      await this.clean();
    }
    if (process.env.CHAOS_PROFILE === '1') process.stdout.write(`  final clean passes: ${Date.now() - t0} ms\n`);
    await this.checker.finalCheck();
  }

  async close(): Promise<void> {
    this.clearFaults();
    this.storeDoc.destroy();
    this.events.destroy();
    this.files?.passes.destroy();
    this.files?.witness.destroy();
    await Promise.all([this.zilliz.close(), this.modelarts.close(), this.receiver.close(), this.files?.proxy.close(), this.files?.s3.stop()]);
    await this.table.drop();
  }
}

export async function runSchedule(endpoint: string, proxy: DynamoFaultProxy, steps: readonly Step[], family: Family = 'default'): Promise<RunResult> {
  const started = Date.now();
  proxy.clear();
  proxy.byKind.clear();
  proxy.calls.clear();
  const world = await World.create(endpoint, proxy, family);
  if (process.env.CHAOS_PROFILE === '1') process.stdout.write(`  setup: ${Date.now() - started} ms\n`);
  let index = -1;
  try {
    await world.checker.check('start');
    for (const [i, step] of steps.entries()) {
      index = i;
      await world.run(step);
    }
    index = steps.length;
    await world.finish();
    return { stats: world.stats, ms: Date.now() - started };
  } catch (error: unknown) {
    // Anything thrown fails the schedule: a violation, a generator error, or an exception no check expected.
    const message = error instanceof Error ? (error instanceof Violation ? error.message : `${error.name}: ${error.message}\n${error.stack ?? ''}`) : String(error);
    const description = index >= 0 && index < steps.length ? describeStep(steps[index] as Step) : 'final clean passes';
    return { violation: { step: index, description, message }, stats: world.stats, ms: Date.now() - started };
  } finally {
    await world.close();
  }
}
