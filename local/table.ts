/**
 * The single table as serverless.yml declares it (resources.Resources.RegionTable),
 * turned into a CreateTable input, plus idempotent create / delete helpers for
 * DynamoDB Local. serverless.yml stays the one source of truth for keys, indexes
 * and the TTL attribute.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import {
  DynamoDBClient,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type BillingMode,
  type CreateTableCommandInput,
  type DeleteTableCommandInput,
  type DescribeTableCommandInput,
  type DescribeTimeToLiveCommandInput,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type KeyType,
  type LocalSecondaryIndex,
  type Projection,
  type ProjectionType,
  type ProvisionedThroughput,
  type ScalarAttributeType,
  type StreamSpecification,
  type StreamViewType,
  type TimeToLiveSpecification,
  type UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../lib/store/client';
import yaml from 'js-yaml';

/** CreateTable input plus the TTL setting, which DynamoDB applies in a separate call. */
export type TableDefinition = CreateTableCommandInput & {
  TableName: string;
  TimeToLiveSpecification?: TimeToLiveSpecification;
};

export const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));
const RESOURCE_NAME = 'RegionTable';
const ACTIVE_TIMEOUT_MS = 60_000;

/** Reads serverless.yml and returns RegionTable's definition under `tableName`. */
export function tableDefinitionFromServerless(tableName = 'region-sync-local', file = SERVERLESS_YML): TableDefinition {
  const document: unknown = yaml.load(readFileSync(file, 'utf8'), { schema: CLOUDFORMATION_SCHEMA, filename: file });
  const properties = path(document, ['resources', 'Resources', RESOURCE_NAME, 'Properties']);
  if (!isRecord(properties)) throw new Error(`${file}: resources.Resources.${RESOURCE_NAME}.Properties is missing`);
  const at = (key: string): string => `${RESOURCE_NAME}.Properties.${key}`;

  const definition: TableDefinition = {
    TableName: tableName,
    AttributeDefinitions: list(properties.AttributeDefinitions, at('AttributeDefinitions'), attributeDefinition),
    KeySchema: list(properties.KeySchema, at('KeySchema'), keySchemaElement),
    BillingMode: oneOf<BillingMode>(properties.BillingMode ?? 'PROVISIONED', ['PAY_PER_REQUEST', 'PROVISIONED'], at('BillingMode')),
  };
  if (properties.ProvisionedThroughput !== undefined) {
    definition.ProvisionedThroughput = provisionedThroughput(properties.ProvisionedThroughput, at('ProvisionedThroughput'));
  }
  if (properties.GlobalSecondaryIndexes !== undefined) {
    definition.GlobalSecondaryIndexes = list(properties.GlobalSecondaryIndexes, at('GlobalSecondaryIndexes'), globalIndex);
  }
  if (properties.LocalSecondaryIndexes !== undefined) {
    definition.LocalSecondaryIndexes = list(properties.LocalSecondaryIndexes, at('LocalSecondaryIndexes'), localIndex);
  }
  if (properties.StreamSpecification !== undefined) {
    definition.StreamSpecification = streamSpecification(properties.StreamSpecification, at('StreamSpecification'));
  }
  if (properties.TimeToLiveSpecification !== undefined) {
    const ttl = record(properties.TimeToLiveSpecification, at('TimeToLiveSpecification'));
    definition.TimeToLiveSpecification = {
      AttributeName: text(ttl.AttributeName, at('TimeToLiveSpecification.AttributeName')),
      Enabled: ttl.Enabled === true || ttl.Enabled === 'true',
    };
  }
  return definition;
}

type AnyClient = DynamoDBClient | DynamoDBDocumentClient;

/** Creates the table unless it exists, waits until ACTIVE, and makes sure TTL is on. */
export async function ensureTable(
  client: AnyClient,
  tableName: string,
  definition: TableDefinition = tableDefinitionFromServerless(tableName),
): Promise<'created' | 'exists'> {
  const { TimeToLiveSpecification: ttl, ...input } = definition;
  let outcome: 'created' | 'exists' = 'exists';
  if ((await tableStatus(client, tableName)) === undefined) {
    try {
      await control.createTable(client, { ...input, TableName: tableName });
      outcome = 'created';
    } catch (error: unknown) {
      if (errorName(error) !== 'ResourceInUseException') throw error;
    }
  }
  await waitUntilActive(client, tableName);
  if (ttl?.Enabled === true && ttl.AttributeName !== undefined) await enableTtl(client, tableName, ttl.AttributeName);
  return outcome;
}

