/**
 * BENCHMARKS.md and the README's performance block, generated from
 * bench/results.json and nothing else: the table comes from the figure list
 * (bench/figures.ts) and the values in the file, and every number in the
 * prose (what bounds a figure, with the measurement that shows it) is read
 * from the same file, so no passage can drift from its table. `npm run bench`
 * calls it at the end; `npm run bench:report` runs it alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIGURES, goalText, meets, setAt, valueAt, type Figure } from './figures';

const ROOT = resolve(import.meta.dirname, '..');
export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

type Json = Record<string, unknown>;

/** Any value at a dotted path (objects, strings, numbers), or undefined. */
export function at(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Json)[key];
  }
  return v;
}

const num = (root: unknown, path: string): number | undefined => {
  const v = at(root, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** A number with thousands separators and at most `digits` decimals; '?' when absent. */
export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined) return '?';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function formatValue(f: Figure, v: number): string {
  const digits = f.digits ?? (f.unit === 'round trips' ? 2 : 0);
  switch (f.unit) {
    case 'ratio':
      return fmt(v, digits);
    case 'round trips':
      return fmt(v, digits);
    case 'ms':
      return `${fmt(v, digits)} ms`;
    case 'MB':
      return `${fmt(v, digits)} MB`;
    case 'B':
      return `${fmt(v)} B`;
    default:
      return fmt(v, digits);
  }
}

interface SectionRecord {
  name: string;
  status: 'ok' | 'failed' | 'missing';
  error?: string;
}

function sectionStatus(results: Json, name: string): SectionRecord | undefined {
  const list = (results.sections as SectionRecord[] | undefined) ?? [];
  return list.find((s) => s.name === name);
}

/** The value cell: the figure, or why there is none. */
export function valueCell(results: Json, f: Figure): string {
  const v = valueAt(results, f.path);
  if (typeof v === 'number') return formatValue(f, v);
  const s = sectionStatus(results, f.section);
  if (s?.status === 'missing') return 'not measured (module missing)';
  if (s?.status === 'failed') return 'not measured (section failed)';
  return 'not measured';
}

export function metCell(results: Json, f: Figure): string {
  if (!f.goal) return '';
  const v = valueAt(results, f.path);
  if (typeof v !== 'number') return '—';
  return meets(v, f.goal) ? 'yes' : '**no**';
}

export function renderTable(results: Json, options: { markdown: boolean; sections?: string[]; goalsOnly?: boolean }): string {
  const figures = FIGURES.filter((f) => (!options.sections || options.sections.includes(f.section)) && (!options.goalsOnly || f.goal));
  const rows = figures.map((f) => [f.section, f.label, valueCell(results, f), f.limit, goalText(f.goal), metCell(results, f)]);
  const header = ['Section', 'Figure', 'Value', 'Limit', 'Goal', 'Met'];
  if (options.markdown) {
    return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  }
  const plain = rows.map((r) => r.map((c) => c.replaceAll('**', '').replaceAll('`', '')));
  const all = [header, ...plain];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...plain.map(line)].join('\n');
}

const ok = (results: Json, section: string) => sectionStatus(results, section)?.status === 'ok';

function notMeasured(results: Json, section: string, file?: string): string {
  const s = sectionStatus(results, section);
  if (s?.status === 'missing') return `Not measured in this run: ${file ? `\`bench/${file}\`` : 'its module'} is not in the tree.`;
  if (s?.status === 'failed') return `Not measured in this run: the section failed (\`bench/results.json\` \`sections\` has the error).`;
  return 'Not measured in this run.';
}

/** met / missed / not measured, from the value and the figure's goal (as the table decides it). */
export function verdict(results: Json, path: string): string {
  const f = FIGURES.find((x) => x.path === path);
  const v = valueAt(results, path);
  if (!f?.goal) return 'no goal';
  if (typeof v !== 'number') return 'not measured';
  return meets(v, f.goal) ? 'met' : 'missed';
}

// ---- the prose of each section, every number from results.json -------------------------------

function roundTripsText(r: Json): string {
  if (!ok(r, 'round trips')) return notMeasured(r, 'round trips', 'round-trips.ts');
  const keys = ['coldV2Aksk', 'warmUnchanged', 'warmOneChange', 'v1Steady'];
  return [
    `Upstream round trips on the critical path, (wall at L = 300 ms − wall at L = 0) / 300 ms, measured by \`bench/round-trips.ts\`: ` +
      keys.map((k) => `${k} ${fmt(num(r, `roundTrips.${k}`), 2)} (${verdict(r, `roundTrips.${k}`)})`).join(', ') +
      '.',
  ].join('\n');
}

function syncText(r: Json): string {
  if (!ok(r, 'sync critical path')) return notMeasured(r, 'sync critical path');
  const d = 'details.sync critical path';
  const L = num(r, `${d}.latencyMs`);
  const part = (k: string) =>
    `${fmt(num(r, `${d}.${k}.wallMs`), 0)} ms: ${fmt(num(r, `${d}.${k}.beforeUpstreamMs`), 0)} ms before the first upstream request, ` +
    `${fmt(num(r, `${d}.${k}.upstreamMs`), 0)} ms from the first upstream request to the last answer (${fmt(num(r, `${d}.${k}.upstreamRequests`))} requests), ` +
    `${fmt(num(r, `${d}.${k}.afterUpstreamMs`), 0)} ms after it`;
  const after = (k: string) => {
    const c = at(r, `${d}.${k}.callsAfterUpstream`) as Record<string, { calls: number; ms: number }> | undefined;
    return c && Object.keys(c).length ? Object.entries(c).map(([cmd, v]) => `${v.calls} ${cmd} (${fmt(v.ms, 0)} ms)`).join(', ') : 'none';
  };
  return [
    `${fmt(num(r, `${d}.clouds`))} Zilliz clouds, ${fmt(num(r, `${d}.regions`))} regions, every upstream answer after L = ${fmt(L)} ms; the limit is two round trips (${fmt(L ? 2 * L : undefined)} ms).`,
    `- Warm unchanged pass (median of ${fmt(num(r, `${d}.runs`))}): ${part('unchangedPass')}; ratio ${fmt(num(r, 'syncCriticalPath.unchangedRatio'), 3)} (${verdict(r, 'syncCriticalPath.unchangedRatio')}).`,
    `- Warm pass committing and publishing one change (median of ${fmt(num(r, `${d}.runs`))}): ${part('oneChangePass')}; ratio ${fmt(num(r, 'syncCriticalPath.oneChangeRatio'), 3)} (${verdict(r, 'syncCriticalPath.oneChangeRatio')}).`,
    `- First pass (IAM login, every region committed and published): ${part('firstPass')}.`,
    `What is not upstream is DynamoDB Local (and the PutEvents receiver): the scope heads before the calls, and after the last answer the commit, the status writes and the publisher. ` +
      `The calls that started after the last upstream answer (count, summed duration): unchanged pass ${after('unchangedPass')}; one-change pass ${after('oneChangePass')}. ` +
      `Their latency on this machine, several of them one after another, is what the one-change pass adds to the two round trips.`,
  ].join('\n');
}

