/**
 * dynalite on 127.0.0.1 with the project's single table (keys and GSIs from tableSchema.ts),
 * for specs of the agents' API, outbound replies and exports. stop() closes it.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { TABLE } from "../../runtime/adapters/tableSchema";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

export interface DynamoTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** Environment for runtime code that builds its own client (BOTFLEET_TABLE + AWS endpoint/keys). */
  readonly env: Record<string, string>;
  /** Stop serving and drop the data (dynalite keeps it in memory). */
  stop(): Promise<void>;
}

export async function startDynamoTable(tableName = "botfleet-test"): Promise<DynamoTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
  return {
    endpoint,
    tableName,
    client,
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    env: { BOTFLEET_TABLE: tableName, AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" },
    stop: () =>
      new Promise<void>((done) => {
        client.destroy();
        server.close(() => done());
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

export function tableDefinition(tableName: string): ConstructorParameters<typeof CreateTableCommand>[0] {
  const indexes = Object.values(TABLE.indexes);
  const attributes = new Set<string>([TABLE.partitionKey, TABLE.sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]);
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
  };
}
