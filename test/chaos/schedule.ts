/**
 * Schedules, pure: a seed gives a list of abstract steps (mulberry32, so a
 * seed replays exactly). Steps carry random numbers, not region ids: the
 * world interprets them against the model when it runs them, so a schedule
 * with steps removed (shrinking) still makes sense.
 */
import { CRASH_POINTS, type CrashPoint } from '../../lib/core/crash';

export type Rng = () => number;

/** mulberry32: a tiny, fast, seedable generator. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

export const MUTATIONS = ['add', 'remove', 'rename', 'change-field', 'new-field', 'reorder', 'cloud-added', 'cloud-gone', 'mass-removal'] as const;
export type MutationKind = (typeof MUTATIONS)[number];

export const UPSTREAM_FAULTS = ['status-500', 'status-503', 'rate-limit', 'hang', 'malformed-json', 'html', 'empty-list', 'missing-id', 'business-error', 'short-list', 'delay', 'reset', 'echo-secrets'] as const;
export type UpstreamFaultKind = (typeof UPSTREAM_FAULTS)[number];
/** The login answers no list: list-shaping faults mean nothing there. */
export const LOGIN_FAULTS = UPSTREAM_FAULTS.filter((k) => k !== 'empty-list' && k !== 'short-list' && k !== 'missing-id');

/**
 * Schedule families: the deployed default (Zilliz v2, ModelArts signed with
 * AK/SK, no catalog bucket: `catalogBucket` is empty by default), Zilliz v1
 * (discovery and one listing per cloud), the IAM password login, and `files`:
 * the default with a catalog bucket (s3rver behind the S3 fault proxy), whose
 * schedules add S3 faults. Every family runs the sync handler as deployed.
 */
export const FAMILIES = ['default', 'v1', 'password', 'files'] as const;
export type Family = (typeof FAMILIES)[number];
export interface Mode {
  zilliz: 'v1' | 'v2';
  huawei: 'aksk' | 'password';
  /** CATALOG_BUCKET set: the passes write the catalog files. */
  files: boolean;
}
export const MODES: Record<Family, Mode> = {
  default: { zilliz: 'v2', huawei: 'aksk', files: false },
  v1: { zilliz: 'v1', huawei: 'aksk', files: false },
  password: { zilliz: 'v2', huawei: 'password', files: false },
  files: { zilliz: 'v2', huawei: 'aksk', files: true },
};

/** S3 faults (local/s3-fault-proxy): an internal error, no answer, a write applied whose answer is lost. */
export const S3_FAULTS = ['error', 'timeout', 'applied-lost'] as const;
/** Where an S3 fault lands: a method and a part of the key (every request the files step makes). */
export const S3_TARGETS = [
  { label: 'PUT latest.json', method: 'PUT', pathIncludes: 'catalog/latest.json' },
  { label: 'HEAD latest.json', method: 'HEAD', pathIncludes: 'catalog/latest.json' },
  { label: 'PUT catalog/v/', method: 'PUT', pathIncludes: 'catalog/v/' },
  { label: 'PUT changes/', method: 'PUT', pathIncludes: 'changes/' },
  { label: 'any request', method: undefined, pathIncludes: undefined },
] as const;

/** Every upstream route a fault can target. */
export const ROUTES = ['zilliz /v1/clouds', 'zilliz /v1/regions', 'zilliz /v2/regions', 'modelarts regions', 'iam login'] as const;
export type Route = (typeof ROUTES)[number];

/** The routes a mode calls: a fault aimed anywhere else could never hit. */
export function routesOf(mode: Mode): Route[] {
  const zilliz: Route[] = mode.zilliz === 'v2' ? ['zilliz /v2/regions'] : ['zilliz /v1/clouds', 'zilliz /v1/regions'];
  return [...zilliz, 'modelarts regions', ...(mode.huawei === 'password' ? (['iam login'] as Route[]) : [])];
}

/** Routes that answer a list (where a glitch, a short answer under HTTP 200, can land). */
export const LIST_ROUTES: readonly Route[] = ['zilliz /v1/clouds', 'zilliz /v1/regions', 'zilliz /v2/regions', 'modelarts regions'];