/** Deletes the table; 'missing' when there was none. */
export async function deleteTable(client: AnyClient, tableName: string): Promise<'deleted' | 'missing'> {
  try {
    await control.deleteTable(client, { TableName: tableName });
  } catch (error: unknown) {
    if (errorName(error) === 'ResourceNotFoundException') return 'missing';
    throw error;
  }
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  while ((await tableStatus(client, tableName)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`table ${tableName} still exists ${ACTIVE_TIMEOUT_MS} ms after DeleteTable`);
    await sleep(100);
  }
  return 'deleted';
}

async function enableTtl(client: AnyClient, tableName: string, attributeName: string): Promise<void> {
  const current = await control.describeTimeToLive(client, { TableName: tableName });
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await control.updateTimeToLive(client, {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
  });
}

async function tableStatus(client: AnyClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await control.describeTable(client, { TableName: tableName });
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (error: unknown) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function waitUntilActive(client: AnyClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await tableStatus(client, tableName);
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is ${status ?? 'missing'}, not ACTIVE, after ${ACTIVE_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

// Both client kinds share one middleware stack, so control-plane commands go through
// either; `send` is overloaded per class and a union of both is not callable, hence the branches.
const control = {
  createTable: (c: AnyClient, input: CreateTableCommandInput) =>
    c instanceof DynamoDBDocumentClient ? c.send(new CreateTableCommand(input)) : c.send(new CreateTableCommand(input)),
  deleteTable: (c: AnyClient, input: DeleteTableCommandInput) =>
    c instanceof DynamoDBDocumentClient ? c.send(new DeleteTableCommand(input)) : c.send(new DeleteTableCommand(input)),
  describeTable: (c: AnyClient, input: DescribeTableCommandInput) =>
    c instanceof DynamoDBDocumentClient ? c.send(new DescribeTableCommand(input)) : c.send(new DescribeTableCommand(input)),
  describeTimeToLive: (c: AnyClient, input: DescribeTimeToLiveCommandInput) =>
    c instanceof DynamoDBDocumentClient
      ? c.send(new DescribeTimeToLiveCommand(input))
      : c.send(new DescribeTimeToLiveCommand(input)),
  updateTimeToLive: (c: AnyClient, input: UpdateTimeToLiveCommandInput) =>
    c instanceof DynamoDBDocumentClient ? c.send(new UpdateTimeToLiveCommand(input)) : c.send(new UpdateTimeToLiveCommand(input)),
};

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- YAML: CloudFormation short-form tags (!Ref, !GetAtt, ...) become { Ref } / { 'Fn::X' } objects.

const INTRINSICS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'And', 'Equals', 'If', 'Not', 'Or'];
export const CLOUDFORMATION_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  [
    ...(['scalar', 'sequence', 'mapping'] as const).map(
      (kind) => new yaml.Type('!Ref', { kind, construct: (data: unknown) => ({ Ref: data }) }),
    ),
    ...(['scalar', 'sequence', 'mapping'] as const).map(
      (kind) => new yaml.Type('!Condition', { kind, construct: (data: unknown) => ({ Condition: data }) }),
    ),
    ...INTRINSICS.flatMap((name) =>
      (['scalar', 'sequence', 'mapping'] as const).map(
        (kind) =>
          new yaml.Type(`!${name}`, {
            kind,
            construct: (data: unknown) => ({
              [`Fn::${name}`]: name === 'GetAtt' && typeof data === 'string' ? data.split('.') : data,
            }),
          }),
      ),
    ),
  ],
);

// ---- Narrowing of the parsed YAML into SDK types.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function path(value: unknown, keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`serverless.yml ${where}: expected a mapping`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`serverless.yml ${where}: expected a string`);
  return value;
}

