import { Server } from "node:http";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient, recordStoreCalls, type StoreCall } from "../../../runtime/adapters/dynamo";
import { DynamoStore } from "../../../runtime/adapters/store";
import { tableDefinition } from "../../../tools/local/tableDefinition";

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/**
 * An embedded DynamoDB (dynalite, in memory) on 127.0.0.1 with botfleet's table schema, plus the
 * fault injection the failure tests need:
 * - stop()/start(): the server really stops listening (connection refused) and comes back on the
 *   same port with its data (the in-memory database belongs to the server object);
 * - throttleNext(n): an injected fault — a client middleware answers the next n calls with
 *   ProvisionedThroughputExceededException without sending them (dynalite itself never throttles).
 */
export interface LocalDynamo {
  readonly endpoint: string;
  /** A document client as the handlers use it, counting every round trip in `calls`. */
  readonly client: DynamoDBDocumentClient;
  readonly calls: StoreCall[];
  createTable(name: string): Promise<void>;
  /** Every item of a table (a Scan: test-only; no request path ever scans). */
  items(tableName: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Throttles `count` calls (of `operation`, if given), after letting `skip` matching calls through. */
  throttleNext(count: number, operation?: string, skip?: number): void;
  close(): Promise<void>;
}

/**
 * A mocha suite's store: dynalite started and `table` created before the suite, closed after it;
 * `use` receives both, with a DynamoStore on the table (dedupe TTL 48 h).
 */
export function storeSuiteOnDynalite(table: string, use: (local: { readonly db: LocalDynamo; readonly store: DynamoStore }) => void): void {
  let db: LocalDynamo | undefined;
  before(async () => {
    db = await startDynalite();
    await db.createTable(table);
    use({ db, store: new DynamoStore(db.client, table, 48) });
  });
  after(async () => db?.close());
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, 0);
  const endpoint = `http://127.0.0.1:${port}`;
  let running = true;
  // Two SDK attempts: a stopped server fails fast instead of backing off through three.
  const client = createDocumentClient({ endpoint, maxAttempts: 2 });
  const calls: StoreCall[] = [];
  recordStoreCalls(client, (call) => calls.push(call));
  const throttles: { remaining: number; skip: number; operation?: string }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      const fault = throttles.find((t) => t.remaining > 0 && (t.operation === undefined || t.operation === operation));
      if (fault !== undefined && fault.skip > 0) fault.skip--;
      else if (fault !== undefined) {
        fault.remaining--;
        const error = new Error("Rate of requests exceeds the allowed throughput (injected fault)");
        error.name = "ProvisionedThroughputExceededException";
        throw error;
      }
      return next(args);
    },
    { step: "initialize", name: "testInjectedThrottling" },
  );
  const admin = new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });

  return {
    endpoint,
    client,
    calls,
    async createTable(name) {
      await admin.send(new CreateTableCommand(tableDefinition(name)));
    },
    async items(tableName) {
      const before = calls.length;
      const out: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
        out.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      calls.length = before;
      return out;
    },
    async stop() {
      if (!running) return;
      running = false;
      // http.Server's own close: stops listening but keeps dynalite's database (its close() wrapper would drop it).
      const stopListening = new Promise<void>((resolve, reject) => Server.prototype.close.call(server, (e?: Error) => (e ? reject(e) : resolve())));
      server.closeAllConnections();
      await stopListening;
    },
    async start() {
      if (running) return;
      await listen(server, port);
      running = true;
    },
    throttleNext(count, operation, skip = 0) {
      throttles.push({ remaining: count, skip, operation });
    },
    async close() {
      admin.destroy();
      client.destroy();
      if (running) {
        running = false;
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}
