/**
 * The one place that turns errors into HTTP: RFC 9457 `application/problem+json`.
 * A 4xx shows its detail; a 5xx says only its status title, and the real error
 * is logged (scrubbed by the logger) instead of reaching the client.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { createLogger, type Logger } from '../core/log';
import type { Problem } from '../core/api-records';

export const PROBLEM_BASE = 'https://region-sync.dev/problems/';

export type ProblemKind =
  | 'invalid-parameter'
  | 'not-found'
  | 'method-not-allowed'
  | 'cursor-expired'
  | 'point-expired'
  | 'uri-too-long'
  | 'bad-request';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  410: 'Gone',
  414: 'URI Too Long',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export type HttpResult = Exclude<APIGatewayProxyResultV2, string> & {
  statusCode: number;
  headers: Record<string, string>;
};

/** A client error with a message fit to show; thrown by routes and validators. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function invalidParameter(parameter: string, reason: string): HttpProblem {
  return new HttpProblem(400, 'invalid-parameter', `${parameter}: ${reason}`);
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}

function serverProblem(status: number): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Internal Server Error', status };
}

/** Maps anything thrown to a problem response; only HttpProblem and exposed 4xx HttpErrors keep their text. */
export function toProblem(error: unknown, log: Logger): HttpResult {
  if (error instanceof HttpProblem) {
    const problem = { type: PROBLEM_BASE + error.kind, title: TITLES[error.status] ?? 'Bad Request', status: error.status, detail: error.detail };
    return problemResponse(problem, error.headers);
  }
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return problemResponse({ type: 'about:blank', title: TITLES[status] ?? 'Bad Request', status, detail: 'the request cannot be served' });
  }
  const finalStatus = status === 503 ? 503 : 500;
  log.error('request failed', { error: describe(error) });
  return problemResponse(serverProblem(finalStatus), finalStatus === 503 ? { 'Retry-After': '1' } : {});
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  return { name: error.name, message: error.message, stack: error.stack };
}

/** Where the catalog logs the real error behind a 5xx (the client sees none of it). */
export const catalogLog = createLogger({ function: 'catalog' }, (line) => console.error(line));
