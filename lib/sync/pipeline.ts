/**
 * The types the sync pass's stages (lib/sync/stages) hand one another. They
 * live outside the stages because a stage imports no other stage: only
 * lib/sync/pass.ts composes them.
 */
import type { ErrorInfo } from '../store/items';
import type { ScopeResult } from './sources/types';

/** A scope whose upstream answered. */
export type OkResult = Extract<ScopeResult, { ok: true }>;

export type ScopeOutcome = 'ok' | 'unchanged' | 'held' | 'failed';

export interface ScopeSummary {
  scope: string;
  source: string;
  outcome: ScopeOutcome;
  regions: number;
  added: number;
  changed: number;
  removed: number;
  heldRemovals: number;
  /** Consecutive failed passes of the scope, this one included (0 after a success). */
  consecutiveFailures: number;
  error?: ErrorInfo;
}
