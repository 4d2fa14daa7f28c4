/** HTML escaping for text and attribute values (quotes included), and short display of values. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A value as a person reads it in a table cell: strings as they are, the rest as JSON, long ones cut. */
export function shortValue(value: unknown, max = 80): string {
  const text = value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `2026-11-23T10:15:00.000Z` as `2026-11-23 10:15 UTC`. */
export function shortTime(iso: string | null): string {
  if (!iso) return '—';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}
