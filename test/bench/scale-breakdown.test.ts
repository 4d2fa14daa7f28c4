// The scale pass breakdown: each call's kind from its input, and the pass cut into consecutive phases.
import { describe, expect, it } from 'vitest';
import { breakdown, classify, type KindSpan } from '../../bench/scale-breakdown';

describe('classify', () => {
  it('tells the heads Query from a scope-regions Query, and status, schema, SEQ and publisher calls apart', () => {
    expect(classify('QueryCommand', { ExpressionAttributeValues: { ':pk': 'SCOPE' } })).toBe('read:heads');
    expect(classify('QueryCommand2', { ExpressionAttributeValues: { ':pk': 'REGION', ':prefix': 'zilliz/aws#' } })).toBe('read:regions');
    expect(classify('TransactWriteCommand', {})).toBe('commit:transaction');
    expect(classify('GetCommand', { Key: { pk: 'SEQ', sk: 'SEQ' } })).toBe('seq:read');
    expect(classify('UpdateCommand', { Key: { pk: 'STATUS', sk: 'zilliz/aws' } })).toBe('status');
    expect(classify('PutCommand', { Item: { pk: 'SCHEMA', sk: 'zilliz' } })).toBe('schema');
    expect(classify('UpdateCommand', { Key: { pk: 'PUBLISH', sk: 'CURSOR' } })).toBe('publish:state');
  });
});

describe('breakdown', () => {
  it('cuts a cold pass into phases that add up to its wall time', () => {
    const spans: KindSpan[] = [
      { kind: 'read:heads', start: 1, end: 20 },
      { kind: 'upstream', start: 2, end: 100 },
      { kind: 'read:regions', start: 150, end: 300 },
      { kind: 'read:regions', start: 160, end: 320 },
      { kind: 'seq:read', start: 330, end: 335 },
      { kind: 'commit:transaction', start: 335, end: 400 },
      { kind: 'commit:transaction', start: 400, end: 470 },
      { kind: 'status', start: 470, end: 560 },
      { kind: 'status', start: 471, end: 570 },
      { kind: 'schema', start: 570, end: 590 },
      { kind: 'seq:read', start: 590, end: 595 },
      { kind: 'publish:PutEvents', start: 600, end: 650 },
    ];
    const b = breakdown(spans, 660);
    expect(b.phases).toEqual({ upstream: 100, parseAndHash: 50, readRegions: 170, plan: 10, transactions: 140, status: 100, schema: 20, publish: 70 });
    expect(Object.values(b.phases).reduce((n, v) => n + v, 0)).toBe(660);
    expect(b.transactions).toBe(2);
    expect(b.meanTransactionMs).toBe(67.5);
    expect(b.kinds['read:regions']).toEqual({ calls: 2, from: 150, to: 320, busyMs: 170 });
  });

  it('puts the planning of a warm pass (no region read) in the parse phase', () => {
    const b = breakdown(
      [
        { kind: 'upstream', start: 0, end: 100 },
        { kind: 'seq:read', start: 180, end: 185 },
        { kind: 'commit:transaction', start: 185, end: 250 },
        { kind: 'status', start: 250, end: 300 },
      ],
      310,
    );
    expect(b.phases).toMatchObject({ upstream: 100, parseAndHash: 80, readRegions: 0, plan: 0, transactions: 70, status: 50, publish: 10 });
  });
});
