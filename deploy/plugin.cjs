/**
 * A local serverless plugin with two package-time jobs:
 * - the event schema registry: `AWS::EventSchemas::Registry` region-sync-<stage>
 *   and one `AWS::EventSchemas::Schema` per DetailType (JSONSchemaDraft4, the
 *   registry's JSON Schema format), generated from the zod schemas of
 *   lib/core/event-schemas.ts, the very source of `GET /schemas` and the
 *   OpenAPI `webhooks`; a DetailType added in lib/core is registered with no
 *   edit here. Each schema describes the whole event as a rule's target gets
 *   it (the envelope, with `detail-type` and `source` fixed), so the
 *   registry's code bindings type `detail`.
 * - the delivery function exists only with `webhookEndpoints` set: without it,
 *   the function is removed before anything is built for it.
 * - who may read the HTTP API (`catalogAuth`, deploy/api-auth.cjs): every
 *   route serverless generated, the `$default` catch-all included, gets its
 *   AuthorizationType from the template's conditions (AWS_IAM, or JWT with
 *   HttpApiJwtAuthorizer, or NONE), so no route can be left out.
 */
'use strict';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS: serverless.yml loads this plugin with require()
const tsx = require('tsx/cjs/api');

class RegionSyncPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:initialize': () => this.dropDisabledFunctions(),
      'before:package:finalize': () => {
        this.addSchemaRegistry();
        this.conditionDeliver();
        this.authorizeRoutes();
      },
    };
  }

  /** What serverless generated for the deliver function exists only under the template's condition, as the rest of it. */
  conditionDeliver() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    for (const section of [template.Resources, template.Outputs ?? {}]) {
      for (const [id, entry] of Object.entries(section)) if (id.startsWith('Deliver') && !entry.Condition) entry.Condition = 'HasWebhooks';
    }
  }

  authorizeRoutes() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
      resource.Properties.AuthorizationType = { 'Fn::If': ['CatalogAuthIam', 'AWS_IAM', { 'Fn::If': ['CatalogAuthJwt', 'JWT', 'NONE'] }] };
      resource.Properties.AuthorizerId = { 'Fn::If': ['CatalogAuthJwt', { Ref: 'HttpApiJwtAuthorizer' }, { Ref: 'AWS::NoValue' }] };
    }
  }

  dropDisabledFunctions() {
    const custom = this.serverless.service.custom ?? {};
    if (custom.webhooks?.enabled !== 'yes') delete this.serverless.service.functions.deliver;
  }

  addSchemaRegistry() {
    const service = this.serverless.service;
    const stage = this.serverless.getProvider('aws').getStage();
    const source = service.custom?.eventSource ?? 'region-sync';
    const { listDetailTypes, detailJsonSchema, webhookType } = tsx.require('../lib/core/event-schemas.ts', __filename);
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const registryName = `${service.service}-${stage}`;
    resources.EventSchemaRegistry = {
      Type: 'AWS::EventSchemas::Registry',
      Properties: { RegistryName: registryName, Description: `The events of region-sync (${stage}): one schema per DetailType, generated from lib/core.` },
    };
    for (const detailType of listDetailTypes()) {
      const name = detailType.replace(/ /g, '');
      const { $schema, title, description, ...detail } = detailJsonSchema(detailType, 'draft-4');
      const content = {
        $schema,
        title: name,
        description,
        type: 'object',
        required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
        properties: {
          version: { type: 'string' },
          id: { type: 'string' },
          'detail-type': { type: 'string', enum: [detailType] },
          source: { type: 'string', enum: [source] },
          account: { type: 'string' },
          time: { type: 'string', format: 'date-time' },
          region: { type: 'string' },
          resources: { type: 'array', items: { type: 'string' } },
          detail: { title, ...detail },
        },
      };
      resources[`EventSchema${name}`] = {
        Type: 'AWS::EventSchemas::Schema',
        Properties: {
          RegistryName: { 'Fn::GetAtt': ['EventSchemaRegistry', 'RegistryName'] },
          SchemaName: `${source}@${name}`,
          Type: 'JSONSchemaDraft4',
          Description: `A ${detailType} event (webhook type ${webhookType(detailType)}).`,
          Content: JSON.stringify(content),
        },
      };
    }
  }
}

module.exports = RegionSyncPlugin;
