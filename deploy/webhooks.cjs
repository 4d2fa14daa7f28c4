/**
 * Resolves the `webhookEndpoints` parameter for serverless.yml at package time
 * (`${file(./deploy/webhooks.cjs):…}`): empty, or a
 * `{{resolve:secretsmanager:<secret id>[:SecretString:<json key>]}}` reference.
 * Anything else stops `serverless package` with one line naming the parameter
 * and never the value (it may be the very list of URLs and secrets).
 *
 * The template gets the secret's id, never the reference itself: CloudFormation
 * would resolve a reference into the function's environment, where the URLs
 * and secrets must not be. The function reads the secret at run time, so a
 * changed secret needs no deployment.
 */
'use strict';

const REFERENCE = /^\{\{resolve:secretsmanager:([^{}\s]+)\}\}$/;

async function reference(resolveVariable) {
  const raw = await resolveVariable(`param:webhookEndpoints, ''`);
  const value = raw === null || raw === undefined ? '' : String(raw).trim();
  if (value === '') return undefined;
  const match = REFERENCE.exec(value);
  if (!match) throw new Error('webhookEndpoints: expected a {{resolve:secretsmanager:<secret id>}} reference to the secret holding the endpoints, not the endpoints themselves (their URLs and secrets are secret)');
  const parts = match[1].split(':');
  // A secret ARN holds colons itself: arn:<partition>:secretsmanager:<region>:<account>:secret:<name>.
  const idParts = parts[0] === 'arn' ? 7 : 1;
  const secretId = parts.slice(0, idParts).join(':');
  const [kind, jsonKey, versionStage, versionId] = parts.slice(idParts);
  if (parts[0] === 'arn' && (parts.length < 7 || parts[2] !== 'secretsmanager' || parts[5] !== 'secret')) throw new Error('webhookEndpoints: the reference names a secret ARN that is not a Secrets Manager secret ARN');
  if (!/^[A-Za-z0-9/_+=.@:-]{1,2048}$/.test(secretId)) throw new Error('webhookEndpoints: the reference names no valid secret id');
  if (kind !== undefined && kind !== 'SecretString') throw new Error('webhookEndpoints: only SecretString references are supported');
  if (versionStage || versionId) throw new Error('webhookEndpoints: a version in the reference is not supported; the function reads the current version (AWSCURRENT) so the endpoints change without a deployment');
  return { secretId, jsonKey: jsonKey || '' };
}

/** The IAM resource of the secret: its ARN, or its name with the six characters Secrets Manager appends. */
function secretResource(secretId) {
  return secretId.startsWith('arn:') ? secretId : `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${secretId}-??????`;
}

module.exports = {
  REFERENCE,
  /** 'yes' when webhooks are deployed (the template's condition), else ''. */
  enabled: async ({ resolveVariable }) => ((await reference(resolveVariable)) ? 'yes' : ''),
  secretId: async ({ resolveVariable }) => (await reference(resolveVariable))?.secretId ?? 'unset',
  jsonKey: async ({ resolveVariable }) => (await reference(resolveVariable))?.jsonKey ?? '',
  secretResource: async ({ resolveVariable }) => {
    const ref = await reference(resolveVariable);
    return ref ? secretResource(ref.secretId) : 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:unset';
  },
};
