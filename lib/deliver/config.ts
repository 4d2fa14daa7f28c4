/**
 * The delivery function's settings, parsed at cold start: a bad one stops it
 * with one line naming the variable. The secret is named, never given: its
 * value is read at run time (./secrets-manager).
 */
import * as z from 'zod';
import { httpUrl, parseEnv, type Env } from '../core/config';

const schema = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  WEBHOOK_ENDPOINTS_SECRET_ID: z.string().regex(/^[A-Za-z0-9/_+=.@:-]{1,2048}$/, { message: 'expected a Secrets Manager secret name or ARN' }),
  /** When the list is one key of a JSON secret (`…:SecretString:<key>` in the reference). */
  WEBHOOK_ENDPOINTS_JSON_KEY: z.string().optional(),
  DELIVER_QUEUE_URL: httpUrl,
  DELIVER_DLQ_URL: httpUrl,
  SECRETS_MANAGER_ENDPOINT: httpUrl.optional(),
  SQS_ENDPOINT: httpUrl.optional(),
});

export type DeliverConfig = z.output<typeof schema>;

export function loadDeliverConfig(env: Env = process.env): DeliverConfig {
  return parseEnv(schema, env);
}
