/**
 * `GET /schemas` and `GET /schemas/{detailType}`: the JSON Schema (2020-12)
 * of every DetailType's `detail`, generated from lib/core/event-schemas, the
 * source of the registry and the OpenAPI `webhooks` too. Built on first use
 * and kept: the schemas change only with a deployment.
 */
import { detailJsonSchemas, listDetailTypes, webhookType } from '../core/event-schemas';
import { Representation, shortHash } from './etag';
import { HttpProblem } from './problem';

export const SCHEMA_MEDIA_TYPE = 'application/schema+json';

const schemaUrl = (detailType: string) => `/schemas/${encodeURIComponent(detailType)}`;

let built: { list: Representation; byType: Map<string, Representation> } | undefined;

function build() {
  const schemas = detailJsonSchemas('draft-2020-12');
  const byType = new Map<string, Representation>();
  for (const [detailType, schema] of Object.entries(schemas)) {
    const body = JSON.stringify({ ...schema, $id: schemaUrl(detailType) });
    const rep = new Representation(body, `"j-${shortHash(body)}"`);
    byType.set(detailType, rep);
    // The webhook `type` names the same schema.
    byType.set(webhookType(detailType), rep);
  }
  const list = JSON.stringify({ schemas: listDetailTypes().map((detailType) => ({ detailType, url: schemaUrl(detailType) })) });
  return { list: new Representation(list, `"l-${shortHash(list)}"`), byType };
}

export function schemaList(): Representation {
  return (built ??= build()).list;
}

/** One schema by DetailType (`Region Added`) or webhook type (`region.added`); 404 for another name. */
export function schemaOf(name: string | undefined): Representation {
  let decoded = name ?? '';
  // API Gateway passes the path parameter as sent; a client may have encoded the space.
  if (decoded.includes('%')) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // Not an encoding: looked up as given, and not found.
    }
  }
  const rep = (built ??= build()).byType.get(decoded);
  if (!rep) throw new HttpProblem(404, 'not-found', `no schema for '${decoded.slice(0, 64)}'; GET /schemas lists them`);
  return rep;
}
