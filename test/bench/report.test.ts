/**
 * The report generator (bench/report.ts) on fixture results: every row of
 * BENCHMARKS.md's table shows the value at its figure's path in the fixture,
 * its goal and a verdict computed here from the fixture's numbers; a section
 * that was not measured says why; the prose quotes the fixture's numbers; and
 * the README is rewritten only between its markers; a run of some sections
 * merges into earlier results without touching the others.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES, SECTIONS, setAt, type Figure } from '../../bench/figures';
import { at, mergeResults, README_END, README_START, renderBenchmarks, replaceReadmeBlock, writeReports } from '../../bench/report';

/** A deterministic value per figure, spread over both sides of its goal. */
function fixtureValue(f: Figure, i: number): number {
  const base = f.goal ? f.goal.value : 1000;
  const factor = [0.5, 1.7, 1, 0.93, 3.25][i % 5]!;
  const v = base === 0 ? (i % 2) * 3 : base * factor;
  return f.unit === 'B' || f.unit === 'count' ? Math.round(v + i * 1234) : Math.round(v * 10_000) / 10_000;
}

/** A pass breakdown (bench/scale-breakdown.ts) with the phases given and the others 0. */
function bd(phases: Record<string, number>, transactions: number, meanTransactionMs: number) {
  const all = { upstream: 0, parseAndHash: 0, readRegions: 0, plan: 0, transactions: 0, status: 0, schema: 0, publish: 0, ...phases };
  return { phases: all, transactions, meanTransactionMs, kinds: {} };
}

function fixture(missing: string[] = []): Record<string, unknown> {
  const r: Record<string, unknown> = {
    commit: '0123456789abcdef0123456789abcdef01234567',
    startedAt: '2026-12-01T20:00:00.000Z',
    durationS: 321,
    upstream: 'v2',
    machine: { cpus: 2, model: 'Test CPU', memoryMb: 4096, node: 'v20.20.2', platform: 'linux test', loadAverageAtStart: [1.5, 1, 0.5], loadAverageAtEnd: [2, 1.5, 1] },
  };
  FIGURES.forEach((f, i) => setAt(r, f.path, missing.includes(f.section) ? null : fixtureValue(f, i)));
  r.sections = Object.values(SECTIONS).map((name) => ({ name, status: missing.includes(name) ? 'missing' : 'ok', seconds: 1 }));
  r.details = {
    scale: {
      clouds: 100,
      first: { wallMs: 24_801, itemsWritten: 10_313, published: 10_004, upstream: { requests: 3, zillizRequests: 1, windowMs: 12 }, breakdown: bd({ upstream: 300, parseAndHash: 500, transactions: 7_800, status: 900, schema: 50, publish: 15_251 }, 105, 74.3) },
      firstLimit: { items: 10_313, calls: 413, ms: 4_324 },
      firstPhysical: { upstream: { requests: 3, bytes: 1_200_000, ms: 76 }, writesMs: 4_324, ms: 4_400 },
      warm: { wallMs: 2_400, touched: 100, itemsWritten: 409, rcu: 7, upstream: { requests: 3, windowMs: 10 }, breakdown: bd({ upstream: 220, parseAndHash: 400, transactions: 560, status: 1_080, schema: 100, publish: 40 }, 5, 112) },
      warmLimit: { items: 409, calls: 17, ms: 170 },
      cache: { regions: 10_004, heapWithMb: 22.7, heapWithoutMb: 16.9, costMb: 5.8 },
      onePercent: { wallMs: 5_482, touched: 100, itemsWritten: 306, rcu: 1_135, upstream: { requests: 3, windowMs: 10 }, breakdown: bd({ upstream: 1_700, parseAndHash: 700, readRegions: 2_180, plan: 14, transactions: 250, status: 600, schema: 38, publish: 0 }, 3, 54) },
      onePercentLimit: { items: 306, calls: 13, ms: 328 },
      unchanged: { wallMs: 781, upstream: { requests: 3 }, wcu: 101 },
      firstPassPeakRssMb: 153.9,
    },
  };
  r.met = Object.fromEntries(FIGURES.filter((f) => f.goal).map((f) => [f.path, null]));
  return r;
}

interface Row {
  section: string;
  figure: string;
  value: string;
  limit: string;
  goal: string;
  met: string;
}

function tableRows(markdown: string): Row[] {
  const all = markdown.slice(markdown.indexOf('## Latest figures')).split('\n');
  const start = all.findIndex((l) => l.startsWith('| '));
  const end = all.findIndex((l, i) => i > start && !l.startsWith('| '));
  const lines = all.slice(start + 2, end);
  const rows: Row[] = [];
  for (const line of lines) {
    const cells = line.slice(2, -2).split(' | ');
    if (cells.length !== 6) break;
    const [section, figure, value, limit, goal, met] = cells as [string, string, string, string, string, string];
    rows.push({ section, figure, value, limit, goal, met });
  }
  return rows;
}

const parse = (cell: string) => Number(cell.replace(/ (ms|MB|B)$/, '').replaceAll(',', ''));

