/**
 * Operational events against the model, after every clean pass (when the
 * outbox is drained): Source Degraded / Recovered, Removals Held and Schema
 * Changed. Each delivered event is attributed to the step whose passes
 * started at its time (`at`, `detectedAt`); a redelivery (the same detail
 * again: at least once) counts once. Then:
 * - Degraded / Recovered: per scope, the events of each step must be what
 *   some order of that step's status writes announces (model.ts statusWrite),
 *   given the outcomes the world knows the step's passes could have had (from
 *   the faults that hit, the simulators' request logs, the kind of step):
 *   which scope, how many, never twice for one transition, none lost;
 * - Removals Held: a mass removal, of regions the upstream really stopped
 *   listing unless a short answer hit that scope in that step; never twice for
 *   one hold; every mass removal the feed commits was announced first;
 * - Schema Changed: an added field is one the upstream carries, a removed
 *   one is no longer carried by every region; never twice for one change; a
 *   field that appears between two clean passes is announced.
 */
import type { Change } from '../../lib/core/region';
import type { ReceivedEvent } from '../../local/event-receiver';
import { fieldsByScope, isMass, scopesNamed, statusWrite, type Health, type Model, type Outcome } from './model';

export type Possible = Set<Outcome | 'none'>;

export interface StepRecord {
  /** Index of the step in the schedule run. */
  step: number;
  label: string;
  /** Epoch ms around every pass the step started. */
  from: number;
  to: number;
  passes: number;
  clean: boolean;
  /** The truth version the step's passes read. */
  version: number;
  /** Per scope, the status writes the step's passes may have made; `fallback` for any other scope. */
  outcomes: Map<string, Possible>;
  fallback: Possible;
  /** Scopes a short answer (a list-shaping fault) reached in this step. */
  glitched: Set<string>;
}

export interface FeedChangeset {
  seq: number;
  committedAt: string;
  changes: Change[];
}

const ALL: Possible = new Set(['ok', 'failed', 'none']);
export const ANY_OUTCOME: Possible = ALL;

interface Attributed<T> {
  record: StepRecord;
  at: number;
  detail: T;
}

export class OperationalChecker {
  constructor(
    private readonly model: Model,
    private readonly fail: (message: string) => never,
  ) {}

  private attribute<T>(records: readonly StepRecord[], events: readonly ReceivedEvent[], type: string, timeOf: (d: T) => string | undefined): Attributed<T>[] {
    const seen = new Set<string>();
    const out: Attributed<T>[] = [];
    for (const e of events) {
      if (e.detailType !== type) continue;
      const key = JSON.stringify(e.detail);
      if (seen.has(key)) continue; // a redelivery
      seen.add(key);
      const detail = e.detail as T;
      const at = Date.parse(timeOf(detail) ?? '');
      // The later step wins a tie at a boundary: a pass starts after its step's window opens.
      const record = [...records].reverse().find((r) => r.from <= at && at <= r.to);
      if (!record) this.fail(`${type} ${key} carries a time no pass of this schedule started at`);
      out.push({ record: record as StepRecord, at, detail });
    }
    return out.sort((a, b) => a.record.step - b.record.step || a.at - b.at);
  }

  check(records: readonly StepRecord[], events: readonly ReceivedEvent[], changesets: readonly FeedChangeset[]): void {
    this.degradedRecovered(records, events);
    this.held(records, events, changesets);
    this.schema(records, events);
  }

  // ---------- Source Degraded / Recovered ----------

