/**
 * The report generator (bench/report.ts) on fixture results: every row of
 * BENCHMARKS.md's table shows the value at its figure's path in the fixture,
 * its goal and a verdict computed here from the fixture's numbers; a section
 * that was not measured says why; the prose quotes the fixture's numbers; and
 * the README is rewritten only between its markers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES, SECTIONS, setAt, type Figure } from '../../bench/figures';
import { README_END, README_START, renderBenchmarks, replaceReadmeBlock, writeReports } from '../../bench/report';

/** A deterministic value per figure, spread over both sides of its goal. */
function fixtureValue(f: Figure, i: number): number {
  const base = f.goal ? f.goal.value : 1000;
  const factor = [0.5, 1.7, 1, 0.93, 3.25][i % 5]!;
  const v = base === 0 ? (i % 2) * 3 : base * factor;
  return f.unit === 'B' || f.unit === 'count' ? Math.round(v + i * 1234) : Math.round(v * 10_000) / 10_000;
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
      first: { wallMs: 24_801, itemsWritten: 10_313, published: 10_004, upstream: { requests: 3, zillizRequests: 1, windowMs: 12 }, phases: { commit: { from: 100, to: 7_900, calls: 105 }, publish: { from: 8_000, to: 16_000, calls: 1_042 }, updates: { calls: 208 } } },
      firstLimit: { items: 10_313, calls: 413, ms: 4_324 },
      onePercent: { wallMs: 5_482, touched: 100, itemsWritten: 306, rcu: 1_135, upstream: { requests: 3, windowMs: 10 }, phases: { read: { calls: 103 }, commit: { from: 4_000, to: 4_372, calls: 3 }, publish: { calls: 11 } } },
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
    expect(text).toContain('105 transactions one after the other over 7,800 ms (74.3 ms each)');
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
});