function costText(r: Json): string {
  if (!ok(r, 'DynamoDB cost')) return notMeasured(r, 'DynamoDB cost');
  const d = 'details.DynamoDB cost';
  const w = at(r, `${d}.small.unchangedPass.writes`) as Record<string, number> | undefined;
  return [
    `An unchanged pass writes ${w ? Object.entries(w).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing' : '?'} items (one status item per scope, in one transaction): no snapshot, no changeset.`,
    `One changed region costs ${fmt(num(r, `${d}.oneChangeWcu.small`), 1)} WCU at ${fmt(num(r, `${d}.oneChangeWcu.smallRegions`))} regions and ${fmt(num(r, `${d}.oneChangeWcu.large`), 1)} WCU at ${fmt(num(r, `${d}.oneChangeWcu.largeRegions`))} (metered), ` +
      `${fmt(num(r, `${d}.oneChangeWcuModelled.small`))} and ${fmt(num(r, `${d}.oneChangeWcuModelled.large`))} as AWS would bill every write (model: one unit per started KB, doubled in a transaction; DynamoDB Local under-reports transactions).`,
    `Its reads grow with the changed scope: ${fmt(num(r, `${d}.small.oneChangePass.rcu`), 1)} RCU and ${fmt(num(r, `${d}.large.oneChangePass.rcu`), 1)} RCU (the plan reads that scope's regions).`,
  ].join('\n');
}

/** A pass's phases (bench/scale-breakdown.ts), as one clause. */
function phasesText(r: Json, p: string): string {
  const ph = (k: string) => fmt(num(r, `${p}.breakdown.phases.${k}`));
  return (
    `upstream call ${ph('upstream')} ms, parsing, validating and hashing the answer (and planning, when no region is read) ${ph('parseAndHash')} ms, ` +
    `reading changed scopes' regions ${ph('readRegions')} ms, planning ${ph('plan')} ms, ${fmt(num(r, `${p}.breakdown.transactions`))} transactions ${ph('transactions')} ms ` +
    `(${fmt(num(r, `${p}.breakdown.meanTransactionMs`), 1)} ms each, the SEQ read included), the status transaction ${ph('status')} ms (the publisher starts beside it), schema ${ph('schema')} ms, publishing after them ${ph('publish')} ms`
  );
}