function count(value: unknown, where: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`serverless.yml ${where}: expected a whole number`);
  return n;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new Error(`serverless.yml ${where}: expected one of ${allowed.join(', ')}`);
  return found;
}

function list<T>(value: unknown, where: string, item: (entry: unknown, where: string) => T): T[] {
  if (!Array.isArray(value)) throw new Error(`serverless.yml ${where}: expected a list`);
  return value.map((entry: unknown, index) => item(entry, `${where}[${index}]`));
}

function attributeDefinition(value: unknown, where: string): AttributeDefinition {
  const entry = record(value, where);
  return {
    AttributeName: text(entry.AttributeName, `${where}.AttributeName`),
    AttributeType: oneOf<ScalarAttributeType>(entry.AttributeType, ['S', 'N', 'B'], `${where}.AttributeType`),
  };
}

function keySchemaElement(value: unknown, where: string): KeySchemaElement {
  const entry = record(value, where);
  return {
    AttributeName: text(entry.AttributeName, `${where}.AttributeName`),
    KeyType: oneOf<KeyType>(entry.KeyType, ['HASH', 'RANGE'], `${where}.KeyType`),
  };
}

function projection(value: unknown, where: string): Projection {
  const entry = record(value, where);
  const result: Projection = {
    ProjectionType: oneOf<ProjectionType>(entry.ProjectionType ?? 'ALL', ['ALL', 'KEYS_ONLY', 'INCLUDE'], `${where}.ProjectionType`),
  };
  if (entry.NonKeyAttributes !== undefined) {
    result.NonKeyAttributes = list(entry.NonKeyAttributes, `${where}.NonKeyAttributes`, text);
  }
  return result;
}

function provisionedThroughput(value: unknown, where: string): ProvisionedThroughput {
  const entry = record(value, where);
  return {
    ReadCapacityUnits: count(entry.ReadCapacityUnits, `${where}.ReadCapacityUnits`),
    WriteCapacityUnits: count(entry.WriteCapacityUnits, `${where}.WriteCapacityUnits`),
  };
}

function globalIndex(value: unknown, where: string): GlobalSecondaryIndex {
  const entry = record(value, where);
  const index: GlobalSecondaryIndex = {
    IndexName: text(entry.IndexName, `${where}.IndexName`),
    KeySchema: list(entry.KeySchema, `${where}.KeySchema`, keySchemaElement),
    Projection: projection(entry.Projection, `${where}.Projection`),
  };
  if (entry.ProvisionedThroughput !== undefined) {
    index.ProvisionedThroughput = provisionedThroughput(entry.ProvisionedThroughput, `${where}.ProvisionedThroughput`);
  }
  return index;
}

function localIndex(value: unknown, where: string): LocalSecondaryIndex {
  const entry = record(value, where);
  return {
    IndexName: text(entry.IndexName, `${where}.IndexName`),
    KeySchema: list(entry.KeySchema, `${where}.KeySchema`, keySchemaElement),
    Projection: projection(entry.Projection, `${where}.Projection`),
  };
}

function streamSpecification(value: unknown, where: string): StreamSpecification {
  const entry = record(value, where);
  return {
    StreamEnabled: true,
    StreamViewType: oneOf<StreamViewType>(
      entry.StreamViewType,
      ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'],
      `${where}.StreamViewType`,
    ),
  };
}

export interface ScratchTable {
  endpoint: string;
  tableName: string;
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  drop(): Promise<void>;
}

/** A fresh, empty table under a unique name (tests, benchmarks), with the app's document client; `drop()` deletes it and releases both clients. */
export async function createScratchTable(endpoint: string, prefix: string): Promise<ScratchTable> {
  const tableName = `${prefix}_${randomBytes(6).toString('hex')}`;
  const raw = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  const doc = createDocumentClient({ region: 'us-east-1', endpoint });
  return {
    endpoint,
    tableName,
    doc,
    raw,
    async drop() {
      try {
        await deleteTable(raw, tableName);
      } finally {
        doc.destroy();
        raw.destroy();
      }
    },
  };
}
