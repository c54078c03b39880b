/**
 * Lambda bundles: per deployed handler, bundle size (raw, gzip) and cold start, each beside a
 * baseline measured in the same run:
 *  - floor: a bundle of just the AWS SDK clients that handler's measured cold start constructs,
 *    imported and constructed — what no handler doing that run can go below (see floorClients:
 *    of the clients infra/aws/access.ts grants, only those the local-mode run really loads);
 *  - vs-callbackfunction: what aws.lambda.CallbackFunction would ship instead. Measured, not
 *    guessed: Pulumi's own `computeCodePaths()` (the function CallbackFunction uses to pick
 *    node_modules folders: every `dependencies` entry of package.json and their transitive
 *    dependencies, @pulumi/* excluded) lists the folders; we sum their files deflated one by one
 *    (zip compresses per file, so gzip per file approximates the archive). The serialized closure
 *    itself (a few KB) is left out, which flatters CallbackFunction slightly.
 * Cold start = a fresh `node` process imports the bundle and answers one representative event
 * offline (an unsigned or wrongly signed webhook, GET /health, an unauthenticated API call), read
 * as performance.now() in the child at the moment of the answer (process start → answer), and the
 * CPU time spent by then (steadier than wall time on a shared machine). RUNS pairs, the bundle and
 * its floor back to back (which one first alternates), so a change in the machine's load touches
 * both halves of a pair: besides the medians of each, `overhead` is the median of the pairs'
 * differences, the steadier estimate of "cold start − floor", beside the budget (COLD_START_BUDGET_MS).
 * Bounded: stops starting handlers after DEADLINE_MS.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS, type HandlerAccess } from "../../../infra/aws/access";
import { BUNDLE_FILE, type Bundle, bundleEntry } from "../../../infra/aws/bundle";
import { existingHandlers, handlerEntry } from "../../../infra/aws/handlers";
import { ENV, LOCAL_SECRET_ENV } from "../../../runtime/env";
import { type HandlerName, ORIGIN_VERIFY_HEADER, ROUTES } from "../../../runtime/routes";
import { type BenchSuite, median } from "../line";
import { progress } from "../progress";

const RUNS = 15;
const DEADLINE_MS = 150_000;
/** What a user-facing function's cold start may add to its floor (issue #12: webhooks, health, api). */
const COLD_START_BUDGET_MS = 25;
const PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");
const ORIGIN_SECRET = "bench-origin-verify-secret-0123456789abcdef";

const kb = (bytes: number) => bytes / 1024;
const gzipBytes = (text: string | Buffer) => gzipSync(text).length;
/** Size of the modules a cold start loads. */
const loadedBytes = (bundle: Bundle, size: (text: string) => number) => bundle.startup.reduce((sum, file) => sum + size(bundle.files[file] ?? ""), 0);
/** Gzip size of every module in the archive (maps excluded: Lambda never reads them). */
const archiveBytes = (bundle: Bundle) => Object.entries(bundle.files).reduce((sum, [name, text]) => sum + (name.endsWith(".mjs") ? gzipBytes(text) : 0), 0);