function scaleText(r: Json): string {
  if (!ok(r, 'scale')) return notMeasured(r, 'scale');
  const d = 'details.scale';
  const zillizCalls = num(r, `${d}.first.upstream.zillizRequests`);
  const mode = at(r, 'upstream');
  const v1 = (zillizCalls ?? 0) > 1;
  const ms = (p: string) => num(r, `${d}.${p}`);
  const share = (part: number | undefined, whole: number | undefined) => (part !== undefined && whole ? fmt((100 * part) / whole, 0) : '?');
  const limitMs = ms('firstLimit.ms');
  const limitCalls = ms('firstLimit.calls');
  const firstTx = ms('first.breakdown.phases.transactions');
  const warmWall = ms('warm.wallMs');
  const warmLimit = ms('warmLimit.ms');
  const warmFixed = ['upstream', 'parseAndHash'].reduce<number | undefined>((n, k) => {
    const v = ms(`warm.breakdown.phases.${k}`);
    return n === undefined || v === undefined ? undefined : n + v;
  }, 0);
  const lines = [
    `${fmt(num(r, 'scale.regions'))} regions (${fmt(ms('clouds'))} Zilliz clouds of 100, and ModelArts). Upstream mode asked for: \`${String(mode)}\`; the simulator saw ${fmt(zillizCalls)} Zilliz request(s) per pass` +
      (v1 ? ', so this code ran v1 (one listing per cloud): it does not know `ZILLIZ_API_VERSION` yet.' : ' (v2: one call for every cloud).') +
      ' Every pass is cut into phases from the spans of its own calls (bench/scale-breakdown.ts).',
    '',
    `**First pass: ${fmt(num(r, 'scale.firstPassRatio'), 2)}× the limit (${verdict(r, 'scale.firstPassRatio')}).** The pass took ${fmt(ms('first.wallMs'))} ms and wrote ${fmt(ms('first.itemsWritten'))} items; ` +
      `BatchWriteItem wrote the same items in ${fmt(limitMs)} ms (${fmt(limitCalls)} calls of 25, ${fmt(limitMs && limitCalls ? limitMs / limitCalls : undefined, 1)} ms each). Phases: ${phasesText(r, `${d}.first`)}.`,
    `The transactions are ${share(firstTx, ms('first.wallMs'))} % of the pass and take ${fmt(firstTx && limitMs ? firstTx / limitMs : undefined, 2)}× the BatchWriteItem time of every item: they run one after the other because each moves SEQ from n to n+1 (what keeps the change feed gap-free), and each holds at most 100 items. ` +
      `That is the bound of this figure: a transaction writes the same items as BatchWriteItem and more slowly (DynamoDB Local ${fmt(firstTx && ms('first.itemsWritten') ? firstTx / (ms('first.itemsWritten') as number) : undefined, 2)} ms an item against ${fmt(limitMs && ms('first.itemsWritten') ? limitMs / (ms('first.itemsWritten') as number) : undefined, 2)}; DynamoDB charges two write units a transactional item against one), so the transactions alone are ${fmt(firstTx && ms('firstPhysical.ms') ? firstTx / (ms('firstPhysical.ms') as number) : undefined, 2)}× the physical limit below before anything else runs. Writing the regions outside the transactions would lose the prefix guarantee (every state the catalog shows is a prefix of the feed). ` +
      `Publishing ${fmt(ms('first.published'))} events (10 per PutEvents, EventBridge's limit) is work the limit does not do. No region is read: a scope with no head has no stored region (its regions are only written with its head), and the commit's conditions would catch one.`,
    '',
    `**Pass with 1 % changed, warm: ${fmt(num(r, 'scale.onePercentRatio'), 2)}× the limit (${verdict(r, 'scale.onePercentRatio')}).** This is the issue's figure: the production steady state is a scheduled function in a warm execution environment, ` +
      `which keeps each scope's regions from its previous pass (lib/sync/snapshot-cache.ts, used only while the scope's head version is the one it reflects). Measured in the process that ran the first pass: ` +
      `${fmt(ms('warm.touched'))} regions changed (one per cloud); the pass took ${fmt(warmWall)} ms and wrote ${fmt(ms('warm.itemsWritten'))} items, which BatchWriteItem writes in ${fmt(warmLimit)} ms. ` +
      `Phases: ${phasesText(r, `${d}.warm`)}. ` +
      `What bounds it: the upstream call and the handling of its ${fmt(num(r, 'scale.regions'))}-region answer (parse, validation, the hash of every region and the plan of the changed scopes), together ${fmt(warmFixed)} ms, ${fmt(warmFixed && warmLimit ? warmFixed / warmLimit : undefined, 1)}× the writes alone before the pass writes a change; then the transactions, which write the limit's items more slowly, and the scopes' status (${fmt(ms('clouds'))}+ scopes in a transaction per 100, beside the publishing). ` +
      `The upstream call, the handling of the answer and the transactions alone are ${fmt(warmFixed !== undefined && ms('warm.breakdown.phases.transactions') !== undefined && ms('warmPhysical.ms') ? (warmFixed + (ms('warm.breakdown.phases.transactions') as number)) / (ms('warmPhysical.ms') as number) : undefined, 2)}× the physical limit below. A pass cannot skip the upstream call, the reading of its answer or the status it reports.`,
    '',
    `**Against the physical limit** (one fetch of the same upstream answer, the pass's upstream requests sent again at once and read to the last byte, plus BatchWriteItem of the same items, measured right after each pass): ` +
      `first pass ${fmt(num(r, 'scale.firstPassVsLimit'), 2)}× (${verdict(r, 'scale.firstPassVsLimit')}; limit ${fmt(ms('firstPhysical.ms'))} ms = upstream ${fmt(ms('firstPhysical.upstream.ms'))} + writes ${fmt(ms('firstPhysical.writesMs'))}), ` +
      `warm 1 % pass ${fmt(num(r, 'scale.onePercentVsLimit'), 2)}× (${verdict(r, 'scale.onePercentVsLimit')}; limit ${fmt(ms('warmPhysical.ms'))} ms = upstream ${fmt(ms('warmPhysical.upstream.ms'))} + writes ${fmt(ms('warmPhysical.writesMs'))}). ` +
      `What the passes spend beyond it is in their phases above: the first pass's serial transactions (each moves SEQ by one, which keeps the feed gap-free) and its publishing; the warm pass's parse, validation and hash of the ${fmt(num(r, 'scale.regions'))}-region answer, its status transaction and the publisher's reads.`,
    '',
    `**Pass with 1 % changed, cold: ${fmt(num(r, 'scale.onePercentColdRatio'), 2)}× the limit (${verdict(r, 'scale.onePercentColdRatio')}).** A fresh process (a new execution environment) has no snapshot: it took ${fmt(ms('onePercent.wallMs'))} ms for ${fmt(ms('onePercent.itemsWritten'))} items (BatchWriteItem: ${fmt(ms('onePercentLimit.ms'))} ms). ` +
      `Phases: ${phasesText(r, `${d}.onePercent`)}. Reading every changed scope's regions to diff them (${fmt(ms('onePercent.rcu'))} RCU) and the process's first upstream call are what the warm pass does not pay.`,
    '',
    `**Peak RSS: ${fmt(num(r, 'scale.peakRssMb'), 1)} MB (${verdict(r, 'scale.peakRssMb')})**, of the fresh process running the cold 1 % pass (\`process.resourceUsage().maxRSS\`); the first pass's process peaked at ${fmt(ms('firstPassPeakRssMb'), 1)} MB. ` +
      `The snapshot cache of the warm process held ${fmt(ms('cache.regions'))} regions in ${fmt(num(r, 'scale.snapshotCacheMb'), 1)} MB of heap (used heap after a full GC, with it and without it). ` +
      `An unchanged pass after the cold one took ${fmt(ms('unchanged.wallMs'))} ms (${fmt(ms('unchanged.upstream.requests'))} upstream requests, ${fmt(ms('unchanged.wcu'))} WCU of status writes).`,
  ];
  return lines.join('\n');
}

function handlerText(r: Json): string {
  if (!ok(r, 'catalog handler')) return notMeasured(r, 'catalog handler');
  const d = 'details.catalog handler';
  const p = (k: string) =>
    `p50 ${fmt(num(r, `${d}.${k}.p50Ms`), 4)}, p90 ${fmt(num(r, `${d}.${k}.p90Ms`), 4)}, p99 ${fmt(num(r, `${d}.${k}.p99Ms`), 4)}, p99.9 ${fmt(num(r, `${d}.${k}.p999Ms`), 4)}, max ${fmt(num(r, `${d}.${k}.maxMs`), 2)} ms over ${fmt(num(r, `${d}.${k}.calls`))} calls`;
  const enc = (k: string) => `${fmt(num(r, `${d}.${k}.bytes`))} B (first ${fmt(num(r, `${d}.${k}.firstMs`), 1)} ms, then ${fmt(num(r, `${d}.${k}.warmMs`), 3)} ms; ${fmt(num(r, `${d}.${k}.lambdaResponseBytes`))} B as a Lambda response)`;
  return [
    `The catalog's Lambda entry point, bundled like the function, called as the runtime calls it (a payload 2.0 event, no HTTP) at ${fmt(num(r, 'catalogHandler.regions'))} regions, each call timed alone with \`process.hrtime.bigint()\`, 200 and 304 interleaved in blocks of 1,000:`,
    `- \`GET /regions\` (br): ${p('ok')} (p99 ${verdict(r, 'catalogHandler.p99Ms200')});`,
    `- the 304: ${p('notModified')} (p99 ${verdict(r, 'catalogHandler.p99Ms304')}).`,
    `A warm answer is a memoised body: no read within the revalidation window (\`CATALOG_REVALIDATE_MS\`), then one small read of the sequence. The slowest calls (p99.9, max) are not attributed here; a revalidation read and garbage collection both land in them.`,
    `The cold path: the first request after start ${fmt(num(r, `${d}.coldLoadMs`), 1)} ms (it reads every region); \`GET /regions\` identity ${enc('identity')}, gzip ${enc('gzip')}, br ${enc('br')}. API Gateway's response limit is 6 MB (6,291,456 B).`,
  ].join('\n');
}

