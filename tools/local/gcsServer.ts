/**
 * A GCS JSON-API server for tests and the local stack, persisting objects under `dataDir` (the
 * local stack: `.local/gcs/`), so an export downloaded after a restart is still there.
 *
 * Why hand-written: no small, maintained package serves the GCS JSON API. The Firebase Storage
 * emulator (firebase-tools) did, but it keeps object metadata in memory (objects vanished on restart
 * while the table still pointed at them), ignores preconditions, and made `npm ci` install ~700
 * packages and compile re2 for a handful of routes. This implements exactly what
 * @google-cloud/storage 7 sends here (runtime/adapters/gcsArchive.ts and the tests), as documented
 * in the JSON API reference (https://cloud.google.com/storage/docs/json_api/v1/objects):
 * - `POST /upload/storage/v1/b/{bucket}/o?uploadType=multipart|media&name=` (single-shot uploads;
 *   resumable uploads are not served: callers use `resumable: false`);
 * - `GET /storage/v1/b/{bucket}/o/{object}` metadata, `?alt=media` the bytes (`x-goog-hash` md5 and
 *   crc32c, which the client validates), `&generation=` that generation only;
 * - `PATCH` of the same path (custom `metadata` merged, a null value removes a key; metageneration +1);
 * - `DELETE` of the same path; `GET /storage/v1/b/{bucket}/o?prefix=` list (one page);
 * - preconditions `ifGenerationMatch` (0 = "only if absent") and `ifMetagenerationMatch` on every
 *   write, answering 412 like GCS. Each request's check and write run synchronously after its body
 *   has been read, so two racing writers can never both pass a check.
 * Only the live generation is kept (as a bucket without versioning): reading an older one is 404.
 * Generations are microsecond timestamps like GCS's, increasing across restarts.
 *
 * Fault injection: `interrupt()` drops every open connection and stops listening (the port stays
 * reserved for `resume()`), so a client mid-upload sees a reset and no object is written.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { CRC32C } from "@google-cloud/storage";

/** The project's own temp root (gitignored): nothing lands in the system /tmp. */
const PROJECT_TMP = resolve(__dirname, "..", "..", ".tmp");

export interface GcsServerOptions {
  /** Port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /** Directory the objects are kept in, across restarts. @default a fresh directory under <project>/.tmp/gcs-<uuid>, deleted by stop() */
  dataDir?: string;
}

export interface GcsServer {
  /** `http://127.0.0.1:<port>`: give it to @google-cloud/storage as `apiEndpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** Called for every request as it arrives: lets tests wait for an upload to begin. */
  onRequest(listener: (req: IncomingMessage) => void): () => void;
  /** Drop every connection and stop accepting new ones, keeping the data (fault injection). */
  interrupt(): Promise<void>;
  /** Listen again on the same port after `interrupt()`. */
  resume(): Promise<void>;
  /** Delete every object. */
  reset(): void;
  /** Stop listening and close connections; a generated data directory is deleted, a given one kept. Idempotent. */
  stop(): Promise<void>;
}

/** The object resource fields the client reads (JSON API `objects` resource). */
interface ObjectResource {
  kind: "storage#object";
  id: string;
  name: string;
  bucket: string;
  generation: string;
  metageneration: string;
  contentType: string;
  size: string;
  md5Hash: string;
  crc32c: string;
  etag: string;
  timeCreated: string;
  updated: string;
  storageClass: "STANDARD";
  metadata?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startGcsServer(options: GcsServerOptions = {}): Promise<GcsServer> {
  const generatedDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? join(PROJECT_TMP, `gcs-${randomUUID()}`);
  mkdirSync(dataDir, { recursive: true });
  const store = new ObjectStore(dataDir);
  const listeners = new Set<(req: IncomingMessage) => void>();
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    for (const listener of listeners) listener(req);
    readBody(req).then(
      (body) => {
        try {
          respond(res, route(store, req, body));
        } catch (error) {
          const status = error instanceof HttpError ? error.status : 500;
          respond(res, { status, json: { error: { code: status, message: error instanceof Error ? error.message : String(error) } } });
        }
      },
      () => res.destroy(),
    );
  };
  let server = listenServer(handle, sockets);
  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  let stopped = false;