/** Writes every file of a bundle under `dir`; returns the entry's path. */
function writeBundle(dir: string, bundle: Bundle): string {
  for (const [name, text] of Object.entries(bundle.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return path.join(dir, BUNDLE_FILE);
}

/** One API Gateway v2 (payload 2.0) event, as the deployed functions receive it. */
function httpEvent(method: string, rawPath: string, headers: Record<string, string>, body?: string, rawQueryString = "") {
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers: { host: "api.bench.invalid", "user-agent": "bench", [ORIGIN_VERIFY_HEADER]: ORIGIN_SECRET, ...headers },
    requestContext: {
      accountId: "000000000000",
      apiId: "bench",
      domainName: "api.bench.invalid",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: `bench-${now}`,
      routeKey: `${method} ${rawPath}`,
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
  };
}

/** An event each handler answers without AWS: rejected signatures, health, an unauthenticated call. */
function representativeEvent(handler: HandlerName): unknown {
  const ts = String(Math.floor(Date.now() / 1000));
  switch (handler) {
    case "telegram":
      return httpEvent("POST", "/webhooks/telegram", { "content-type": "application/json", "x-telegram-bot-api-secret-token": "wrong" }, '{"update_id":1}');
    case "discord":
      return httpEvent("POST", "/webhooks/discord", { "content-type": "application/json", "x-signature-ed25519": "00".repeat(64), "x-signature-timestamp": ts }, '{"type":1}');
    case "slack":
      return httpEvent("POST", "/webhooks/slack", { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts, "x-slack-signature": `v0=${"0".repeat(64)}` }, "command=%2Fticket");
    case "meta":
      return httpEvent("GET", "/webhooks/meta", {}, undefined, "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1");
    case "health":
      return httpEvent("GET", "/health", {});
    case "api":
      return httpEvent("GET", "/api/tickets", {});
    case "export":
      // The export has no offline answer: it reads the table first. AWS calls fail fast against a
      // closed loopback port, so this measures import + the first attempt.
      return { kind: "pending" };
    case "outbox":
      // Likewise: its first step is the Query of the pending replies.
      return { kind: "outbox" };
  }
}

/** Local-mode environment: dummy secrets (a real Ed25519 key, a JWKS), AWS pointed at a closed port. */
function childEnvironment(): NodeJS.ProcessEnv {
  const { publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  const discordKeyHex = Buffer.from(String(jwk.x), "base64url").toString("hex");
  const signing = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
  return {
    PATH: process.env.PATH,
    [ENV.mode]: "local",
    [ENV.tableName]: "bench-table",
    [ENV.authIssuer]: "https://issuer.bench.invalid/",
    [ENV.authAudience]: "botfleet-api",
    [ENV.authJwks]: JSON.stringify({ keys: [{ ...signing, kid: "bench", alg: "ES256", use: "sig" }] }),
    [ENV.authRolesClaim]: "roles",
    // Closed loopback ports: a handler that reaches for DynamoDB or GCS fails at once.
    [ENV.dynamodbEndpoint]: "http://127.0.0.1:9",
    [ENV.archiveBucket]: "bench-archive",
    [ENV.gcsEndpoint]: "http://127.0.0.1:9",
    ...Object.fromEntries(Object.values(LOCAL_SECRET_ENV).map((name) => [name, "bench-secret-0123456789abcdef0123456789"])),
    [LOCAL_SECRET_ENV.discordPublicKey]: discordKeyHex,
    [LOCAL_SECRET_ENV.discordApplicationId]: "123456789012345678",
    [LOCAL_SECRET_ENV.originVerifySecret]: ORIGIN_SECRET,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDBENCH",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_MAX_ATTEMPTS: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    NODE_NO_WARNINGS: "1",
  };
}

/**
 * The SDK clients a handler's measured cold start constructs, of those infra/aws/access.ts grants
 * it: the DynamoDB client, built with the handler's dependencies on its first request whatever the
 * request is. Not the Secrets Manager or SQS clients: the run is local mode (childEnvironment), where
 * secrets come from the environment and dead letters are store items, so neither is ever loaded
 * (deployed, too, both load lazily: secretsManagerFetcher on the first secret read, SqsDeadLetters on
 * the first dead letter). A floor that imported them would credit the handler with their cost
 * (measured here: Secrets Manager alone ~50 ms over an empty bundle, ~8 ms beside DynamoDB; SQS ~5 ms more).
 */
function floorClients(access: HandlerAccess): "dynamodb"[] {
  return access.table.length > 0 || access.indexes.length > 0 ? ["dynamodb"] : [];
}

/** Source of the floor: those SDK clients, imported and constructed. */
function floorSource(clients: readonly "dynamodb"[]): string {
  const imports = clients.includes("dynamodb")
    ? 'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nimport { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";\n'
    : "";
  return `${imports}const clients = [${clients.includes("dynamodb") ? "DynamoDBDocumentClient.from(new DynamoDBClient({}))" : ""}];
export async function handler() {
  return { statusCode: 200, body: String(clients.length) };
}
`;
}

const CHILD = `
const m = await import(process.env.BENCH_MODULE);
let outcome;
try {
  const answer = await m.handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: "bench", getRemainingTimeInMillis: () => 10000 });
  outcome = String(answer?.statusCode ?? "answered");
} catch (err) {
  outcome = "threw";
}
const cpu = process.cpuUsage();
process.stdout.write("\\n@@bench " + JSON.stringify({ ms: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000, outcome }) + "\\n");
process.exit(0);
`;

const run = promisify(execFile);

interface ColdStart {
  /** Wall time from process start to the answer. */
  readonly ms: number;
  /** CPU time (user + system) spent by then: less sensitive to a busy machine than wall time. */
  readonly cpuMs: number;
  readonly outcome: string;
}

async function coldStart(file: string, event: unknown, env: NodeJS.ProcessEnv): Promise<ColdStart> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", CHILD], {
    env: { ...env, BENCH_MODULE: `file://${file}`, BENCH_EVENT: JSON.stringify(event) },
    timeout: 20_000,
  });
  // The handler's own structured logs share stdout; the answer is the marked line.
  const line = stdout.split("\n").find((l) => l.startsWith("@@bench "));
  if (!line) throw new Error(`cold start of ${file} printed no answer`);
  return JSON.parse(line.slice("@@bench ".length)) as ColdStart;
}