function httpText(r: Json): string {
  if (!ok(r, 'catalog over HTTP')) return notMeasured(r, 'catalog over HTTP');
  const d = 'details.catalog over HTTP';
  const cpu = (size: string, path: string, who: string) => num(r, `${d}.${size}.${path}.${who}.serverCpuUsPerRequest`);
  const rps = (size: string, path: string, who: string) => num(r, `${d}.${size}.${path}.${who}.requestsPerSecond`);
  const row = (size: string, path: string, label: string) =>
    `| ${label} | ${fmt(num(r, `${d}.${size}.regions`))} | ${fmt(rps(size, path, 'adapter'))} / ${fmt(rps(size, path, 'static'))} / ${fmt(rps(size, path, 'bare'))} | ${fmt(num(r, `${d}.${size}.${path}.ratio`), 3)} / ${fmt(num(r, `${d}.${size}.${path}.staticRatio`), 3)} | ${fmt(cpu(size, path, 'adapter'), 1)} / ${fmt(cpu(size, path, 'static'), 1)} / ${fmt(cpu(size, path, 'bare'), 1)} µs | ${fmt(num(r, `${d}.${size}.${path}.adapter.p99Ms`), 1)} / ${fmt(num(r, `${d}.${size}.${path}.bare.p99Ms`), 1)} ms |`;
  const gap = (cpu('small', 'notModified', 'adapter') ?? NaN) - (cpu('small', 'notModified', 'bare') ?? NaN);
  const staticGap = (cpu('small', 'ok', 'static') ?? NaN) - (cpu('small', 'ok', 'bare') ?? NaN);
  const cpuRatio = (cpu('small', 'ok', 'bare') ?? NaN) / (cpu('small', 'ok', 'adapter') ?? NaN);
  const loadStart = ((at(r, 'machine.loadAverageAtStart') as number[] | undefined) ?? []).join(' ');
  const handlerGap = (cpu('small', 'ok', 'adapter') ?? NaN) - (cpu('small', 'ok', 'static') ?? NaN);
  const handler304Us = (num(r, 'catalogHandler.p50Ms304') ?? NaN) * 1000;
  const load = (size: string, path: string, who: string) => ((cpu(size, path, who) ?? NaN) * (rps(size, path, who) ?? NaN)) / 1e6;
  return [
    `Three processes: \`npm start\`'s path (the catalog entry point behind \`local/http-adapter.ts\`; beside it in the same process, the same adapter around a static handler that answers the real handler's first result of each kind), a bare \`node:http\` server replaying the captured status, headers and body, and autocannon (${fmt(num(r, `${d}.small.connections`))} connections, ${fmt(num(r, `${d}.small.slices`))} slices of ${fmt(num(r, `${d}.small.sliceS`))} s per server, alternating). Figures are adapter / static handler / bare (ratios to bare; p99 adapter / bare):`,
    '',
    '| path | regions | req/s | ratio | server CPU per request | p99 |',
    '|---|---|---|---|---|---|',
    row('small', 'ok', `200 br (${fmt(num(r, `${d}.small.bodyBytes`))} B)`),
    row('small', 'notModified', '304'),
    row('large', 'ok', `200 br (${fmt(num(r, `${d}.large.bodyBytes`))} B)`),
    row('large', 'notModified', '304'),
    '',
    `The table's figures are the ${fmt(num(r, `${d}.small.regions`))}-region rows: there the servers set the pace. At ${fmt(num(r, `${d}.large.regions`))} regions the 200 path kept the adapter's process ${fmt(load('large', 'ok', 'adapter') * 100, 0)} % and the bare server's ${fmt(load('large', 'ok', 'bare') * 100, 0)} % busy: neither server was the bottleneck (the load generator receiving ${fmt(num(r, `${d}.large.bodyBytes`))} B per answer was), so that ratio says little about the servers.`,
    `**The 200: ${fmt(num(r, 'catalogThroughputRatio'), 3)} (${verdict(r, 'catalogThroughputRatio')}).** By CPU time per request the adapter path costs ${fmt(cpu('small', 'ok', 'adapter'), 1)} µs against the bare server's ${fmt(cpu('small', 'ok', 'bare'), 1)} µs (${fmt(cpuRatio, 3)} of its cost); ` +
      `with a static result the adapter costs ${fmt(cpu('small', 'ok', 'static'), 1)} µs, so the adapter's own emulation takes ${fmt(staticGap, 1)} µs and the catalog handler inside it ${fmt(handlerGap, 1)} µs (its own warm br answer takes ${fmt((num(r, 'catalogHandler.p50Ms200') ?? NaN) * 1000, 1)} µs in process, p50 above). ` +
      `On Lambda the adapter's share is API Gateway's work.` +
      (Math.abs(cpuRatio - (num(r, 'catalogThroughputRatio') ?? NaN)) > 0.1
        ? ` The req/s ratio and the CPU ratio disagree by more than 0.1 in this run: with the load average at ${loadStart} at the start, the two vCPUs were shared with other work, and the req/s figures carry that noise.`
        : ''),
    `**The 304: ${fmt(num(r, 'catalog304ThroughputRatio'), 3)}.** The adapter's process spends ${fmt(gap, 1)} µs more CPU per 304 than the bare server, while the handler's own warm 304 takes ${fmt(handler304Us, 1)} µs (p50, above)` +
      (gap > 2 * handler304Us
        ? `: the difference is \`local/http-adapter.ts\` turning each request into a payload 2.0 event and each result back into an HTTP answer, API Gateway's work, which on Lambda happens outside the function and is not billed to it. The deployment's cost of a 304 is the handler's.`
        : '.'),
  ].join('\n');
}