  private degradedRecovered(records: readonly StepRecord[], events: readonly ReceivedEvent[]): void {
    type D = { scope?: string; scopes?: string[]; at?: string; error?: { code?: string; message?: string } };
    const degraded = this.attribute<D>(records, events, 'Source Degraded', (d) => d.at);
    const recovered = this.attribute<D>(records, events, 'Source Recovered', (d) => d.at);
    for (const e of degraded) if (!e.detail.error?.code || !e.detail.error.message) this.fail(`Source Degraded ${JSON.stringify(e.detail)} names no error`);
    for (const e of recovered) if (e.detail.error) this.fail(`Source Recovered ${JSON.stringify(e.detail)} carries an error`);
    const scopes = new Set<string>([...this.model.scopes()]);
    for (const e of [...degraded, ...recovered]) for (const s of scopesNamed(e.detail)) scopes.add(s);
    // The discovery placeholder is written outside the transitions (it never announced a degradation).
    scopes.delete('zilliz/*');
    for (const scope of scopes) {
      let states = new Set<Health>(['never']);
      for (const record of records) {
        const d = degraded.filter((e) => e.record === record && scopesNamed(e.detail).includes(scope)).length;
        const r = recovered.filter((e) => e.record === record && scopesNamed(e.detail).includes(scope)).length;
        const possible = record.outcomes.get(scope) ?? record.fallback;
        const next = replay(states, possible, record.passes, d, r);
        if (next.size === 0) {
          this.fail(
            `${scope} at step ${record.step} (${record.label}): ${d} Source Degraded and ${r} Source Recovered, but from ${[...states].join('/')} ` +
              `with ${record.passes} status write(s) among ${[...possible].join('/')} the contract announces otherwise`,
          );
        }
        states = next;
      }
      const last = records.at(-1);
      if (last?.clean && states.has('degraded') && !states.has('ok') && !states.has('never') && !states.has('never-failing')) {
        this.fail(`${scope} is still degraded after a clean pass`);
      }
    }
  }

  // ---------- Removals Held ----------

  private held(records: readonly StepRecord[], events: readonly ReceivedEvent[], changesets: readonly FeedChangeset[]): void {
    type H = { scope: string; at: string; heldRegionKeys: string[]; heldCount: number; previousCount: number };
    const held = this.attribute<H>(records, events, 'Removals Held', (d) => d.at);
    const byScope = new Map<string, Attributed<H>[]>();
    for (const e of held) {
      const { scope, heldRegionKeys: keys, heldCount, previousCount } = e.detail;
      const what = `Removals Held for ${scope} at step ${e.record.step} (${e.record.label})`;
      if (keys.length !== heldCount || !isMass(heldCount, previousCount)) this.fail(`${what}: ${heldCount} of ${previousCount} (${keys.length} keys) is no mass removal`);
      const truth = this.model.versions[e.record.version]?.get(scope);
      if (!e.record.glitched.has(scope)) {
        const listed = keys.filter((k) => truth?.has(k));
        if (listed.length) this.fail(`${what}: holds ${listed.join(',')} which the upstream still lists, and no short answer reached the scope`);
      }
      byScope.set(scope, [...(byScope.get(scope) ?? []), e]);
    }
    for (const [scope, list] of byScope) {
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1] as Attributed<H>, list[i] as Attributed<H>];
        if ([...a.detail.heldRegionKeys].sort().join() !== [...b.detail.heldRegionKeys].sort().join()) continue;
        // The same hold again needs an answer that listed some of them in between (which resets a hold).
        const relisted = records
          .filter((r) => r.step >= a.record.step && r.step <= b.record.step)
          .some((r) => a.detail.heldRegionKeys.some((k) => this.model.versions[r.version]?.get(scope)?.has(k)));
        if (!relisted) this.fail(`Removals Held for ${scope} announced twice for one hold (steps ${a.record.step} and ${b.record.step})`);
      }
    }
    // Every mass removal the feed commits was held, and announced, first.
    const count = new Map<string, number>();
    const groups = new Map<string, { scope: string; before: number; removed: string[] }>();
    for (const cs of changesets) {
      for (const c of cs.changes) {
        const key = `${c.scope} ${cs.committedAt}`;
        const g = groups.get(key) ?? { scope: c.scope, before: count.get(c.scope) ?? 0, removed: [] };
        groups.set(key, g);
        if (c.type === 'region.removed') g.removed.push(c.regionKey);
        count.set(c.scope, (count.get(c.scope) ?? 0) + (c.type === 'region.added' ? 1 : c.type === 'region.removed' ? -1 : 0));
      }
    }
    for (const [key, g] of groups) {
      if (!isMass(g.removed.length, g.before)) continue;
      const want = [...g.removed].sort().join();
      if (!(byScope.get(g.scope) ?? []).some((e) => [...e.detail.heldRegionKeys].sort().join() === want)) {
        this.fail(`the mass removal of ${g.removed.length} of ${g.before} regions committed in ${key} was never announced by Removals Held`);
      }
    }
  }

  // ---------- Schema Changed ----------

  private schema(records: readonly StepRecord[], events: readonly ReceivedEvent[]): void {
    type S = { source: 'zilliz' | 'modelarts'; field: string; change: 'added' | 'removed'; detectedAt: string };
    const changed = this.attribute<S>(records, events, 'Schema Changed', (d) => d.detectedAt);
    const carried = (version: number, source: 'zilliz' | 'modelarts') => {
      const scopes = fieldsByScope(this.model.raw[version] ?? this.model.truth).get(source) ?? new Map<string, Set<string>[]>();
      const regions = [...scopes.values()].flat();
      const some = new Set(regions.flatMap((f) => [...f]));
      const every = new Set([...some].filter((f) => regions.every((r) => r.has(f))));
      return { some, every };
    };
    const glitchedSource = (r: StepRecord, source: string) => [...r.glitched].some((s) => s.startsWith(`${source}/`));
    const byField = new Map<string, Attributed<S>[]>();
    for (const e of changed) {
      const { source, field, change } = e.detail;
      const what = `Schema Changed ${source}.${field} ${change} at step ${e.record.step} (${e.record.label})`;
      const now = carried(e.record.version, source);
      if (change === 'added' && !now.some.has(field)) this.fail(`${what}: no region of the upstream carries it`);
      if (change === 'removed' && now.every.has(field) && !glitchedSource(e.record, source)) this.fail(`${what}: every region of the upstream still carries it`);
      const key = `${source}.${field}`;
      byField.set(key, [...(byField.get(key) ?? []), e]);
    }
    for (const [key, list] of byField) {
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1] as Attributed<S>, list[i] as Attributed<S>];
        if (a.detail.change !== b.detail.change) continue;
        const source = a.detail.source;
        // Announced again only after it silently left the stored shape: no region carried it, or a short answer hid it.
        const between = records.filter((r) => r.step >= a.record.step && r.step < b.record.step);
        const left = a.detail.change === 'added' && between.some((r) => !carried(r.version, source).some.has(a.detail.field) || glitchedSource(r, source));
        if (!left) this.fail(`Schema Changed ${key} ${a.detail.change} announced twice (steps ${a.record.step} and ${b.record.step})`);
      }
    }
    // Between two passes known to have stored the whole shape (every scope succeeded, nothing shortened:
    // a clean pass, or a lone pass the model knows succeeded everywhere), a field that appears is announced.
    const cleans = records.filter(complete);
    for (let i = 1; i < cleans.length; i++) {
      const [c, k] = [cleans[i - 1] as StepRecord, cleans[i] as StepRecord];
      for (const source of ['zilliz', 'modelarts'] as const) {
        const before = carried(c.version, source).some;
        for (const field of carried(k.version, source).some) {
          if (before.has(field)) continue;
          const announced = changed.some((e) => e.detail.source === source && e.detail.field === field && e.detail.change === 'added' && e.record.step > c.step && e.record.step <= k.step);
          if (!announced) this.fail(`${source}.${field} appeared between the complete passes of steps ${c.step} and ${k.step}, and no Schema Changed announced it`);
        }
      }
    }
  }
}