  const closeServer = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((done) => server.close(() => done()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
    // Give in-process clients a moment to see their pooled connections reset, as after a real drop.
    await new Promise((done) => setTimeout(done, 50));
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
      store.reset();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await closeServer();
      listeners.clear();
      if (generatedDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Answer {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  headers?: Record<string, string>;
}

function route(store: ObjectStore, req: IncomingMessage, body: Buffer): Answer {
  const url = new URL(req.url ?? "/", "http://local");
  const method = req.method ?? "GET";
  const query = url.searchParams;
  const conditions = { ifGenerationMatch: query.get("ifGenerationMatch") ?? undefined, ifMetagenerationMatch: query.get("ifMetagenerationMatch") ?? undefined };
  const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
  if (upload && method === "POST") {
    const bucket = decodeURIComponent(upload[1] as string);
    const { resource, media } = parseUpload(query.get("uploadType"), req.headers["content-type"] ?? "", body);
    const name = query.get("name") ?? resource.name;
    if (typeof name !== "string" || name === "") throw new HttpError(400, "Required parameter: name");
    return { status: 200, json: store.write(bucket, name, media, resource, conditions) };
  }
  const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
  if (list && method === "GET") {
    const items = store.list(decodeURIComponent(list[1] as string), query.get("prefix") ?? "");
    return { status: 200, json: { kind: "storage#objects", items } };
  }
  const object = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
  if (!object) throw new HttpError(501, `${method} ${url.pathname} is not served by the local GCS server`);
  const bucket = decodeURIComponent(object[1] as string);
  const name = decodeURIComponent(object[2] as string);
  const generation = query.get("generation") ?? undefined;
  switch (method) {
    case "GET": {
      const found = store.read(bucket, name, generation);
      if (query.get("alt") !== "media") return { status: 200, json: found.resource };
      return {
        status: 200,
        bytes: found.bytes,
        headers: {
          "content-type": found.resource.contentType,
          "x-goog-hash": `crc32c=${found.resource.crc32c},md5=${found.resource.md5Hash}`,
          "x-goog-generation": found.resource.generation,
          "x-goog-metageneration": found.resource.metageneration,
        },
      };
    }
    case "PATCH":
      return { status: 200, json: store.patch(bucket, name, parseJson(body), conditions) };
    case "DELETE":
      store.delete(bucket, name, conditions);
      return { status: 204 };
    default:
      throw new HttpError(405, `${method} is not allowed on an object`);
  }
}

/** `multipart` (JSON metadata part, then the media part: multipart/related, RFC 2387) or `media`. */
function parseUpload(uploadType: string | null, contentType: string, body: Buffer): { resource: Partial<ObjectResource>; media: Buffer } {
  if (uploadType === "media") return { resource: { contentType: contentType || "application/octet-stream" }, media: body };
  if (uploadType !== "multipart") throw new HttpError(400, `uploadType ${uploadType ?? "(none)"} is not served (resumable uploads are not): use resumable: false`);
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (boundary === undefined) throw new HttpError(400, "multipart upload without a boundary");
  const parts: Buffer[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    parts.push(body.subarray(start + 2, next - 2)); // after the delimiter's CRLF, before the next one's
    at = next;
  }
  const [metaPart, mediaPart] = parts.map((part) => {
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) throw new HttpError(400, "multipart part without headers");
    return { headers: part.subarray(0, split).toString("utf8"), content: part.subarray(split + 4) };
  });
  if (metaPart === undefined || mediaPart === undefined) throw new HttpError(400, "multipart upload needs a metadata and a media part");
  const resource = parseJson(metaPart.content) as Partial<ObjectResource>;
  const mediaType = /content-type:\s*([^\r\n]+)/i.exec(mediaPart.headers)?.[1];
  return { resource: { ...resource, contentType: resource.contentType ?? mediaType ?? "application/octet-stream" }, media: mediaPart.content };
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString("utf8") || "{}");
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, "the body must be a JSON object");
}

interface Conditions {
  ifGenerationMatch: string | undefined;
  ifMetagenerationMatch: string | undefined;
}

/**
 * Objects on disk: `<dir>/<bucket>/<sha256(name)>.json` (the resource, written last by rename: the
 * commit point) and `<sha256(name)>.<generation>.bin` (the bytes). Synchronous I/O on purpose: a
 * check and its write cannot interleave with another request's.
 */
class ObjectStore {
  private lastGeneration = 0;

  constructor(private readonly dir: string) {}

  read(bucket: string, name: string, generation?: string): { resource: ObjectResource; bytes: Buffer } {
    const resource = this.resource(bucket, name);
    if (resource === undefined || (generation !== undefined && generation !== resource.generation)) throw new HttpError(404, `No such object: ${bucket}/${name}`);
    return { resource, bytes: readFileSync(this.dataFile(bucket, name, resource.generation)) };
  }