function bundlesText(r: Json): string {
  if (!ok(r, 'bundles')) return notMeasured(r, 'bundles');
  const d = 'details.bundles';
  const one = (k: string) =>
    `${k}: \`${String(at(r, `${d}.${k}.entry`) ?? '?')}\` ${fmt(num(r, `bundleBytes.${k}`))} B unpacked, in a ${fmt(num(r, `zipBytes.${k}`))} B zip` +
    (ok(r, 'cold start') ? `; the same entry rebuilt with serverless.yml's esbuild options is ${fmt(num(r, `details.cold start.${k}.esbuildBytes`))} B` : '');
  return [
    `\`npx serverless package --package <tmp>\` (offline) wrote the zips in ${fmt(num(r, `${d}.seconds`), 1)} s; \`bundleBytes\` is the size of the bundle inside each zip, unpacked (what Lambda loads), \`zipBytes\` the zip itself (what is uploaded).`,
    `- ${one('sync')};`,
    `- ${one('catalog')}.`,
    'The cold-start figures load these very bundles, unpacked from the zips.',
  ].join('\n');
}

function coldText(r: Json): string {
  if (!ok(r, 'cold start')) return notMeasured(r, 'cold start');
  const d = 'details.cold start';
  const callsOf = (k: string, who: string) => {
    const c = at(r, `${d}.${k}.calls.${who}`) as { dynamodb?: Record<string, number>; upstream?: number; ssm?: number } | undefined;
    if (!c) return '?';
    const db = Object.entries(c.dynamodb ?? {});
    const dbCalls = db.reduce((n, [, v]) => n + v, 0);
    return `${fmt(dbCalls)} DynamoDB call(s)${db.length ? ` (${db.map(([op, v]) => `${v} ${op}`).join(', ')})` : ''}, ${fmt(c.upstream)} upstream request(s), ${fmt(c.ssm)} SSM call(s)`;
  };
  const one = (k: string, calls: string) => {
    const diff = (a: string, b: string) => (num(r, `${d}.${k}.${a}`) ?? NaN) - (num(r, `${d}.${k}.${b}`) ?? NaN);
    return (
      `**${k}: ${fmt(num(r, `coldStartRatio.${k}`), 3)} (${verdict(r, `coldStartRatio.${k}`)}).** Import + first invocation ${fmt(num(r, `${d}.${k}.totalMs`), 1)} ms against ${fmt(num(r, `${d}.${k}.baselineTotalMs`), 1)} ms (medians of ${fmt(num(r, `${d}.runs`))} pairs; CPU ${fmt(num(r, `${d}.${k}.cpuMs`), 1)} vs ${fmt(num(r, `${d}.${k}.baselineCpuMs`), 1)} ms). ` +
      `The import: ${fmt(num(r, `${d}.${k}.importMs`), 1)} vs ${fmt(num(r, `${d}.${k}.baselineImportMs`), 1)} ms (${fmt(diff('importMs', 'baselineImportMs'), 1)} ms more, ratio ${fmt(num(r, `${d}.${k}.importRatio`), 2)}), ` +
      `the first invocation: ${fmt(num(r, `${d}.${k}.invokeMs`), 1)} vs ${fmt(num(r, `${d}.${k}.baselineInvokeMs`), 1)} ms (${fmt(diff('invokeMs', 'baselineInvokeMs'), 1)} ms more, ratio ${fmt(num(r, `${d}.${k}.invokeRatio`), 2)}). ` +
      `The baseline (${fmt(num(r, `${d}.${k}.baselineBytes`))} B) constructs ${String((at(r, `${d}.${k}.sdkClients`) as string[] | undefined)?.join(', ') ?? '?')} and makes ${calls}. ` +
      `Counted on one more run of each: the function's first invocation made ${callsOf(k, 'function')}; the baseline's ${callsOf(k, 'baseline')}.`
    );
  };
  const overhead = (k: string) =>
    `**What cold adds, ${k}: ${fmt(num(r, `coldStartOverhead.${k}`), 3)} (${verdict(r, `coldStartOverhead.${k}`)}).** (Import + first invocation) − the same invocation run again warm in the same process: ` +
    `${fmt(num(r, `${d}.${k}.overheadMs`), 1)} ms (${fmt(num(r, `${d}.${k}.totalMs`), 1)} − ${fmt(num(r, `${d}.${k}.warmMs`), 1)}) against the SDK-only bundle's ${fmt(num(r, `${d}.${k}.baselineOverheadMs`), 1)} ms (${fmt(num(r, `${d}.${k}.baselineTotalMs`), 1)} − ${fmt(num(r, `${d}.${k}.baselineWarmMs`), 1)}); median of the per-pair ratios. ` +
    `The figure the issue first defined (import + first invocation, whole) is ${fmt(num(r, `coldStartRatio.${k}`), 3)}, below.`;
  const compiled = (k: string) => {
    const c = `${d}.${k}.compile`;
    if (num(r, `${c}.functionMs`) === undefined) return 'its compile time was not measured in this run.';
    const lazy = (at(r, `${c}.lazyModules`) as string[] | undefined)?.join(' and ') ?? '?';
    return (
      `V8 compiling the bundle alone (median of 9, in a fresh process) takes ${fmt(num(r, `${c}.functionMs`), 1)} ms against the baseline's ${fmt(num(r, `${c}.baselineMs`), 1)} ms; ` +
      `without ${lazy} (${fmt(num(r, `${c}.withoutLazyBytes`))} B), which the bundle holds for the paths that need them and this first invocation never evaluates (\`import()\` on first use), ${fmt(num(r, `${c}.withoutLazyMs`), 1)} ms. ` +
      'One bundle per function (serverless-esbuild, CommonJS) is compiled whole at load, the modules loaded later included.'
    );
  };
  return [
    overhead('sync'),
    '',
    overhead('catalog'),
    '',
    one('sync', 'one SSM GetParameters, one DynamoDB Query and one `fetch` to the upstream'),
    `The sync function's first invocation is a whole pass (an unchanged one, the usual case; ${fmt(num(r, `${d}.syncPutEventsCalls`))} events published): the secrets from SSM beside the scope heads, then the upstream calls of the default deployment (Zilliz in the run's upstream mode, ModelArts signed with AK/SK: one request each with v2), then the scopes' status in one transaction and the publisher's reads. ` +
      `What bounds the ratio is that a pass is more than one call of each kind: the calls counted above, several of them one after another (the secrets before the upstream calls that need them, the status writes and the publisher's reads after), each a loopback round trip to a simulator or DynamoDB Local, plus the function's own code; what the import adds over the SDK is the function's code itself (the upstream response schemas and zod, ofetch, middy, the pass) and, above all, the bytes V8 compiles: ${compiled('sync')} The goal compares a whole pass with three calls; that is the issue's definition, kept as it is.`,
    '',
    one('catalog', 'one DynamoDB Query'),
    `The catalog's first \`GET /regions\` reads the sequence, then every region, then the sequence again (three round trips one after another, against the baseline's one Query), serialises them and compresses the body (br); the same request warm is answered from the instance's cache (${fmt(num(r, `${d}.catalog.warmMs`), 1)} ms) while the baseline's repeats its Query (${fmt(num(r, `${d}.catalog.baselineWarmMs`), 1)} ms), so what cold adds keeps the whole first request for the function and not for the baseline. ` +
      `What the import adds: ${compiled('catalog')}`,
  ].join('\n');
}

