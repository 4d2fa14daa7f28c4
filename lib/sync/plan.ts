/**
 * Planning one scope's write, pure: the diff against its stored regions, the
 * mass-removal hold, and the snapshot head that will follow. A plan says what
 * to write and under which conditions; lib/store/commit sends it.
 */
import { createHash } from 'node:crypto';
import { diffScope } from './diff';
import { decideHold } from './hold';
import { canonicalJson, comparableJson, type Change, type RegionContent, type SourceName } from '../core/region';
import { initialSummary } from '../core/summary';
import type { ScopeItem } from '../store/items';
import type { ScopeHead, ScopePlan, StoredRegion } from '../store/plans';

export interface ScopeState {
  head: ScopeItem | undefined;
  regions: readonly StoredRegion[];
}

/** The content hash of an upstream answer, blind to key and list order; equal hash and no hold means nothing to diff. */
export function answerHash(regions: readonly RegionContent[]): string {
  return createHash('sha256').update(comparableJson(regions)).digest('base64url');
}

export function isUnchanged(head: ScopeItem | undefined, hash: string): boolean {
  return head !== undefined && head.hash === hash && head.hold === undefined;
}

export interface PlanInput {
  scope: string;
  source: SourceName;
  regions: readonly RegionContent[];
  state: ScopeState;
  holdPasses: number;
  /** REMOVAL_HOLD_MINUTES; 0 (no time rule) when not given. */
  holdMinutes?: number;
  now: string;
  newId: () => string;
  /** answerHash(regions), when the caller has it already: the answer is hashed once per pass. */
  hash?: string | undefined;
}

/**
 * A scope's first successful pass (no head yet): every change is `initial`, and the first
 * carries the one line people are told instead of one per region. Programs still get them all.
 */
export function markInitial(scope: string, changes: Change[]): Change[] {
  return changes.map((c, i) => ({ ...c, initial: true as const, ...(i === 0 ? { initialSummary: initialSummary(scope, changes.length) } : {}) }));
}

/** The plan for one successful scope, or null when nothing at all is to be written. */
export function planScope(input: PlanInput): ScopePlan | null {
  const { scope, source, regions, state, holdPasses, holdMinutes = 0, now, newId } = input;
  const hash = input.hash ?? answerHash(regions);
  if (isUnchanged(state.head, hash)) return null;
  const previous = state.regions.map((r) => r.region);
  const all = diffScope({ scope, previous, next: regions, now, newId });
  const removedKeys = all.filter((c) => c.type === 'region.removed').map((c) => c.regionKey);
  const decision = decideHold({ previousCount: previous.length, removedKeys, hold: state.head?.hold, passes: holdPasses, minutes: holdMinutes, now });
  const committed = new Set(decision.commit);
  const kept = all.filter((c) => c.type !== 'region.removed' || committed.has(c.regionKey));
  const changes = state.head === undefined ? markInitial(scope, kept) : kept;
  const added = changes.filter((c) => c.type === 'region.added').length;
  const priorSeq: Record<string, number> = {};
  for (const stored of state.regions) priorSeq[stored.region.id] = stored.seq;
  const head: ScopeHead = { hash, regionCount: previous.length + added - committed.size, hold: decision.hold };
  const headSame =
    state.head !== undefined &&
    state.head.hash === head.hash &&
    state.head.regionCount === head.regionCount &&
    canonicalJson(state.head.hold ?? null) === canonicalJson(head.hold ?? null);
  if (changes.length === 0 && headSame) return null;
  return {
    scope,
    source,
    expected: state.head ? { exists: true, version: state.head.version, hash: state.head.hash, ...(state.head.hold ? { hold: state.head.hold } : {}) } : { exists: false, version: 0 },
    changes,
    priorSeq,
    previousCount: previous.length,
    head,
    holdStarted: decision.started,
  };
}