/** Deflated size of the node_modules folders Pulumi's CallbackFunction serialization would upload. */
async function callbackFunctionArchiveBytes(): Promise<{ folders: number; files: number; deflated: number }> {
  const cwd = process.cwd();
  process.chdir(PROJECT_ROOT);
  try {
    const paths = await pulumi.runtime.computeCodePaths();
    let files = 0;
    let deflated = 0;
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) {
          files += 1;
          deflated += gzipBytes(fs.readFileSync(full));
        }
      }
    };
    for (const folder of paths.keys()) walk(path.join(PROJECT_ROOT, folder));
    return { folders: paths.size, files, deflated };
  } finally {
    process.chdir(cwd);
  }
}

const bundles: BenchSuite = async (emit) => {
  const started = Date.now();
  const handlers = existingHandlers();
  if (handlers.length === 0) {
    progress.note("bundles: no runtime/handlers/*.ts yet, nothing to measure");
    return;
  }
  const callback = await callbackFunctionArchiveBytes();
  progress.note(`bundles: CallbackFunction closure = ${callback.folders} packages, ${callback.files} files, ${kb(callback.deflated).toFixed(0)} KB deflated`);

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-bench-bundles-"));
  const floorDir = path.join(PROJECT_ROOT, ".tmp", "bench-floor");
  fs.mkdirSync(floorDir, { recursive: true });
  const env = childEnvironment();
  try {
    for (const handler of handlers) {
      if (Date.now() - started > DEADLINE_MS) {
        progress.note(`bundles: deadline reached, skipped ${handler} and later handlers`);
        break;
      }
      const bundle = bundleEntry(handlerEntry(handler));
      const floorEntry = path.join(floorDir, `${handler}.mjs`);
      const clients = floorClients(ACCESS[handler]);
      fs.writeFileSync(floorEntry, floorSource(clients));
      const floor = bundleEntry(path.relative(PROJECT_ROOT, floorEntry));

      const bundleFile = writeBundle(path.join(workDir, handler), bundle);
      const floorFile = writeBundle(path.join(workDir, `${handler}-floor`), floor);

      const event = representativeEvent(handler);
      const own: ColdStart[] = [];
      const base: ColdStart[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        if (i % 2 === 0) {
          own.push(await coldStart(bundleFile, event, env));
          base.push(await coldStart(floorFile, {}, env));
        } else {
          base.push(await coldStart(floorFile, {}, env));
          own.push(await coldStart(bundleFile, event, env));
        }
      }
      const outcome = own.at(-1)?.outcome ?? "";
      // Offline the handler may end in an error (no cloud behind it): the cold start is measured all the same.
      const floorNames = clients.length > 0 ? clients.join(" + ") : "no SDK client";
      progress.note(`bundles: ${handler} cold start measured${outcome === "threw" ? " (handler stopped early offline: expected, no cloud here)" : ` (handler answered ${outcome})`}; floor: ${floorNames}`);

      const bench = `bundle.${handler}`;
      // raw/gzip: what a cold start reads (the entry and its static chunks); archive-gzip: every
      // file uploaded, lazily loaded chunks included.
      emit({ bench, metric: "raw", value: kb(loadedBytes(bundle, Buffer.byteLength)), unit: "KB", baseline: kb(loadedBytes(floor, Buffer.byteLength)) });
      emit({ bench, metric: "gzip", value: kb(loadedBytes(bundle, gzipBytes)), unit: "KB", baseline: kb(loadedBytes(floor, gzipBytes)) });
      emit({ bench, metric: "archive-gzip", value: kb(archiveBytes(bundle)), unit: "KB", baseline: kb(archiveBytes(floor)) });
      emit({ bench, metric: "vs-callbackfunction", value: kb(archiveBytes(bundle)), unit: "KB", baseline: kb(callback.deflated) });
      const wall = (runs: ColdStart[]) => median(runs.map((r) => r.ms));
      const cpu = (runs: ColdStart[]) => median(runs.map((r) => r.cpuMs));
      emit({ bench: `coldstart.${handler}`, metric: "median", value: wall(own), unit: "ms", baseline: wall(base) });
      emit({ bench: `coldstart.${handler}`, metric: "cpu-median", value: cpu(own), unit: "ms", baseline: cpu(base) });
      // The budget is for user-facing functions (those with a route); the scheduled ones have none.
      if (ROUTES.some((route) => route.handler === handler)) {
        emit({ bench: `coldstart.${handler}`, metric: "overhead", value: median(own.map((r, i) => r.ms - (base[i] as ColdStart).ms)), unit: "ms", baseline: COLD_START_BUDGET_MS });
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.rmSync(floorDir, { recursive: true, force: true });
  }
};

export default bundles;
