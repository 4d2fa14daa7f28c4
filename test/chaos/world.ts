/**
 * One chaos schedule run against the real system: a fresh table on a shared
 * DynamoDB Local (the passes reach it through the fault proxy, the checks
 * directly), both simulators and the PutEvents receiver on real sockets,
 * passes run in this process (1-4 at once) or, to be killed, in a child
 * process running the real Lambda handler. After every step the invariants
 * of invariants.ts are checked against the model; the first violation stops
 * the run.
 */
import { randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createCatalogHandler, type CatalogHandler } from '../../lib/catalog/handler';
import { createLogger } from '../../lib/core/log';
import { createDocumentClient } from '../../lib/store/client';
import { PUBLISH_KEY } from '../../lib/store/items';
import { loadSyncConfig, secretsOf, type SyncConfig } from '../../lib/sync/config';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { createSyncHandler } from '../../lib/sync/handler';
import { runPass } from '../../lib/sync/pass';
import { clearTokenCache } from '../../lib/sync/sources/huawei-iam';
import type { DynamoFaultProxy } from '../../local/dynamo-fault-proxy';
import { startEventReceiver, type EventReceiver } from '../../local/event-receiver';
import { huaweiEnv, simulatorEnv, startModelartsSimulator, startZillizSimulator, type Fault, type ModelartsSimulator, type ZillizSimulator } from '../../local/simulators';
import { createScratchTable, type ScratchTable } from '../../local/table';
import { runBundledPass } from './child';
import { Checker, Violation } from './invariants';
import { Model } from './model';
import { describeStep, DYNAMO_TARGETS, type Step } from './schedule';

export const HOLD_PASSES = 2;

export interface RunStats {
  steps: number;
  passes: number;
  concurrentSteps: number;
  crashes: number;
  /** Kills that did not happen because the pass never reached the point. */
  crashesNotReached: number;
  faults: Map<string, number>;
  mutations: Map<string, number>;
}

export interface RunResult {
  violation?: { step: number; description: string; message: string };
  stats: RunStats;
  ms: number;
}

const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

const LIST_SHAPING = new Set(['empty-list', 'short-list']);

export class World {
  model = new Model();
  stats: RunStats = { steps: 0, passes: 0, concurrentSteps: 0, crashes: 0, crashesNotReached: 0, faults: new Map(), mutations: new Map() };
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

  private constructor(
    readonly table: ScratchTable,
    readonly proxy: DynamoFaultProxy,
    readonly zilliz: ZillizSimulator,
    readonly modelarts: ModelartsSimulator,
    readonly receiver: EventReceiver,
  ) {}

  static async create(endpoint: string, proxy: DynamoFaultProxy): Promise<World> {
    const key = `zk-${randomBytes(12).toString('hex')}`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const secretKey = `sk-${randomBytes(12).toString('hex')}`;
    const [table, zilliz, modelarts, receiver] = await Promise.all([
      createScratchTable(endpoint, 'chaos'),
      startZillizSimulator({ apiKey: key, shape: 'seed' }),
      startModelartsSimulator({ password, secretKey }),
      startEventReceiver(),
    ]);
    const world = new World(table, proxy, zilliz, modelarts, receiver);
    world.init();
    return world;
  }