/** True when every scope certainly succeeded in the step and no answer was shortened: its shape was stored whole. */
function complete(r: StepRecord): boolean {
  if (r.clean) return true;
  return r.passes === 1 && r.glitched.size === 0 && r.outcomes.size > 0 && [...r.outcomes.values()].every((o) => o.size === 1 && o.has('ok'));
}

/**
 * The healths a scope may be in after a step: from each state in `states`, up
 * to `passes` status writes (exactly that many unless 'none' is possible), each
 * an outcome in `possible`, in any order, announcing exactly `d` Degraded and
 * `r` Recovered.
 */
export function replay(states: ReadonlySet<Health>, possible: Possible, passes: number, d: number, r: number): Set<Health> {
  const out = new Set<Health>();
  const outcomes = [...possible].filter((o): o is Outcome => o !== 'none');
  const mayskip = possible.has('none');
  const walk = (h: Health, writes: number, dUsed: number, rUsed: number) => {
    if (dUsed === d && rUsed === r && (mayskip || writes === passes)) out.add(h);
    if (writes === passes) return;
    for (const o of outcomes) {
      const { next, event } = statusWrite(h, o);
      const nd = dUsed + (event === 'Source Degraded' ? 1 : 0);
      const nr = rUsed + (event === 'Source Recovered' ? 1 : 0);
      if (nd <= d && nr <= r) walk(next, writes + 1, nd, nr);
    }
  };
  for (const h of states) walk(h, 0, 0, 0);
  return out;
}