describe('bench report', () => {
  it('shows in each table row the fixture value at that figure path, its goal and the verdict of that value against the goal', () => {
    const results = fixture();
    const rows = tableRows(renderBenchmarks(results));
    expect(rows).toHaveLength(FIGURES.length);
    FIGURES.forEach((f, i) => {
      const row = rows.find((r) => r.figure === f.label && r.section === f.section);
      expect(row, f.path).toBeDefined();
      const expected = fixtureValue(f, i);
      const digits = f.digits ?? (f.unit === 'round trips' ? 2 : 0);
      expect(parse(row!.value), f.path).toBeCloseTo(expected, Math.max(0, digits - 1));
      if (f.goal) {
        expect(row!.goal).toBe(`${f.goal.op === '<=' ? '≤' : '≥'} ${f.goal.value}`);
        const met = f.goal.op === '<=' ? expected <= f.goal.value : expected >= f.goal.value;
        expect(row!.met, f.path).toBe(met ? 'yes' : '**no**');
      } else {
        expect(row!.goal).toBe('');
        expect(row!.met).toBe('');
      }
    });
  });

  it('says "not measured (module missing)" for a section whose module is absent, with no verdict', () => {
    const rows = tableRows(renderBenchmarks(fixture([SECTIONS.roundTrips, SECTIONS.page])));
    for (const f of FIGURES.filter((x) => x.section === SECTIONS.roundTrips || x.section === SECTIONS.page)) {
      const row = rows.find((r) => r.figure === f.label)!;
      expect(row.value).toBe('not measured (module missing)');
      if (f.goal) expect(row.met).toBe('—');
    }
  });

  it('quotes the prose figures from the results, not from anywhere else', () => {
    const results = fixture();
    const text = renderBenchmarks(results);
    // The scale passage: the pass, the BatchWriteItem limit and the commit phase of the fixture.
    expect(text).toContain('The pass took 24,801 ms and wrote 10,313 items');
    expect(text).toContain('BatchWriteItem wrote the same items in 4,324 ms (413 calls of 25, 10.5 ms each)');
    expect(text).toContain('105 transactions 7,800 ms (74.3 ms each, the SEQ read included)');
    // The warm 1 % pass is the figure, its bound drawn from its phases: upstream + parse = 620 ms = 3.6× the writes.
    expect(text).toContain('the pass took 2,400 ms and wrote 409 items, which BatchWriteItem writes in 170 ms');
    expect(text).toContain('together 620 ms, 3.6× the writes alone');
    // The first pass's bound: its transactions alone against the physical limit.
    expect(text).toContain('so the transactions alone are 1.77× the physical limit below');
    expect(text).toContain('reading changed scopes\' regions 2,180 ms');
    expect(text).toContain('held 10,004 regions in');
    expect(text).toContain(`commit \`${String(results.commit)}\``);
    setAt(results, 'details.scale.first.wallMs', 31_000);
    expect(renderBenchmarks(results)).toContain('The pass took 31,000 ms');
  });

  it('rewrites only the marked block of the README, and refuses a README without it', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-report-'));
    const before = `# Title\n\nintro\n\n## Performance\n\n${README_START}\nold figures\n${README_END}\n\n## Design\n\nkept\n`;
    writeFileSync(join(root, 'README.md'), before);
    const results = fixture();
    writeReports(results, root);
    const after = readFileSync(join(root, 'README.md'), 'utf8');
    expect(after.startsWith('# Title\n\nintro\n\n## Performance\n\n')).toBe(true);
    expect(after.endsWith(`${README_END}\n\n## Design\n\nkept\n`)).toBe(true);
    expect(after).not.toContain('old figures');
    const goalRows = after.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Section') && !l.startsWith('| ---'));
    expect(goalRows).toHaveLength(FIGURES.filter((f) => f.goal).length);
    expect(readFileSync(join(root, 'BENCHMARKS.md'), 'utf8')).toBe(renderBenchmarks(results));
    expect(() => replaceReadmeBlock('# no block\n', 'x')).toThrow(/bench:start/);
  });

  it('merges a run of some sections: their figures, details, records and verdicts replaced, every other kept', () => {
    const previous = fixture();
    const merged = SECTIONS.webhooks;
    const partial: Record<string, unknown> = { commit: 'abc', startedAt: '2026-12-02T00:00:00Z', durationS: 9, machine: { loadAverageAtStart: [1, 2, 3], loadAverageAtEnd: [4, 5, 6] } };
    setAt(partial, 'webhooks.deliveryOverheadRatio', 9.5);
    partial.details = { [merged]: { marker: 1 }, scale: { marker: 'not mine' } };
    partial.sections = [{ name: merged, status: 'ok', seconds: 9 }];
    const out = mergeResults(previous, partial, [merged]);
    for (const f of FIGURES) {
      const want = f.section !== merged ? (at(previous, f.path) ?? null) : f.path === 'webhooks.deliveryOverheadRatio' ? 9.5 : null;
      expect(at(out, f.path) ?? null, f.path).toEqual(want);
    }
    expect((out.met as Record<string, boolean | null>)['webhooks.deliveryOverheadRatio']).toBe(false);
    expect((out.met as Record<string, boolean | null>)['webhooks.coldStartRatio']).toBeNull();
    expect((out.details as Record<string, unknown>)[merged]).toEqual({ marker: 1 });
    expect((out.details as Record<string, unknown>).scale).toEqual((previous.details as Record<string, unknown>).scale);
    expect((out.sections as { name: string }[]).filter((s) => s.name === merged)).toEqual([{ name: merged, status: 'ok', seconds: 9 }]);
    expect(out.merged).toEqual([{ sections: [merged], commit: 'abc', startedAt: '2026-12-02T00:00:00Z', durationS: 9, loadAverageAtStart: [1, 2, 3], loadAverageAtEnd: [4, 5, 6] }]);
    expect(renderBenchmarks(out)).toContain('load average 1 2 3 at its start');
    // The earlier results are left as they were.
    expect(at(previous, 'webhooks.deliveryOverheadRatio')).not.toBe(9.5);
  });
});
