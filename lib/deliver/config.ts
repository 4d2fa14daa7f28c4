/**
 * The delivery function's settings, parsed at cold start: a bad one stops it
 * with one line naming the variable. The secret is named, never given: its
 * value is read at run time (./secrets-manager).
 */
import { httpUrl, optional, parseEnv, text, withDefault, type Env, type Settings } from '../core/config';

const rules = {
  AWS_REGION: withDefault(text(), 'us-east-1'),
  WEBHOOK_ENDPOINTS_SECRET_ID: text(/^[A-Za-z0-9/_+=.@:-]{1,2048}$/, 'expected a Secrets Manager secret name or ARN'),
  /** When the list is one key of a JSON secret (`…:SecretString:<key>` in the reference). */
  WEBHOOK_ENDPOINTS_JSON_KEY: optional(text()),
  DELIVER_QUEUE_URL: httpUrl,
  DELIVER_DLQ_URL: httpUrl,
  SECRETS_MANAGER_ENDPOINT: optional(httpUrl),
  SQS_ENDPOINT: optional(httpUrl),
};

export type DeliverConfig = Settings<typeof rules>;

export function loadDeliverConfig(env: Env = process.env): DeliverConfig {
  return parseEnv(rules, env);
}
