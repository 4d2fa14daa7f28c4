/**
 * Structured JSON logging, one line per record. Secret values registered at
 * cold start are scrubbed from every line, whatever field or error message
 * they ended up in, so a secret cannot leak through an upstream's echo.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Very short values would scrub ordinary words; real keys and passwords are longer.
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  return out;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export type Sink = (line: string) => void;

const levels: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function serialiseError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const name = value.name;
  const message = redact(value.message);
  const code = (value as { code?: unknown }).code;
  return { name, message, ...(typeof code === 'string' ? { code } : {}) };
}

export function createLogger(
  base: Fields = {},
  sink: Sink = (line) => process.stdout.write(`${line}\n`),
  minLevel: Level = (process.env.LOG_LEVEL as Level | undefined) ?? 'info',
): Logger {
  const write = (level: Level, message: string, fields: Fields = {}) => {
    if (levels[level] < (levels[minLevel] ?? 20)) return;
    const record = { level, time: new Date().toISOString(), message, ...base, ...fields };
    // Strings are scrubbed before JSON escapes them: a secret with `"` or `\` would not be found after.
    const line = JSON.stringify(record, (_key, value: unknown) => {
      const v = serialiseError(value);
      return typeof v === 'string' ? redact(v) : v;
    });
    sink(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, sink, minLevel),
  };
}
