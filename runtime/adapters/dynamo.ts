import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface DynamoOptions {
  /** Local mode and tests: the embedded server's URL. Unset = the region's DynamoDB endpoint. */
  readonly endpoint?: string;
  readonly region?: string;
  /** SDK attempts per call (throttling and network errors are retried with backoff). @default 3 */
  readonly maxAttempts?: number;
}

/** Document client over one DynamoDB client; nothing connects until the first call. */
export function createDocumentClient(options: DynamoOptions = {}): DynamoDBDocumentClient {
  const config: DynamoDBClientConfig = { maxAttempts: options.maxAttempts ?? 3 };
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    config.region ??= "local";
    // The embedded server ignores credentials; fixed dummy ones keep the SDK from searching for real ones.
    config.credentials = { accessKeyId: "local", secretAccessKey: "local" };
  }
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export interface StoreCall {
  readonly operation: string;
  readonly table: string | undefined;
}

/**
 * Calls `onCall` once per store round trip (per attempt, after the SDK's retry step), with the
 * operation and table. Used to count round trips (bench, tests) and by the local stack to record
 * which calls each handler makes (least privilege).
 */
export function recordStoreCalls(client: DynamoDBDocumentClient, onCall: (call: StoreCall) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string };
      onCall({ operation: String(context.commandName ?? "unknown").replace(/Command$/, ""), table: input.TableName });
      return next(args);
    },
    { step: "finalizeRequest", priority: "low", name: "botfleetRecordStoreCalls" },
  );
}