  write(bucket: string, name: string, bytes: Buffer, given: Partial<ObjectResource>, conditions: Conditions): ObjectResource {
    const current = this.resource(bucket, name);
    this.check(current, conditions);
    const generation = this.nextGeneration();
    const now = new Date().toISOString();
    const crc = new CRC32C();
    crc.update(bytes);
    const resource: ObjectResource = {
      kind: "storage#object",
      id: `${bucket}/${name}/${generation}`,
      name,
      bucket,
      generation,
      metageneration: "1",
      contentType: given.contentType ?? "application/octet-stream",
      size: String(bytes.length),
      md5Hash: createHash("md5").update(bytes).digest("base64"),
      crc32c: crc.toString(),
      etag: randomUUID(),
      timeCreated: now,
      updated: now,
      storageClass: "STANDARD",
      ...(given.metadata === undefined ? {} : { metadata: stringValues(given.metadata) }),
    };
    mkdirSync(join(this.dir, bucket), { recursive: true });
    atomicWrite(this.dataFile(bucket, name, generation), bytes);
    atomicWrite(this.resourceFile(bucket, name), JSON.stringify(resource));
    if (current !== undefined) rmSync(this.dataFile(bucket, name, current.generation), { force: true });
    return resource;
  }

  patch(bucket: string, name: string, changes: Record<string, unknown>, conditions: Conditions): ObjectResource {
    const current = this.resource(bucket, name);
    if (current === undefined) throw new HttpError(404, `No such object: ${bucket}/${name}`);
    this.check(current, conditions);
    const metadata: Record<string, string> = { ...current.metadata };
    for (const [key, value] of Object.entries((changes.metadata ?? {}) as Record<string, unknown>)) {
      if (value === null) delete metadata[key];
      else metadata[key] = String(value);
    }
    const next: ObjectResource = {
      ...current,
      ...(typeof changes.contentType === "string" ? { contentType: changes.contentType } : {}),
      metadata,
      metageneration: String(Number(current.metageneration) + 1),
      etag: randomUUID(),
      updated: new Date().toISOString(),
    };
    atomicWrite(this.resourceFile(bucket, name), JSON.stringify(next));
    return next;
  }

  delete(bucket: string, name: string, conditions: Conditions): void {
    const current = this.resource(bucket, name);
    if (current === undefined) throw new HttpError(404, `No such object: ${bucket}/${name}`);
    this.check(current, conditions);
    rmSync(this.resourceFile(bucket, name), { force: true });
    rmSync(this.dataFile(bucket, name, current.generation), { force: true });
  }

  list(bucket: string, prefix: string): ObjectResource[] {
    const folder = join(this.dir, bucket);
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((file) => file.endsWith(".json"))
      .map((file) => JSON.parse(readFileSync(join(folder, file), "utf8")) as ObjectResource)
      .filter((resource) => resource.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  reset(): void {
    for (const entry of readdirSync(this.dir)) rmSync(join(this.dir, entry), { recursive: true, force: true });
  }

  /** GCS semantics: the object's generation ("0" when absent) and metageneration must match. */
  private check(current: ObjectResource | undefined, conditions: Conditions): void {
    const generation = current?.generation ?? "0";
    const generationHolds = conditions.ifGenerationMatch === undefined || conditions.ifGenerationMatch === generation;
    const metagenerationHolds = conditions.ifMetagenerationMatch === undefined || conditions.ifMetagenerationMatch === current?.metageneration;
    if (!generationHolds || !metagenerationHolds) throw new HttpError(412, "At least one of the pre-conditions you specified did not hold.");
  }

  private nextGeneration(): string {
    this.lastGeneration = Math.max(Date.now() * 1000, this.lastGeneration + 1);
    return String(this.lastGeneration);
  }

  private resource(bucket: string, name: string): ObjectResource | undefined {
    const file = this.resourceFile(bucket, name);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ObjectResource) : undefined;
  }

  private key(name: string): string {
    return createHash("sha256").update(name).digest("hex");
  }

  private resourceFile(bucket: string, name: string): string {
    return join(this.dir, bucket, `${this.key(name)}.json`);
  }

  private dataFile(bucket: string, name: string, generation: string): string {
    return join(this.dir, bucket, `${this.key(name)}.${generation}.bin`);
  }
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined).map(([key, value]) => [key, String(value)]));
}

function atomicWrite(file: string, content: string | Buffer): void {
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

function respond(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  if (answer.bytes !== undefined) {
    res.writeHead(answer.status, { "content-length": String(answer.bytes.length), ...answer.headers }).end(answer.bytes);
    return;
  }
  const body = answer.json === undefined ? "" : JSON.stringify(answer.json);
  res.writeHead(answer.status, answer.json === undefined ? {} : { "content-type": "application/json; charset=utf-8" }).end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => done(Buffer.concat(chunks)));
    req.on("error", fail);
    req.on("aborted", () => fail(new Error("request aborted")));
  });
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
