/**
 * The configurations the deploy check (moto-deploy.test.ts, run by `.ci/run`)
 * packages with `serverless package --stage prod --param=…` and deploys in
 * moto's CloudFormation. One entry per configuration; a new deploy parameter
 * is one line in `everything` (and in its own configuration when it changes
 * which resources exist in ways the others do not show).
 */

/** Every notification parameter given (docs/DEPLOY.md): the webhook as a secret reference, as serverless.yml demands. */
const notifications: Record<string, string> = {
  notifyWebhookUrl: '{{resolve:secretsmanager:region-sync/slack:SecretString:url}}',
  notifyEmail: 'ops@example.com',
  notifyDetailTypes: 'Region Added,Region Removed,Region Changed,Source Degraded,Source Recovered,Removals Held,Schema Changed',
};

/** The subscribers `everything` names, for the policy checks. */
export const SUBSCRIBER_ACCOUNTS = ['111111111111', '222222222222'];
export const SUBSCRIBER_ORG = 'o-a1b2c3d4e5';

export interface DeployConfiguration {
  name: string;
  /** The `--param` values; parameters not named keep serverless.yml's defaults. */
  params: Record<string, string>;
}

export const CONFIGURATIONS: DeployConfiguration[] = [
  { name: 'default', params: {} },
  { name: 'notifications', params: notifications },
  {
    name: 'everything',
    params: {
      ...notifications,
      // The catalog as a file (issue 20): a bucket the stack creates, public read of catalog/*, the CDN, an archive of ten years.
      catalogBucket: 'create',
      catalogPublicRead: 'true',
      catalogCdn: 'true',
      catalogArchiveDays: '3650',
      // Two accounts and an organization: the bus policies and the changes topic (issue 20).
      subscriberAccounts: `${SUBSCRIBER_ACCOUNTS.join(',')},${SUBSCRIBER_ORG}`,
      // Signed webhooks (issue 21): the delivery function, its queue and dead-letter queue.
      webhookEndpoints: '{{resolve:secretsmanager:region-sync/webhooks}}',
      deliverLogRetentionDays: '7',
      // A source of its own: every rule must match it, not the default.
      eventSource: 'com.example.region-sync',
      // The HTTP API behind API Gateway's IAM authorizer (issue 22); jwt would add an authorizer resource moto does not model.
      catalogAuth: 'iam',
    },
  },
];
