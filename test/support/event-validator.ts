/**
 * Validates event details against the published JSON Schemas (2020-12) with
 * ajv 8, an independent validator: the schemas are fetched from a live
 * catalog when a base URL is given, else generated as `GET /schemas` serves them.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { detailJsonSchemas } from '../../lib/core/event-schemas';

export type DetailValidators = Map<string, ValidateFunction>;

function compile(schemas: Record<string, object>): DetailValidators {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return new Map(Object.entries(schemas).map(([detailType, schema]) => [detailType, ajv.compile(schema)]));
}

/** The validators of every DetailType, from `GET /schemas` of the catalog at `baseUrl`. */
export async function validatorsFrom(baseUrl: string): Promise<DetailValidators> {
  const list = (await (await fetch(`${baseUrl}/schemas`)).json()) as { schemas: { detailType: string; url: string }[] };
  const schemas: Record<string, object> = {};
  for (const { detailType, url } of list.schemas) schemas[detailType] = (await (await fetch(`${baseUrl}${url}`)).json()) as object;
  return compile(schemas);
}

export function localValidators(): DetailValidators {
  return compile(detailJsonSchemas('draft-2020-12'));
}

/** The problems of one event: its DetailType has no schema, or its detail does not match. */
export function problemsOf(validators: DetailValidators, detailType: string, detail: unknown): string[] {
  const validate = validators.get(detailType);
  if (!validate) return [`${detailType}: no published schema`];
  if (validate(detail)) return [];
  return (validate.errors ?? []).map((e) => `${detailType}: ${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
}