/** Where a DynamoDB fault lands: the operation and, for shared operations, the partition its body names. */
export const DYNAMO_TARGETS = [
  { label: 'TransactWriteItems commit', operation: 'TransactWriteItems' },
  // A pass writes its scopes' status in a transaction, or an UpdateItem each when that cannot be used: either is hit.
  { label: 'status write', operation: 'TransactWriteItems|UpdateItem', bodyIncludes: '{"S":"STATUS"}' },
  { label: 'UpdateItem cursor/lease', operation: 'UpdateItem', bodyIncludes: '{"S":"PUBLISH"}' },
  { label: 'UpdateItem changeset sent', operation: 'UpdateItem', bodyIncludes: '{"S":"CHANGES"}' },
  { label: 'PutItem outbox', operation: 'PutItem', bodyIncludes: '{"S":"OUTBOX"}' },
  { label: 'DeleteItem outbox', operation: 'DeleteItem', bodyIncludes: '{"S":"OUTBOX"}' },
  { label: 'Query', operation: 'Query' },
  { label: 'GetItem', operation: 'GetItem' },
] as const;
export const DYNAMO_FAULTS = ['throttle', 'internal-error', 'applied-lost', 'cancelled'] as const;
/** Reasons of a cancelled transaction (one per item): a conflict, a lost race on the sequence item, throttling, a rejection. */
export const CANCEL_REASONS = [['TransactionConflict'], ['None', 'ConditionalCheckFailed'], ['ThrottlingError'], ['None', 'ValidationError']] as const;

export type Step =
  | { t: 'mutate'; kind: MutationKind; a: number; b: number }
  | { t: 'upstream-fault'; route: Route; kind: UpstreamFaultKind; times: number }
  | { t: 'glitch'; route: Route }
  | { t: 'expire-tokens' }
  | { t: 'events-fault'; kind: 'entries' | 'outage' | 'predicate'; n: number }
  | { t: 'dynamo-fault'; target: number; kind: (typeof DYNAMO_FAULTS)[number]; times: number; reasons?: readonly string[] }
  | { t: 'pass'; concurrent: number }
  | { t: 'crash'; point: CrashPoint; big: boolean }
  | { t: 'clean' }
  /** The pass clock moves on (a step that runs passes moves it one minute more, before them). */
  | { t: 'wait'; minutes: number }
  /** `times` 12: an outage longer than the SDK's retries of every write of a pass. */
  | { t: 's3-fault'; kind: (typeof S3_FAULTS)[number]; target: number; times: number };

export function describeStep(s: Step): string {
  switch (s.t) {
    case 'mutate':
      return `mutate ${s.kind}(${s.a.toFixed(3)},${s.b.toFixed(3)})`;
    case 'upstream-fault':
      return `${s.route} fault ${s.kind} x${s.times}`;
    case 'glitch':
      return `glitch ${s.route}`;
    case 'expire-tokens':
      return 'IAM tokens expire';
    case 'events-fault':
      return `EventBridge ${s.kind} ${s.n}`;
    case 'dynamo-fault':
      return `DynamoDB ${s.kind}${s.reasons ? ` [${s.reasons.join(',')}]` : ''} on ${DYNAMO_TARGETS[s.target]?.label} x${s.times}`;
    case 'pass':
      return `${s.concurrent} pass${s.concurrent > 1 ? 'es at once' : ''}`;
    case 'crash':
      return `SIGKILL ${s.point}${s.big ? ' (with a cloud too large for one transaction)' : ''}`;
    case 'clean':
      return 'clean pass';
    case 'wait':
      return `wait ${s.minutes} min`;
    case 's3-fault':
      return `S3 ${s.kind} on ${S3_TARGETS[s.target]?.label} x${s.times}`;
  }
}

/**
 * Waits on the pass clock, around REMOVAL_HOLD_MINUTES (30 by default), so a
 * hold's passes span less than it in some schedules and at least it in others.
 */
export const WAITS = [2, 5, 10, 15, 20, 25, 28, 29, 30, 45, 60, 120] as const;

/**
 * The pass clock's part of a schedule, drawn from a stream of its own so
 * every seed keeps the steps it had before the clock (the regression seeds
 * replay what they found): a wait before some steps that run passes, and a
 * second clean pass after some clean passes (two clean passes in a row are
 * what a hold's rules are checked on).
 */
/** Steps that arm a fault for the next pass to meet. */
const ARMING = new Set<Step['t']>(['upstream-fault', 'glitch', 'expire-tokens', 'events-fault', 'dynamo-fault']);

function withClock(seed: number, steps: readonly Step[]): Step[] {
  const w = rng((seed ^ 0x9e3779b9) >>> 0);
  const out: Step[] = [];
  let held = false;
  let armed = false;
  const maybeWait = () => {
    if (w() < 0.35) out.push({ t: 'wait', minutes: pick(w, WAITS) });
  };
  for (const step of steps) {
    if (step.t === 'pass' || step.t === 'crash' || step.t === 'clean') maybeWait();
    out.push(step);
    if (step.t === 'clean' && w() < 0.5) {
      maybeWait();
      out.push({ t: 'clean' });
    }
    if (ARMING.has(step.t)) armed = true;
    if (step.t === 'pass' || step.t === 'crash' || step.t === 'clean') armed = false;
    if (step.t === 'mutate' && step.kind === 'mass-removal' && w() < 0.6) held = true;
    // A mass removal met by clean passes (at once, or once the faults armed before it met their pass): two the time
    // rule must keep held (passes enough, minutes not), then, in some schedules, a third one minute under, on the
    // dot of, or past REMOVAL_HOLD_MINUTES after the first, which must keep it or must confirm it.
    if (held && !armed && (step.t === 'mutate' || step.t === 'pass')) {
      held = false;
      const first = pick(w, [1, 2, 10, 20, 27]);
      out.push({ t: 'clean' }, { t: 'wait', minutes: first }, { t: 'clean' });
      // Each clean pass moves the clock a minute more: the third starts `span` minutes after the first.
      const span = pick(w, [29, 30, 30, 31, 45]);
      if (w() < 0.6) out.push({ t: 'wait', minutes: span - first - 2 }, { t: 'clean' });
    }
  }
  return out;
}

