/**
 * A GCS JSON-API server for tests and the local stack: the Firebase Storage emulator from
 * firebase-tools (pinned exactly in package.json, because this reaches into its internal paths),
 * started in-process on 127.0.0.1 with its security-rules runtime stubbed out.
 *
 * Why in-process: the emulator's CLI needs Java 21 and downloads a rules jar at start; neither is
 * possible here. The JSON-API routes (`/upload/storage/v1`, `/storage/v1`, `/b/...`) go through the
 * emulator's *admin* storage layer, which never consults the rules, so stubbing the rules runtime
 * changes nothing that @google-cloud/storage exercises.
 *
 * What the emulator does not do (measured) and what this file adds:
 * - Preconditions: it ignores `ifGenerationMatch` entirely. A small layer in front of it implements
 *   `ifGenerationMatch` (including 0 = "only if absent") for uploads and deletes, and
 *   `ifMetagenerationMatch` for metadata updates, serialised per
 *   object so two racing writers cannot both pass the check. That is the semantics real GCS gives.
 * - Metadata updates: it serves PATCH only on `/b/...`, not on the `/storage/v1/b/...` path the
 *   client library uses (it answers 501); such requests are re-routed to the emulator's route.
 * - Resumable (chunked) uploads and signed URLs do not work: callers must use `resumable: false`.
 * - Objects are buffered whole in this process on upload and download: fine for a test server.
 *
 * Fault injection: `interrupt()` drops every open connection and stops listening (the port stays
 * reserved for `resume()`), so a client mid-upload sees a reset and the next calls are refused.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import { join, resolve } from "node:path";

// Internal modules of firebase-tools 15.34.2 (no type declarations ship with them).
/* eslint-disable @typescript-eslint/no-require-imports */
const { StorageEmulator } = require("firebase-tools/lib/emulator/storage") as {
  StorageEmulator: new (args: EmulatorArgs) => EmulatorInstance;
};
const { createApp } = require("firebase-tools/lib/emulator/storage/server") as {
  createApp: (projectId: string, emulator: EmulatorInstance) => Promise<((req: IncomingMessage, res: ServerResponse) => void) & { set(setting: string, value: unknown): void }>;
};
const { EmulatorRegistry } = require("firebase-tools/lib/emulator/registry") as {
  EmulatorRegistry: { set(name: string, instance: unknown): void; clear(name: string): void };
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface EmulatorArgs {
  projectId: string;
  host: string;
  port: number;
  rules: { name: string; content: string };
  auto_download: boolean;
}

interface StoredMetadata {
  generation: number | string;
  metageneration: number | string;
}

interface EmulatorInstance {
  adminStorageLayer: { getMetadata(bucket: string, object: string): StoredMetadata | undefined };
  reset(): void;
}

/** The project's own temp root (gitignored): nothing of the emulator lands in the system /tmp. */
const PROJECT_TMP = resolve(__dirname, "..", "..", ".tmp");

export interface GcsServerOptions {
  /** Port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /** Project id the emulator reports. @default "botfleet-local" */
  projectId?: string;
  /** Directory for blob files. @default a fresh directory under <project>/.tmp/gcs-<uuid> */
  dataDir?: string;
}

export interface GcsServer {
  /** `http://127.0.0.1:<port>`: give it to @google-cloud/storage as `apiEndpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** Requests seen so far (method + path, no query): lets tests wait for an upload to begin. */
  onRequest(listener: (req: IncomingMessage) => void): () => void;
  /** Drop every connection and stop accepting new ones, keeping the data (fault injection). */
  interrupt(): Promise<void>;
  /** Listen again on the same port after `interrupt()`. */
  resume(): Promise<void>;
  /** Delete every object. */
  reset(): void;
  /** Stop listening, close connections and delete the blob directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The emulator builds `selfLink`/`mediaLink` of every object and bucket from a process-wide
 * registry and throws when nothing is registered. Clients here never follow those links, so one
 * registry entry pointing at the newest running server serves every instance in the process.
 */
const runningPorts: number[] = [];
function registerPort(port: number): void {
  runningPorts.push(port);
  EmulatorRegistry.set("storage", {
    getName: () => "storage",
    getInfo: () => ({ name: "storage", host: "127.0.0.1", port: runningPorts[runningPorts.length - 1] }),
  });
}
function unregisterPort(port: number): void {
  const index = runningPorts.indexOf(port);
  if (index >= 0) runningPorts.splice(index, 1);
  if (runningPorts.length === 0) EmulatorRegistry.clear("storage");
}

/** Rules stub: the admin layer used by the JSON API never asks it, the Firebase API would deny. */
class NoRulesManager {
  start(): Promise<{ errors: never[]; warnings: never[]; all: never[] }> {
    return Promise.resolve({ errors: [], warnings: [], all: [] });
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  getRuleset(): undefined {
    return undefined;
  }
}

function createEmulator(args: EmulatorArgs, dataDir: string): EmulatorInstance {
  // Subclass at run time: the emulator's constructor calls these two overridable methods.
  const Stubbed = class extends StorageEmulator {
    createRulesManager(): NoRulesManager {
      return new NoRulesManager();
    }
    getPersistenceTmpDir(): string {
      return dataDir;
    }
  };
  return new Stubbed(args);
}

export async function startGcsServer(options: GcsServerOptions = {}): Promise<GcsServer> {
  const projectId = options.projectId ?? "botfleet-local";
  const dataDir = options.dataDir ?? join(PROJECT_TMP, `gcs-${randomUUID()}`);
  mkdirSync(dataDir, { recursive: true });
  const emulator = createEmulator(
    { projectId, host: "127.0.0.1", port: options.port ?? 0, rules: { name: "none", content: "" }, auto_download: false },
    dataDir,
  );
  const app = await createApp(projectId, emulator);
  // Express prints every request error (e.g. "request aborted" after interrupt()) unless env is "test".
  app.set("env", "test");
  const preconditions = new PreconditionGate(emulator);
  const listeners = new Set<(req: IncomingMessage) => void>();
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    for (const listener of listeners) listener(req);
    if (req.method === "PATCH" && req.url?.startsWith("/storage/v1/b/")) req.url = req.url.slice("/storage/v1".length);
    void preconditions.handle(req, res, () => app(req, res));
  };
  let server = listenServer(handle, sockets);
  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  registerPort(port);
  let listening = true;
  let stopped = false;

  const closeServer = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((done) => server.close(() => done()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    interrupt: closeServer,
    async resume() {
      if (listening || stopped) return;
      server = listenServer(handle, sockets);
      await listen(server, port);
      listening = true;
    },
    reset() {
      emulator.reset();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await closeServer();
      unregisterPort(port);
      listeners.clear();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function listenServer(handle: (req: IncomingMessage, res: ServerResponse) => void, sockets: Set<Socket>): Server {
  const server = createServer(handle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return server;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", fail);
      done();
    });
  });
}

/**
 * `ifGenerationMatch` for uploads and deletes, which the emulator ignores. Requests on the same
 * object are serialised until their response ends, so check-then-write cannot interleave.
 */
class PreconditionGate {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly emulator: EmulatorInstance) {}

  async handle(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    const target = preconditionTarget(req);
    if (!target) return next();
    const key = `${target.bucket}/${target.object}`;
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((done) => (release = done));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    res.once("close", () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    const stored = this.emulator.adminStorageLayer.getMetadata(target.bucket, target.object);
    const generation = stored ? String(stored.generation) : "0";
    const metageneration = stored ? String(stored.metageneration) : undefined;
    const holds =
      (target.ifGenerationMatch === undefined || target.ifGenerationMatch === generation) &&
      (target.ifMetagenerationMatch === undefined || target.ifMetagenerationMatch === metageneration);
    if (!holds) {
      req.resume();
      res.writeHead(412, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 412, message: "At least one of the pre-conditions you specified did not hold." } }));
      return;
    }
    next();
  }
}