function pageText(r: Json): string {
  if (!ok(r, 'page')) return notMeasured(r, 'page', 'page.ts');
  return `The page (\`bench/page.ts\`): HTML ${fmt(num(r, 'page.sampleHtmlBytes'))} B (br ${fmt(num(r, 'page.sampleBrBytes'))} B) with the sample catalog, ${fmt(num(r, 'page.largeHtmlBytes'))} B (br ${fmt(num(r, 'page.largeBrBytes'))} B) at 10,000 regions.`;
}

function historyText(r: Json): string {
  if (!ok(r, 'history')) return notMeasured(r, 'history', 'history.ts');
  return (
    `At ${fmt(num(r, 'history.regions'))} regions (\`bench/history.ts\`): \`GET /regions?at=\` 30 days back ${fmt(num(r, 'history.atMs'), 1)} ms and a region's history ${fmt(num(r, 'history.historyMs'), 1)} ms, ` +
    `against ${fmt(num(r, 'history.currentMs'), 1)} ms for the current \`GET /regions\`: ratios ${fmt(num(r, 'history.atRatio'), 2)} and ${fmt(num(r, 'history.historyRatio'), 2)}.`
  );
}

function catalogFileText(r: Json): string {
  if (!ok(r, 'catalog file')) return notMeasured(r, 'catalog file', 'catalog-file.ts');
  const d = 'details.catalog file';
  const phases = at(r, `${d}.phases`) as Record<string, { ms: number; calls: number }> | undefined;
  const phaseList = phases
    ? Object.entries(phases)
        .sort(([, a], [, b]) => b.ms - a.ms)
        .map(([name, p]) => `${fmt(p.calls, 1)} ${name} ${fmt(p.ms, 1)} ms`)
        .join(', ')
    : '?';
  const archiveCalls = at(r, `${d}.archive.atCalls`) as Record<string, number> | undefined;
  return [
    `${partialRun(r, 'catalog file')}The catalog files on a local S3 API (s3rver, as \`npm start\` runs it), measured by \`bench/catalog-file.ts\`.`,
    `**The catalog files step of a committing pass: ${fmt(num(r, 'catalogFile.writeOverheadRatio'), 2)}× the same PutObject calls alone (${verdict(r, 'catalogFile.writeOverheadRatio')}).** ` +
      `Sample catalog (${fmt(num(r, `${d}.sampleRegions`))} regions); each of ${fmt(num(r, `${d}.rounds`))} rounds commits one change through a real pass, then times the step (\`lib/sync/catalog-files\`) and, right after it, the PutObject calls it made (the same keys, bytes and headers: the changeset and the version at once, then latest.json) sent alone: ` +
      `${fmt(num(r, `${d}.stepMs`), 1)} ms against ${fmt(num(r, `${d}.putsMs`), 1)} ms (medians; the figure is the median of the per-round ratios). ` +
      `The step's calls, per round (median ms, summed over calls of a kind; some run at once): ${phaseList}; its own work outside any call (serialising, hashing) ${fmt(num(r, `${d}.ownMs`), 1)} ms. ` +
      `What bounds it: the PutObject calls are the limit's whole work, while the step must also learn what is behind (the files' bookkeeping and SEQ), read the committed catalog it writes, ask S3 which version latest.json holds (the HeadObject of its conditional write, the rule that latest.json never moves back) and record what it archived and announced; each of these is a round trip of its own on the critical path of the step.`,
    `**latest.json:** ${fmt(num(r, 'catalogFile.latestBytesSample'))} B at the sample catalog (the stored object's ContentLength), ${fmt(num(r, 'catalogFile.latestBytesLarge'))} B at ${fmt(num(r, `${d}.largeRegions`))} regions (the body the writer puts).`,
    `**\`?at=\` a year back from the archive: ${fmt(num(r, 'catalogFile.archiveAtRatio'), 2)}× the current \`GET /regions\`.** ${fmt(num(r, `${d}.archive.regions`))} regions in ${fmt(num(r, `${d}.archive.scopes`))} scopes, one change a day in each for ${fmt(num(r, `${d}.archive.days`))} days: ` +
      `an archive of ${fmt(num(r, `${d}.archive.changesets`))} changesets and ${fmt(num(r, `${d}.archive.versions`))} versions in the writer's layout (changes planned by the real planner and packed as the commit packs them). ` +
      `The request (a fresh handler each time) took ${fmt(num(r, `${d}.archive.atMs`), 1)} ms against ${fmt(num(r, `${d}.archive.currentMs`), 1)} ms for the current catalog (one Query of every region, a fresh handler); medians of ${fmt((at(r, `${d}.archive.atRuns`) as unknown[] | undefined)?.length)}. ` +
      `Its S3 calls: ${archiveCalls ? Object.entries(archiveCalls).map(([k, v]) => `${v} ${k}`).join(', ') : '?'}: the versions listed, a binary search over the changesets' stamps, then the newest \`catalog/v/\` file before the point's commit (${fmt(num(r, 'catalogFile.latestBytesLarge'))} B at this size) and every archived changeset after it up to that commit. ` +
      `A year back is, in this archive, half a day after the first daily pass, which committed the ${fmt(num(r, `${d}.archive.regions`))} regions in many changesets: a reader that starts from the newest version strictly before that commit replays every one of them. ` +
      `Both requests were measured at the same load, alternating.`,
  ].join('\n\n');
}

