/**
 * What the local commands share: a configuration error ends the command with
 * one line and exit code 2; a pass summary prints as one line per scope.
 */
import { ConfigError } from '../lib/core/config';
import type { PassSummary } from '../lib/sync/pass';

export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

export function formatSummary(summary: PassSummary): string {
  const lines = summary.scopes.map((s) => {
    const counts = `+${s.added} ~${s.changed} -${s.removed}${s.heldRemovals ? ` (held ${s.heldRemovals})` : ''}`;
    const tail = s.error ? `${s.error.code}: ${s.error.message}` : `${s.regions} regions`;
    return `  ${s.outcome.padEnd(9)} ${s.scope.padEnd(48)} ${counts.padEnd(18)} ${tail}`;
  });
  const p = summary.published;
  return [
    `sync ${summary.passId}: ${summary.scopes.length} scopes, ${summary.changes} changes committed` +
      `${summary.sequences.length ? ` (seq ${summary.sequences.join(', ')})` : ''}, ${p.published} events published` +
      `${p.failed ? `, ${p.failed} pending` : ''} in ${summary.durationMs} ms`,
    ...lines,
  ].join('\n');
}