  private init(): void {
    this.env = {
      TABLE_NAME: this.table.tableName,
      DYNAMODB_ENDPOINT: this.proxy.endpoint,
      EVENT_BUS_NAME: 'region-sync-chaos',
      EVENTBRIDGE_ENDPOINT: this.receiver.endpoint,
      // Zilliz v1 (discovery and one listing per cloud: the most scope logic to break) and ModelArts
      // signed with AK/SK, the default method; the password is configured too, and scanned for.
      ...simulatorEnv(this.zilliz, this.modelarts),
      ...huaweiEnv(this.modelarts, 'aksk'),
      REMOVAL_HOLD_PASSES: String(HOLD_PASSES),
      // The model counts passes only; the time rule (REMOVAL_HOLD_MINUTES, default 30) is off until it models it.
      REMOVAL_HOLD_MINUTES: '0',
      // Long enough that a loaded machine does not time a healthy upstream out.
      UPSTREAM_TIMEOUT_MS: '1000',
      UPSTREAM_RETRIES: '2',
      PASS_DEADLINE_MS: '4000',
    };
    this.config = loadSyncConfig(this.env);
    this.storeDoc = createDocumentClient({ region: 'us-east-1', endpoint: this.proxy.endpoint });
    this.events = createEventBridgeClient({ region: 'us-east-1', endpoint: this.receiver.endpoint });
    // The secrets are registered with the redactor by production code, the sync handler's factory (the passes below call runPass).
    createSyncHandler(this.config, { store: { doc: this.storeDoc, table: this.table.tableName }, events: this.events, log: createLogger({}, () => undefined) });
    // The scan list: every secret the deployment holds, used by this branch or not.
    this.secrets = [this.zilliz.apiKey, this.modelarts.password, this.modelarts.secretKey];
    this.catalog = createCatalogHandler({ doc: this.table.doc, tableName: this.table.tableName, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 });
    this.checker = new Checker({ model: this.model, table: this.table, receiver: this.receiver, catalog: this.catalog, secrets: this.secrets, holdPasses: HOLD_PASSES, logLines: this.logLines });
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

  private upstreamFault(step: Extract<Step, { t: 'upstream-fault' }>): void {
    const sim = step.source === 'zilliz' ? this.zilliz : this.modelarts;
    const match = { path: step.source === 'zilliz' ? '/v1/regions' : /custom-endpoint/ };
    let times = step.kind === 'hang' ? 1 : step.times;
    if (LIST_SHAPING.has(step.kind)) {
      if (!this.glitchAllowed) return;
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
      'echo-secrets':
        step.source === 'zilliz'
          ? { kind: 'business-error', code: 80002, message: `Invalid Api-Key: ${echo}` }
          : { kind: 'status', status: 401, body: { error_code: 'APIG.0301', error_msg: `Incorrect IAM authentication information: ${echo}` } },
    };
    sim.faults.push(faults[step.kind] as Fault, { times, match });
    bump(this.stats.faults, `${step.source} ${step.kind}`);
  }

  private glitch(step: Extract<Step, { t: 'glitch' }>): void {
    if (!this.glitchAllowed) return;
    this.glitchArmed = true;
    if (step.target === 'zilliz-clouds') this.zilliz.faults.push({ kind: 'short-list', keep: 1 }, { times: 1, match: { path: '/v1/clouds' } });
    else if (step.target === 'zilliz-regions') this.zilliz.faults.push({ kind: 'empty-list' }, { times: 1, match: { path: '/v1/regions' } });
    else this.modelarts.faults.push({ kind: 'short-list', keep: 0 }, { times: 1, match: { path: /custom-endpoint/ } });
    bump(this.stats.faults, `glitch mass removal (${step.target})`);
  }

  private eventsFault(step: Extract<Step, { t: 'events-fault' }>): void {
    if (step.kind === 'entries') this.receiver.faults.failEntries(step.n);
    else if (step.kind === 'outage') this.receiver.faults.outage(true);
    else {
      const clouds = this.model.truth.clouds.map((c) => c.cloudId);
      const cloud = clouds[step.n % Math.max(1, clouds.length)];
      this.receiver.faults.failIf((e) => (e.detail as { after?: { cloudId?: string } }).after?.cloudId === cloud);
    }
    bump(this.stats.faults, `EventBridge ${step.kind === 'entries' ? 'entry failures' : step.kind === 'outage' ? 'outage' : 'entry failures (one cloud)'}`);
  }

  private dynamoFault(step: Extract<Step, { t: 'dynamo-fault' }>): void {
    const target = DYNAMO_TARGETS[step.target];
    if (!target) return;
    this.proxy.inject(target.operation, step.kind, step.times, 'bodyIncludes' in target ? { bodyIncludes: target.bodyIncludes } : {});
  }

  private clearFaults(): void {
    for (const sim of [this.zilliz, this.modelarts]) sim.faults.clear();
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

  private async passes(n: number): Promise<{ ok: boolean; threw: boolean }[]> {
    clearTokenCache();
    this.model.passes += n;
    this.stats.passes += n;
    const log = createLogger({ chaos: true }, (line) => this.logLines.push(line), 'debug');
    return Promise.all(
      Array.from({ length: n }, async () => {
        try {
          const summary = await runPass({
            config: this.config,
            store: { doc: this.storeDoc, table: this.table.tableName },
            events: this.events,
            log,
            backoffMs: 5,
            publish: { leaseWaitMs: 300, backoffMs: 5 },
          });
          return { ok: summary.ok, threw: false };
        } catch (error: unknown) {
          // A pass may fail as a whole (the table unreachable beyond the SDK's retries): that is allowed; losing data is not.
          log.warn('pass threw', { error });
          return { ok: false, threw: true };
        }
      }),
    );
  }

  private async pass(concurrent: number): Promise<void> {
    if (concurrent > 1) this.stats.concurrentSteps += 1;
    await this.passes(concurrent);
    this.countInjected();
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
      if (v > seen) bump(this.stats.faults, `DynamoDB ${k}`, v - seen);
      this.countedDynamo.set(k, v);
    }
  }

  private async clean(): Promise<void> {
    this.clearFaults();
    await this.expireLease();
    const [result] = await this.passes(1);
    if (!result?.ok) throw new Violation('a pass with every upstream and DynamoDB healthy did not succeed for every scope');
    this.model.passesAtClean = this.model.passes;
    this.model.cleanPasses.push(this.model.passes);
    this.glitchAllowed = true;
    await this.checker.afterCleanPass();
  }

  private async crash(step: Extract<Step, { t: 'crash' }>): Promise<void> {
    if (step.big) this.mutate({ t: 'mutate', kind: 'big-cloud', a: 0, b: 0.5 });
    await this.expireLease();
    this.model.passes += 1;
    this.stats.passes += 1;
    const child = await runBundledPass({ ...this.env, REGION_SYNC_CRASH_AT: step.point });
    this.logLines.push(...child.output.split('\n').filter(Boolean));
    if (process.env.CHILD_LOG) process.stdout.write(child.output);
    if (child.signal === 'SIGKILL') this.stats.crashes += 1;
    else this.stats.crashesNotReached += 1;
    this.countInjected();
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
    }
  }

