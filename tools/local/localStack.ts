/**
 * The whole system on loopback with no cloud account: embedded DynamoDB (dynalite on leveldb under
 * <dataDir>/dynamo, so data survives restarts), the in-process GCS JSON-API server, the stand-in
 * platform APIs, and every route of runtime/routes.ts behind one node:http server that speaks to
 * the handlers in API Gateway v2 events. Used by `npm start`, the end-to-end tests and the load bench.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createLogger, type LogSink } from "../../runtime/adapters/logger";
import { ENV } from "../../runtime/env";
import { matchRoute } from "../../runtime/http/router";
import { toApiGatewayEvent, writeNotFound, writeResult } from "./apiGatewayEvent";
import { startEmbeddedDynamo, type EmbeddedDynamo } from "./embeddedDynamo";
import { startGcsServer, type GcsServer } from "./gcsServer";
import type { ExportSummary } from "../../runtime/handlers/export";
import type { OutboxSummary } from "../../runtime/handlers/outbox";
import { buildHandlers } from "./handlers";
import { LOCAL_WHATSAPP_NUMBER } from "../send/platformRequest";
import { loadLocalSettings, type LocalSettings } from "./localSettings";
import { startPlatformStandIn, type PlatformStandIn } from "./platformStandIn";

export const LOCAL_TABLE = "botfleet-local";
export const LOCAL_BUCKET = "botfleet-local-archive";
/** API Gateway's own payload limit; the handlers enforce the route table's smaller one (413). */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export interface LocalStackOptions {
  /** Port on 127.0.0.1 for the API. @default 8787; 0 picks a free one. */
  readonly port?: number;
  /** Where the stack keeps its state (settings.json, dynamo/, gcs/). @default "<cwd>/.local" */
  readonly dataDir?: string;
  /** Delete dataDir first: new secrets, keys and an empty table. @default false */
  readonly fresh?: boolean;
  /** Settings given by the user (runtime/env.ts names); unset ones are generated. @default process.env */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Where handler log lines go. @default stdout */
  readonly logSink?: LogSink;
  /** How often the export function runs queued exports, like its frequent schedule. @default 5000; 0 = only through runExports() */
  readonly exportEveryMs?: number;
  /** How often the outbox function sends queued Slack/Meta replies (deployed: every minute). @default 0 = only through runOutbox(); npm start uses 2000 */
  readonly outboxEveryMs?: number;
}

export interface LocalStack {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly settings: LocalSettings;
  /** The environment the handlers run with (settings + endpoints of the local servers). */
  readonly handlerEnv: Readonly<Record<string, string>>;
  readonly dynamo: EmbeddedDynamo;
  readonly gcs: GcsServer;
  readonly standIn: PlatformStandIn;
  /** Invokes the export function as its schedules do: {"kind":"pending"} (default, frequent) or {"kind":"daily"[, "day"]}. */
  runExports(event?: { kind: "pending" } | { kind: "daily"; day?: string }): Promise<ExportSummary>;
  /** Invokes the outbox function as its schedule does ({"kind":"outbox"}): sends the replies Slack and Meta webhooks queued. */
  runOutbox(): Promise<OutboxSummary>;
  /** Stops every server (API, stand-in, GCS, DynamoDB). Idempotent. */
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir ?? join(process.cwd(), ".local");
  if (options.fresh === true) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const settings = loadLocalSettings(dataDir, options.environment ?? process.env);

  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
    started.length = 0;
  };
  try {
    const dynamo = await startEmbeddedDynamo(join(dataDir, "dynamo"), LOCAL_TABLE);
    started.push(dynamo);
    const gcs = await startGcsServer({ dataDir: join(dataDir, "gcs") });
    started.push(gcs);
    const standIn = await startPlatformStandIn();
    started.push(standIn);

    const handlerEnv: Record<string, string> = {
      ...settings.env,
      [ENV.mode]: "local",
      [ENV.tableName]: LOCAL_TABLE,
      [ENV.dynamodbEndpoint]: dynamo.endpoint,
      [ENV.archiveBucket]: LOCAL_BUCKET,
      [ENV.gcsEndpoint]: gcs.endpoint,
      [ENV.telegramApiUrl]: standIn.baseUrls.telegram,
      [ENV.discordApiUrl]: standIn.baseUrls.discord,
      [ENV.slackApiUrl]: standIn.baseUrls.slack,
      [ENV.metaGraphApiUrl]: standIn.baseUrls.meta,
      // The WhatsApp number of `npm run send -- meta` messages, so agents can answer them.
      [ENV.whatsappPhoneNumberId]: LOCAL_WHATSAPP_NUMBER,
    };
    const handlers = await buildHandlers(handlerEnv, createLogger({}, options.logSink));
    const runExports: LocalStack["runExports"] = (event = { kind: "pending" }) => handlers.exportRun(event);
    const runOutbox: LocalStack["runOutbox"] = () => handlers.outboxRun({ kind: "outbox" });
    // Like the deployed schedules: one run at a time, a failed run logged by its handler and retried next time.
    const repeat = (every: number, run: () => Promise<unknown>) => {
      if (every <= 0) return;
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        run()
          .catch(() => undefined)
          .finally(() => (running = false));
      }, every);
      timer.unref();
      started.push({ stop: () => Promise.resolve(clearInterval(timer)) });
    };
    repeat(options.exportEveryMs ?? 5000, runExports);
    repeat(options.outboxEveryMs ?? 0, runOutbox);
    const server = createServer((req, res) => void serve(req, res));
    const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      try {
        const body = await readBody(req);
        if (body === undefined) {
          res.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ message: "Request Entity Too Large" }));
          return;
        }
        const url = req.url ?? "/";
        const path = url.split("?")[0] ?? "/";
        const method = (req.method ?? "GET").toUpperCase();
        const match = matchRoute(method, path);
        // API Gateway matches "METHOD /path" route keys: another method on a known path is no route either.
        if (match.kind !== "route") return writeNotFound(res);
        if (match.route.handler === "export" || match.route.handler === "outbox") return writeNotFound(res);
        const handler = handlers.http[match.route.handler];
        const event = toApiGatewayEvent(
          { method, url, headers: req.headers, body, sourceIp: req.socket.remoteAddress ?? "127.0.0.1", domainName: req.headers.host ?? "127.0.0.1" },
          match.route,
          match.params,
          randomUUID(),
        );
        writeResult(res, await handler(event));
      } catch {
        // What API Gateway answers when the function itself fails (the handlers catch their own errors).
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "Internal Server Error" }));
      }
    };
    await new Promise<void>((done, fail) => {
      server.once("error", fail);
      server.listen(options.port ?? 8787, "127.0.0.1", () => {
        server.off("error", fail);
        done();
      });
    });
    started.push({ stop: () => closeServer(server) });
    const port = (server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, port, dataDir, settings, handlerEnv, dynamo, gcs, standIn, runExports, runOutbox, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The whole body, or undefined when it exceeds API Gateway's limit (the rest is drained). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GATEWAY_MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => done(size > GATEWAY_MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on("error", fail);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}
