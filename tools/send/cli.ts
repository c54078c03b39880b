/**
 * `npm run send -- telegram|discord|slack|meta "<text>" [--user ID] [--url URL]`: one correctly
 * signed platform request to the local stack (or any botfleet URL), with the secrets `npm start`
 * uses (environment, else .local/settings.json); prints the bot's answer. Exit 0 when the bot
 * answered 2xx, 1 otherwise, 2 for bad usage.
 */
import { join } from "node:path";
import { LOCAL_SECRET_ENV } from "../../runtime/env";
import { ORIGIN_VERIFY_HEADER } from "../../runtime/routes";
import { loadLocalSettings } from "../local/localSettings";
import { PLATFORMS, type Platform, platformRequest, signingKeys, UsageError } from "./platformRequest";

const USAGE = 'usage: npm run send -- telegram|discord|slack|meta "<text>" [--user ID] [--url URL]';

export interface SendOptions {
  readonly platform: Platform;
  readonly text: string;
  readonly user?: string;
  readonly url: string;
}

/** Parses the arguments; a string is a usage error naming the problem. */
export function parseSendArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SendOptions | string {
  const positional: string[] = [];
  let user: string | undefined;
  let url: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--user" || arg === "--url") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) return `${arg} needs a value\n${USAGE}`;
      if (arg === "--user") user = value;
      else url = value;
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
  const base = url ?? `http://127.0.0.1:${port}`;
  try {
    const parsed = new URL(base);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `--url must be http(s), got "${base}"\n${USAGE}`;
  } catch {
    return `--url is not a URL: "${base}"\n${USAGE}`;
  }
  return { platform: platform as Platform, text, url: base.replace(/\/+$/, ""), ...(user === undefined ? {} : { user }) };
}

async function main(): Promise<void> {
  const options = parseSendArgs(process.argv.slice(2), process.env);
  if (typeof options === "string") {
    process.stderr.write(`${options}\n`);
    process.exit(2);
  }
  let request;
  try {
    const settings = loadLocalSettings(join(process.cwd(), ".local"), process.env);
    request = platformRequest(options.platform, options.text, signingKeys(settings), options.user === undefined ? {} : { user: options.user });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  // With the origin lock on, the request must carry what the Cloudflare edge would add.
  const origin = process.env[LOCAL_SECRET_ENV.originVerifySecret];
  const headers = origin === undefined || origin === "" ? request.headers : { ...request.headers, [ORIGIN_VERIFY_HEADER]: origin };
  const response = await fetch(`${options.url}${request.path}`, { method: request.method, headers, body: request.body });
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