/** A seed's schedule: about 5-12 steps of mutations, faults (each met by the next pass), passes, kills and clean passes. */
export function generate(seed: number, family: Family = 'default'): Step[] {
  const r = rng(seed);
  const routes = routesOf(MODES[family]);
  const lists = routes.filter((x) => LIST_ROUTES.includes(x));
  const steps: Step[] = [];
  const length = int(r, 4, 7);
  let crashed = false;
  for (let i = 0; i < length; i++) {
    const x = r();
    if (x < 0.3) {
      steps.push({ t: 'mutate', kind: pick(r, MUTATIONS), a: r(), b: r() });
      if (r() < 0.4) steps.push({ t: 'mutate', kind: pick(r, MUTATIONS), a: r(), b: r() });
    } else if (x < 0.45) {
      const route = pick(r, routes);
      // A login happens on a cold start or once the token expired: expire it so the fault can meet one.
      if (route === 'iam login' && r() < 0.7) steps.push({ t: 'expire-tokens' });
      steps.push({ t: 'upstream-fault', route, kind: pick(r, route === 'iam login' ? LOGIN_FAULTS : UPSTREAM_FAULTS), times: int(r, 1, 4) });
    } else if (x < 0.52) {
      steps.push({ t: 'glitch', route: pick(r, lists) });
    } else if (x < 0.62) {
      steps.push({ t: 'events-fault', kind: pick(r, ['entries', 'outage', 'predicate'] as const), n: int(r, 1, 15) });
    } else if (x < 0.77) {
      const times = r() < 0.85 ? int(r, 1, 2) : 5;
      const target = int(r, 0, DYNAMO_TARGETS.length - 1);
      // A cancellation is an answer of TransactWriteItems only.
      const others = DYNAMO_FAULTS.filter((k) => k !== 'cancelled');
      const kind = DYNAMO_TARGETS[target]?.operation === 'TransactWriteItems' && r() < 0.4 ? 'cancelled' : pick(r, others);
      steps.push({ t: 'dynamo-fault', target, kind, times, ...(kind === 'cancelled' ? { reasons: pick(r, CANCEL_REASONS) } : {}) });
    } else if (x < 0.83 && !crashed) {
      crashed = true;
      const point = pick(r, CRASH_POINTS);
      const big = point === 'between-transactions' || point === 'between-batches' || r() < 0.15;
      steps.push({ t: 'crash', point, big });
      continue;
    } else if (x < 0.9) {
      steps.push({ t: 'clean' });
      continue;
    }
    // Half the time the next step arms more: one pass then meets several faults at once.
    if (r() < 0.5) continue;
    steps.push({ t: 'pass', concurrent: r() < 0.6 ? 1 : int(r, 2, 4) });
  }
  // Whatever is still armed meets a pass before the final clean passes clear it.
  if (steps.at(-1)?.t !== 'pass') steps.push({ t: 'pass', concurrent: r() < 0.6 ? 1 : int(r, 2, 4) });
  const timed = withClock(seed, steps);
  return MODES[family].files ? withS3Faults(seed, timed) : timed;
}

/**
 * The files family's S3 faults, from a stream of their own (its schedules are
 * otherwise the default family's): before some single or concurrent passes
 * (not a kill: the child's S3 client waits 5 s on a timeout), one or two
 * faults, now and then an outage that outlasts every retry of the pass.
 */
function withS3Faults(seed: number, steps: readonly Step[]): Step[] {
  const f = rng((seed ^ 0x51f15eed) >>> 0);
  const out: Step[] = [];
  for (const step of steps) {
    if (step.t === 'pass' && f() < 0.5) {
      const n = f() < 0.3 ? 2 : 1;
      for (let i = 0; i < n; i++) {
        const kind = pick(f, S3_FAULTS);
        out.push({ t: 's3-fault', kind, target: int(f, 0, S3_TARGETS.length - 1), times: f() < 0.2 && kind !== 'timeout' ? 12 : int(f, 1, 3) });
      }
    }
    out.push(step);
  }
  return out;
}
