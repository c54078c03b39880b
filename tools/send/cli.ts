/**
 * `npm run send -- telegram|discord|slack|meta "<text>" [--user ID] [--url URL] [--data-dir DIR]`:
 * one correctly signed platform request to the local stack (or any botfleet URL), with the secrets
 * `npm start` uses (environment, else <data dir>/settings.json) and, when that stack runs with the
 * origin lock on, its origin secret (from its lock.json); prints the bot's answer.
 * Exit 0 when the bot answered 2xx, 1 otherwise (or nothing answered), 2 for bad usage.
 */
import { join, resolve } from "node:path";
import { LOCAL_SECRET_ENV } from "../../runtime/env";
import { ConfigError } from "../../runtime/errors";
import { ORIGIN_VERIFY_HEADER } from "../../runtime/routes";
import { runningStack } from "../local/dataDirLock";
import { loadLocalSettings } from "../local/localSettings";
import { PLATFORMS, type Platform, platformRequest, signingKeys, UsageError } from "./platformRequest";

const USAGE = 'usage: npm run send -- telegram|discord|slack|meta "<text>" [--user ID] [--url URL] [--data-dir DIR]';
const HELP = `${USAGE}

Sends one platform webhook request, signed as the platform signs it, and prints the bot's answer.
  --user ID        the platform user id to send as (default: a fixed test user per platform)
  --url URL        the botfleet base URL (default http://127.0.0.1:$PORT, PORT defaulting to 8787)
  --data-dir DIR   the local stack's data directory whose secrets sign the request (default .local)
  -h, --help       this text
Secrets come from the environment first, else from the data directory: TELEGRAM_WEBHOOK_SECRET,
SLACK_SIGNING_SECRET, META_APP_SECRET and ORIGIN_VERIFY_SECRET (a deployed stack needs its deployed
values of these; Discord requests are signed with Discord's private key, so only the local stack
can take them). Exit codes: 0 the bot answered 2xx, 1 it answered otherwise or nothing answered,
2 bad usage.`;

export interface SendOptions {
  readonly platform: Platform;
  readonly text: string;
  readonly user?: string;
  readonly url: string;
  /** Absolute; undefined = <cwd>/.local */
  readonly dataDir?: string;
}

/** Parses the arguments; "help" asks for the help text, a string is a usage error naming the problem. */
export function parseSendArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): SendOptions | "help" | string {
  const positional: string[] = [];
  let user: string | undefined;
  let url: string | undefined;
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--user" || arg === "--url" || arg === "--data-dir") {
      const value = argv[i + 1];
      if (value === undefined || value === "" || value.startsWith("--")) return `${arg} needs a value\n${USAGE}`;
      if (arg === "--user") user = value;
      else if (arg === "--url") url = value;
      else dataDir = resolve(cwd, value);
      i++;
    } else if (arg.startsWith("--")) {
      return `unknown option "${arg}"\n${USAGE}`;
    } else positional.push(arg);
  }
  const [platform, text, ...extra] = positional;
  if (platform === undefined) return `missing platform\n${USAGE}`;
  if (!(PLATFORMS as readonly string[]).includes(platform)) return `unknown platform "${platform}" (one of ${PLATFORMS.join(", ")})\n${USAGE}`;
  if (text === undefined || text.trim() === "") return `missing text\n${USAGE}`;
  if (extra.length > 0) return `unexpected argument "${extra[0] ?? ""}" (quote the text)\n${USAGE}`;
  const port = env.PORT === undefined || env.PORT === "" ? "8787" : env.PORT;
  if (url === undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return `PORT must be a whole number from 1 to 65535, got "${port}"\n${USAGE}`;
  const base = url ?? `http://127.0.0.1:${port}`;
  try {
    const parsed = new URL(base);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `--url must be http(s), got "${base}"\n${USAGE}`;
  } catch {
    return `--url is not a URL: "${base}"\n${USAGE}`;
  }
  return { platform: platform as Platform, text, url: base.replace(/\/+$/, ""), ...(user === undefined ? {} : { user }), ...(dataDir === undefined ? {} : { dataDir }) };
}

/** The origin secret to send: the environment's, else that of the local stack running at `url` on `dataDir`. */
export function originSecretFor(url: string, dataDir: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const given = env[LOCAL_SECRET_ENV.originVerifySecret];
  if (given !== undefined && given !== "") return given;
  const running = runningStack(dataDir);
  return running?.url === url ? running.originVerifySecret : undefined;
}

/** One line for a request that got no answer at all: which URL, why, and what to do. */
export function unreachableMessage(target: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  const local = /^http:\/\/(127\.0\.0\.1|localhost)(:|\/)/.test(target);
  return `send: nothing answered at ${target} (${why}): ${local ? "start the local stack with `npm start` (PORT=<port> npm run send … if it runs on another port)" : "check the URL and that the stack is deployed"}`;
}

async function main(): Promise<void> {
  const options = parseSendArgs(process.argv.slice(2), process.env);
  if (options === "help") {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  if (typeof options === "string") {
    process.stderr.write(`${options}\n`);
    process.exit(2);
  }
  const dataDir = options.dataDir ?? join(process.cwd(), ".local");
  let request;
  try {
    const settings = loadLocalSettings(dataDir, process.env);
    request = platformRequest(options.platform, options.text, signingKeys(settings), options.user === undefined ? {} : { user: options.user });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`send: bad configuration: ${error.message}\n`);
      process.exit(2);
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  // With the origin lock on, the request must carry what the Cloudflare edge would add.
  const origin = originSecretFor(options.url, dataDir, process.env);
  const headers = origin === undefined ? request.headers : { ...request.headers, [ORIGIN_VERIFY_HEADER]: origin };
  const target = `${options.url}${request.path}`;
  let response: Response;
  try {
    response = await fetch(target, { method: request.method, headers, body: request.body, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    process.stderr.write(`${unreachableMessage(target, error)}\n`);
    process.exit(1);
  }
  const body = await response.text();
  process.stdout.write(`${response.status} ${response.statusText}\n${pretty(body)}\n`);
  process.exit(response.ok ? 0 : 1);
}

function pretty(body: string): string {
  if (body === "") return "(empty body: the reply, if any, goes out through the platform API)";
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`send failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
