/**
 * Embedded DynamoDB for the local stack: dynalite on 127.0.0.1 persisting to leveldb under `path`
 * (data survives restarts), with botfleet's single table created from tableSchema.ts if missing.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tableDefinition } from "./tableDefinition";

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { path?: string; createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

export interface EmbeddedDynamo {
  readonly endpoint: string;
  readonly tableName: string;
  /** A low-level client on the server (for checks and admin calls; the handlers build their own). */
  readonly client: DynamoDBClient;
  /** Closes the server and its leveldb store. Idempotent. */
  stop(): Promise<void>;
}

export async function startEmbeddedDynamo(path: string, tableName: string): Promise<EmbeddedDynamo> {
  mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 2 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    // dynalite's close() also closes its leveldb (flushes it), so the next start sees the data.
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  };
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, tableName, client, stop };
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await createTable(client, tableName);
  // Like DynamoDB, dynalite answers "not found" while a new table (or an index) is still CREATING.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE" && (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === "ACTIVE")) return;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
}