function webhooksText(r: Json): string {
  if (!ok(r, 'webhooks')) return notMeasured(r, 'webhooks', 'webhooks.ts');
  const d = 'details.webhooks';
  const c = `${d}.coldStart`;
  const diff = (a: string, b: string) => (num(r, `${c}.${a}`) ?? NaN) - (num(r, `${c}.${b}`) ?? NaN);
  return [
    `${partialRun(r, 'webhooks')}Measured by \`bench/webhooks.ts\` against the local webhook receiver and the Secrets Manager stand-in (\`local/\`).`,
    '',
    `**Delivery per event: ${fmt(num(r, 'webhooks.deliveryOverheadRatio'), 3)}× a bare \`fetch\` POST of the same body (${verdict(r, 'webhooks.deliveryOverheadRatio')}).** ` +
      `${fmt(num(r, `${d}.events`))} events of each, one after another in alternating blocks: ${fmt(num(r, `${d}.deliverMs`), 3)} ms per delivery (the queue message parsed, the body built, signed, POSTed with its deadline, the line logged) against ${fmt(num(r, `${d}.bareMs`), 3)} ms (a ${fmt(num(r, `${d}.bodyBytes`))}-byte body). ` +
      `The parts alone: building the body ${fmt(num(r, `${d}.parts.bodyMs`), 4)} ms, signing ${fmt(num(r, `${d}.parts.signMs`), 4)} ms, the POST with the signed headers ${fmt(num(r, `${d}.parts.signedPostMs`), 3)} ms.`,
    '',
    `**Cold start: ${fmt(num(r, 'webhooks.coldStartRatio'), 3)} (${verdict(r, 'webhooks.coldStartRatio')}).** The delivery function (built with serverless.yml's esbuild options, ${fmt(num(r, `${c}.esbuildBytes`))} B; SDK clients ${String((at(r, `${c}.sdkClients`) as string[] | undefined)?.join(', ') ?? '?')}) loaded and given one SQS batch of one event: ` +
      `${fmt(num(r, `${c}.totalMs`), 1)} ms against ${fmt(num(r, `${c}.baselineTotalMs`), 1)} ms for an SDK-only bundle (${fmt(num(r, `${c}.baselineBytes`))} B) reading one secret (medians of ${fmt((at(r, `${c}.runs.totalMs`) as unknown[] | undefined)?.length)} pairs). ` +
      `The import: ${fmt(num(r, `${c}.importMs`), 1)} vs ${fmt(num(r, `${c}.baselineImportMs`), 1)} ms (${fmt(diff('importMs', 'baselineImportMs'), 1)} ms more, ratio ${fmt(num(r, `${c}.importRatio`), 2)}); ` +
      `the first invocation: ${fmt(num(r, `${c}.invokeMs`), 1)} vs ${fmt(num(r, `${c}.baselineInvokeMs`), 1)} ms (${fmt(diff('invokeMs', 'baselineInvokeMs'), 1)} ms more, ratio ${fmt(num(r, `${c}.invokeRatio`), 2)}): ` +
      `the function reads the secret (started at load) and then POSTs the signed delivery, a round trip the baseline does not make; warm, the same invocation takes ${fmt(num(r, `${c}.warmMs`), 1)} ms.`,
    '',
    `What bounds it, measured: against an SDK-only bundle that reads the secret and also POSTs the same body once with \`fetch\` (what the first invocation cannot avoid), the ratio is ${fmt(num(r, `${c}.vsSecretAndPost.ratio`), 3)} ` +
      `(${fmt(num(r, `${c}.vsSecretAndPost.totalMs`), 1)} vs ${fmt(num(r, `${c}.vsSecretAndPost.baselineTotalMs`), 1)} ms; import ratio ${fmt(num(r, `${c}.vsSecretAndPost.importRatio`), 2)}, first invocation ratio ${fmt(num(r, `${c}.vsSecretAndPost.invokeRatio`), 2)}): ` +
      ((num(r, `${c}.vsSecretAndPost.invokeRatio`) ?? Infinity) <= 1.15
        ? `with the POST in the baseline too, the first invocations are within 15 % of each other: the POST (the process's first \`fetch\`, a new connection) is what the invocation adds over the secret read. `
        : `even with the POST in the baseline, the function's first invocation takes ${fmt(num(r, `${c}.vsSecretAndPost.invokeRatio`), 2)}× as long (the baseline's: ${fmt(num(r, `${c}.vsSecretAndPost.baselineInvokeMs`), 1)} ms). `) +
      `The import's difference is the bundle's own weight, by origin: ` +
      `${Object.entries((at(r, `${c}.composition`) as Record<string, number> | undefined) ?? {}).map(([k, v]) => `${k} ${fmt(v)} B`).join(', ')}.`,
  ].join('\n');
}

/** For a section measured by a run of its own merged into these results: when, and the load then. */
function partialRun(r: Json, section: string): string {
  const runs = (at(r, 'merged') as Array<{ sections: string[]; startedAt: string; commit: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] }> | undefined) ?? [];
  const run = runs.findLast((m) => m.sections.includes(section));
  return run
    ? `Measured in a run of its own sections (\`npm run bench -- --merge …\`) of ${run.startedAt}, commit \`${run.commit}\`, load average ${run.loadAverageAtStart.join(' ')} at its start and ${run.loadAverageAtEnd.join(' ')} at its end. `
    : '';
}

/**
 * A run of some sections merged into the results of an earlier run: their
 * figures (or null), details, section records and verdicts replace the old
 * ones; every other section's are kept, and `merged` records when and on
 * what machine load the merged sections ran.
 */
export function mergeResults(previous: Json, partial: Json, sections: string[]): Json {
  const merged: Json = structuredClone(previous);
  for (const f of FIGURES) {
    if (!sections.includes(f.section)) continue;
    const v = valueAt(partial, f.path);
    setAt(merged, f.path, typeof v === 'number' ? v : null);
  }
  const details = { ...((merged.details as Json | undefined) ?? {}) };
  for (const name of sections) details[name] = (partial.details as Json | undefined)?.[name] ?? null;
  merged.details = details;
  const records = ((merged.sections as SectionRecord[] | undefined) ?? []).filter((s) => !sections.includes(s.name));
  merged.sections = [...records, ...((partial.sections as SectionRecord[] | undefined) ?? []).filter((s) => sections.includes(s.name))];
  const goals: Record<string, string> = {};
  const met: Record<string, boolean | null> = {};
  for (const f of FIGURES) {
    if (!f.goal || !(merged.sections as SectionRecord[]).some((s) => s.name === f.section)) continue;
    const v = valueAt(merged, f.path);
    goals[f.path] = goalText(f.goal);
    met[f.path] = typeof v === 'number' ? meets(v, f.goal) : null;
  }
  merged.goals = goals;
  merged.met = met;
  merged.allGoalsMet = Object.values(met).every((v) => v === true);
  const machine = (partial.machine as Json | undefined) ?? {};
  const runs = ((merged.merged as Json[] | undefined) ?? []).filter((m) => !(m.sections as string[]).every((s) => sections.includes(s)));
  merged.merged = [
    ...runs,
    { sections, commit: partial.commit, startedAt: partial.startedAt, durationS: partial.durationS, loadAverageAtStart: machine.loadAverageAtStart, loadAverageAtEnd: machine.loadAverageAtEnd },
  ];
  return merged;
}

