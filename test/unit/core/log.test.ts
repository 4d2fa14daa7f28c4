// Structured JSON logging. Secrets scrubbed from every line: test/unit/sync/secret-redaction.test.ts, with secrets registered as the function registers them.
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../lib/core/errors';
import { createLogger } from '../../../lib/core/log';

function capture(base: Record<string, unknown> = {}, level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: string[] = [];
  const log = createLogger(base, (line) => lines.push(line), level);
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines, records };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time and message', () => {
    const { log, lines, records } = capture();
    log.info('sync pass finished', { scopes: 3 });
    log.warn('scope degraded', { scope: 'zilliz/aws' });
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain('\n');
    const [first, second] = records();
    expect(first).toMatchObject({ level: 'info', message: 'sync pass finished', scopes: 3 });
    expect(Number.isNaN(Date.parse(String(first?.time)))).toBe(false);
    expect(second).toMatchObject({ level: 'warn', message: 'scope degraded', scope: 'zilliz/aws' });
  });

  it('drops records below the minimum level', () => {
    const { log, records } = capture({}, 'warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(records().map((r) => r.level)).toEqual(['warn', 'error']);
  });

  it('merges child fields over the parent and call fields over both', () => {
    const { log, records } = capture({ fn: 'sync', requestId: 'r-1' });
    const child = log.child({ scope: 'modelarts/0123456789abcdef0123456789abcdef', requestId: 'r-2' });
    child.info('fetched', { count: 4, scope: 'modelarts/other' });
    log.info('parent');
    const [fromChild, fromParent] = records();
    expect(fromChild).toMatchObject({ fn: 'sync', requestId: 'r-2', count: 4, scope: 'modelarts/other' });
    expect(fromParent).toMatchObject({ fn: 'sync', requestId: 'r-1' });
    expect(fromParent).not.toHaveProperty('scope');
  });

  it('serialises an error to its name and message, without the stack', () => {
    const { log, lines, records } = capture();
    log.error('pass failed', { error: new TypeError('cannot read x') });
    expect(records()[0]?.error).toEqual({ name: 'TypeError', message: 'cannot read x' });
    expect(lines[0]).not.toContain('at ');
  });

  it('keeps the code of an UpstreamError', () => {
    const { log, records } = capture();
    log.warn('scope failed', { error: new UpstreamError('timeout', 'zilliz/aws', '/v1/regions: no answer in time') });
    expect(records()[0]?.error).toEqual({ name: 'UpstreamError', message: '/v1/regions: no answer in time', code: 'timeout' });
  });

  it('serialises a nested error', () => {
    const { log, records } = capture();
    log.error('x', { result: { scope: 'zilliz/gcp', error: new RangeError('bad') } });
    expect(records()[0]?.result).toEqual({ scope: 'zilliz/gcp', error: { name: 'RangeError', message: 'bad' } });
  });
});