  /** The end of every schedule: faults gone, enough clean passes for any hold to resolve, then exact equality. */
  async finish(): Promise<void> {
    const t0 = Date.now();
    // A hold releases on its REMOVAL_HOLD_PASSES-th confirming answer: that many clean passes resolve any.
    for (let i = 0; i < HOLD_PASSES; i++) await this.clean();
    if (process.env.CHAOS_PROFILE === '1') process.stdout.write(`  final clean passes: ${Date.now() - t0} ms\n`);
    await this.checker.finalCheck();
  }

  async close(): Promise<void> {
    this.clearFaults();
    this.storeDoc.destroy();
    this.events.destroy();
    await Promise.all([this.zilliz.close(), this.modelarts.close(), this.receiver.close()]);
    await this.table.drop();
  }
}

export async function runSchedule(endpoint: string, proxy: DynamoFaultProxy, steps: readonly Step[]): Promise<RunResult> {
  const started = Date.now();
  proxy.clear();
  proxy.byKind.clear();
  proxy.calls.clear();
  const world = await World.create(endpoint, proxy);
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
    const message = error instanceof Error ? (error instanceof Violation ? error.message : `${error.name}: ${error.message}\n${error.stack ?? ''}`) : String(error);
    const description = index >= 0 && index < steps.length ? describeStep(steps[index] as Step) : 'final clean passes';
    return { violation: { step: index, description, message }, stats: world.stats, ms: Date.now() - started };
  } finally {
    await world.close();
  }
}