// ---- the documents --------------------------------------------------------------------------

export function renderBenchmarks(r: Json): string {
  const m = (k: string) => at(r, `machine.${k}`);
  const loads = (k: string) => ((m(k) as number[] | undefined) ?? []).join(' ');
  const missed = FIGURES.filter((f) => verdict(r, f.path) === 'missed');
  const missing = ((r.sections as SectionRecord[] | undefined) ?? []).filter((s) => s.status !== 'ok');
  return `# Benchmarks

<!-- Generated by bench/report.ts from bench/results.json: do not edit by hand. \`npm run bench\` measures and regenerates; \`npm run bench:report\` regenerates alone. -->

\`npm run bench\` measures every figure below in one run, each beside its limit, on the
code of commit \`${String(r.commit)}\`${String(r.commit).endsWith('-dirty') ? ' (with uncommitted changes)' : ''}. It starts its own DynamoDB Local (in memory), runs
its sections one after the other, writes \`bench/results.json\`, regenerates this file and the
README's performance block from it, and stops every child process it started, by PID.
A section whose module is not in the tree is reported as not measured; a section that fails
is reported and the others still run (exit code 1); a missed goal is a figure, not a failure.

## Latest figures

Run of ${String(r.startedAt)}, ${fmt(num(r, 'durationS'), 0)} s, upstream mode \`${String(r.upstream)}\`, on ${fmt(m('cpus') as number)} × ${String(m('model'))}, ${fmt(m('memoryMb') as number)} MB, Node ${String(m('node'))} (${String(m('platform'))}); load average ${loads('loadAverageAtStart')} at the start, ${loads('loadAverageAtEnd')} at the end.

${renderTable(r, { markdown: true })}

${missed.length ? `Missed: ${missed.map((f) => `${f.label} (${valueCell(r, f)}, goal ${goalText(f.goal)})`).join('; ')}. What bounds each is below, with the measurement that shows it.` : 'Every measured goal is met.'}${missing.length ? ` Not measured: ${missing.map((s) => `${s.name} (${s.status === 'missing' ? 'module missing' : 'failed'})`).join(', ')}.` : ''}

## What each figure measures, and what bounds it

### Round trips
${roundTripsText(r)}

### Sync critical path
${syncText(r)}

### DynamoDB cost
${costText(r)}

### Scale
${scaleText(r)}

### Catalog handler
${handlerText(r)}

### Catalog over HTTP
${httpText(r)}

### Bundles
${bundlesText(r)}

### Cold start
${coldText(r)}

### Page
${pageText(r)}

### History
${historyText(r)}

### Catalog file
${catalogFileText(r)}

### Webhooks
${webhooksText(r)}

## Method

Everything runs on this machine: DynamoDB Local (in memory), the Zilliz and ModelArts simulators,
the PutEvents and SSM receivers on loopback sockets, with the production defaults
(\`UPSTREAM_TIMEOUT_MS\` 5000, 3 retries, Zilliz 8 concurrent / 20 per second). Code that stands
for a function runs as built code in a process of its own: the shipped bundles for the cold start,
bench modules bundled with esbuild for the scale passes, the catalog handler and the servers.
Ratios between two things measured under a shared, noisy load are medians of back-to-back pairs
(cold starts) or of alternating 1 s slices (HTTP), so a slice and its pair ran under the same load.
\`BENCH_UPSTREAM\` (\`v2\` or \`v1\`, default \`v2\`) is the Zilliz API version the passes are configured
for (\`ZILLIZ_API_VERSION\`); the upstream requests each pass made are recorded beside it.
\`npm run bench -- scale "cold start"\` runs only the named sections (to a file under the temp
directory; results.json is left to full runs); with \`--merge\` their figures replace theirs in
results.json, every other section's kept, and this file is regenerated.

## Noise

The machine has ${fmt(m('cpus') as number)} vCPUs, shared with other work: the load averages above were taken at the
start and the end of the run. The same code runs a third slower when the other vCPU is busy, and
such moments come and go within a second; figures that compare two measurements taken apart
(the scale ratios) move most. Read them with the load averages, and on a quiet machine before
reading much into the second decimal.
`;
}

export function renderReadmeBlock(r: Json): string {
  return [
    README_START,
    `<!-- Generated by bench/report.ts from bench/results.json (commit \`${String(r.commit).slice(0, 12)}\`, ${String(r.startedAt).slice(0, 10)}): do not edit by hand. -->`,
    '',
    `\`npm run bench\` measures each figure against its limit in one run (all figures, method and what bounds a missed goal: [BENCHMARKS.md](BENCHMARKS.md)). Latest run, ${fmt(at(r, 'machine.cpus') as number)} shared vCPUs:`,
    '',
    renderTable(r, { markdown: true, goalsOnly: true }),
    '',
    README_END,
  ].join('\n');
}

/** The README with its marked block replaced; the markers must be there (the block is not added anywhere else). */
export function replaceReadmeBlock(readme: string, block: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} block`);
  return readme.slice(0, start) + block + readme.slice(end + README_END.length);
}

export function writeReports(results: Json, root = ROOT): void {
  writeFileSync(join(root, 'BENCHMARKS.md'), renderBenchmarks(results));
  const readmeFile = join(root, 'README.md');
  writeFileSync(readmeFile, replaceReadmeBlock(readFileSync(readmeFile, 'utf8'), renderReadmeBlock(results)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as Json;
  writeReports(results);
  process.stdout.write(`BENCHMARKS.md and the README block regenerated from bench/results.json (commit ${String(results.commit)})\n`);
}