interface PreconditionTarget {
  bucket: string;
  object: string;
  ifGenerationMatch?: string;
  ifMetagenerationMatch?: string;
}

function preconditionTarget(req: IncomingMessage): PreconditionTarget | undefined {
  const url = new URL(req.url ?? "/", "http://local");
  const conditions: Pick<PreconditionTarget, "ifGenerationMatch" | "ifMetagenerationMatch"> = {};
  const ifGenerationMatch = url.searchParams.get("ifGenerationMatch");
  const ifMetagenerationMatch = url.searchParams.get("ifMetagenerationMatch");
  if (ifGenerationMatch !== null) conditions.ifGenerationMatch = ifGenerationMatch;
  if (ifMetagenerationMatch !== null) conditions.ifMetagenerationMatch = ifMetagenerationMatch;
  if (ifGenerationMatch === null && ifMetagenerationMatch === null) return undefined;
  const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
  const name = url.searchParams.get("name");
  if (req.method === "POST" && upload?.[1] && name) {
    return { bucket: decodeURIComponent(upload[1]), object: name, ...conditions };
  }
  const object = /^(?:\/storage\/v1)?\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
  if ((req.method === "DELETE" || req.method === "PATCH") && object?.[1] && object[2]) {
    return { bucket: decodeURIComponent(object[1]), object: decodeURIComponent(object[2]), ...conditions };
  }
  return undefined;
}
