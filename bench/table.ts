/**
 * The benchmark's table on stdout: one row per figure with its goal and
 * whether it is met, then the machine it ran on.
 */
export interface Row {
  figure: string;
  value: string;
  goal: string;
  /** true met, false missed, undefined informative only. */
  met?: boolean | undefined;
}

export function formatTable(rows: readonly Row[]): string {
  const header: Row = { figure: 'Figure', value: 'Value', goal: 'Goal', met: undefined };
  const mark = (r: Row) => (r === header ? 'Met' : r.met === undefined ? '' : r.met ? 'yes' : 'NO');
  const all = [header, ...rows];
  const width = (f: (r: Row) => string) => Math.max(...all.map((r) => f(r).length));
  const w = [width((r) => r.figure), width((r) => r.value), width((r) => r.goal), width(mark)];
  const line = (r: Row) => `| ${r.figure.padEnd(w[0]!)} | ${r.value.padStart(w[1]!)} | ${r.goal.padEnd(w[2]!)} | ${mark(r).padEnd(w[3]!)} |`;
  const rule = `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
