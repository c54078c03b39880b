/**
 * What `npm start` prints: endpoints, which settings were generated, shell lines to `source` (the
 * base URL, a ready JWT per role, the origin secret when the lock is on; also written to
 * <dataDir>/env.sh) and lines to try every route of runtime/routes.ts that work as printed: ids are
 * captured into TICKET_ID and EXPORT_ID with `node -pe` (no jq needed), the export covers today
 * (UTC, from `date -u +%F`), and every line targets this stack's port and data directory.
 */
import { isAbsolute, join, relative } from "node:path";
import { ROLES, type Role } from "../../runtime/auth/roles";
import { ENV, LOCAL_SECRET_ENV } from "../../runtime/env";
import { ORIGIN_VERIFY_HEADER, ROUTES } from "../../runtime/routes";
import type { LocalStack } from "./localStack";

export const ENV_FILE = "env.sh";
const DEFAULT_PORT = 8787;

/** A word the shell takes as is, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `export NAME=value` lines for the shell: base URL, tokens, origin secret when set. */
export function shellExports(stack: LocalStack, tokens: Partial<Record<Role, string>>): string[] {
  const lines = [`export BOTFLEET_URL=${shellQuote(stack.url)}`];
  for (const role of ROLES) if (tokens[role] !== undefined) lines.push(`export ${role.toUpperCase()}_TOKEN=${shellQuote(tokens[role])}`);
  const origin = stack.settings.env[LOCAL_SECRET_ENV.originVerifySecret];
  if (origin !== undefined) lines.push(`export ${LOCAL_SECRET_ENV.originVerifySecret}=${shellQuote(origin)}`);
  return lines;
}

export function banner(stack: LocalStack, tokens: Partial<Record<Role, string>>, cwd = process.cwd()): string {
  const env = stack.settings.env;
  const lines: string[] = [];
  const out = (line = "") => lines.push(line);
  const shownDir = displayPath(stack.dataDir, cwd);
  out(`botfleet local stack on ${stack.url}  (Ctrl-C stops it; data in ${shownDir}, --fresh wipes it)`);
  out(`  DynamoDB (dynalite, leveldb): ${stack.dynamo.endpoint}  table ${stack.dynamo.tableName}`);
  out(`  GCS JSON API:                 ${stack.gcs.endpoint}  bucket ${stack.handlerEnv[ENV.archiveBucket] ?? ""} (objects kept in ${join(shownDir, "gcs")})`);
  out(`  platform API stand-in:        ${stack.standIn.endpoint}  (outbound replies are logged here as "stand-in ...")`);
  out();
  out(`Settings (export them to override; generated values are kept in ${join(shownDir, "settings.json")}):`);
  for (const name of [...Object.values(LOCAL_SECRET_ENV), ENV.authIssuer, ENV.authAudience, ENV.authRolesClaim, ENV.authJwks]) {
    const value = env[name];
    if (value === undefined) continue;
    const origin = stack.settings.generated.includes(name) ? "generated" : "from environment";
    out(`  ${name}=${name === ENV.authJwks ? "<JWKS JSON, 1 key>" : value}  (${origin})`);
  }
  const originOn = env[LOCAL_SECRET_ENV.originVerifySecret] !== undefined;
  if (!originOn) out(`  ${LOCAL_SECRET_ENV.originVerifySecret} unset: origin lock off locally`);
  out();
  if (Object.keys(tokens).length === 0) out("Agent tokens: AUTH_JWKS came from the environment, so mint VIEWER_TOKEN, AGENT_TOKEN and ADMIN_TOKEN with your issuer.");
  out(`Shell settings (tokens valid 12 h), also in ${join(shownDir, ENV_FILE)}: run  source ${shellQuote(join(stack.dataDir, ENV_FILE))}  or paste:`);
  for (const line of shellExports(stack, tokens)) out(line);
  out();
  out("Try it, in this order (after the source line above):");
  const send = sendCommand(stack, cwd);
  out(`  ${send} telegram "/ticket Printer on fire"      # signed like the platform; prints the bot's answer`);
  for (const route of ROUTES) for (const line of tryLines(stack, route.method, route.path, route.handler, send, originOn)) out(`  ${line}`);
  return lines.join("\n");
}

/** `npm run send --` plus --url / --data-dir when this stack is not on the defaults send assumes. */
function sendCommand(stack: LocalStack, cwd: string): string {
  let command = "npm run send --";
  if (stack.port !== DEFAULT_PORT) command = `PORT=${stack.port} ${command}`;
  if (stack.dataDir !== join(cwd, ".local")) command += ` --data-dir ${shellQuote(displayPath(stack.dataDir, cwd))}`;
  return command;
}

function displayPath(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
}

/** Reads one field of the JSON on stdin: node is here anyway, jq may not be. */
const pick = (expression: string) => `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8"))${expression} ?? ""'`;

function tryLines(stack: LocalStack, method: string, path: string, handler: string, send: string, originOn: boolean): string[] {
  const env = stack.settings.env;
  const origin = originOn ? ` -H "${ORIGIN_VERIFY_HEADER}: $${LOCAL_SECRET_ENV.originVerifySecret}"` : "";
  // -w '\n' ends each JSON answer with a newline; not on the gzip download, which goes to gunzip.
  const curl = `curl -s -w '\\n'${origin}`;
  const raw = `curl -s${origin}`;
  const at = (suffix: string) => `"${stack.url}${suffix}"`;
  if (handler === "health") return [`${curl} ${at(path)}`];
  if (handler === "meta" && method === "GET") {
    return [`${curl} ${at(`${path}?hub.mode=subscribe&hub.verify_token=${env[LOCAL_SECRET_ENV.metaVerifyToken] ?? ""}&hub.challenge=12345`)}`];
  }
  if (handler !== "api") return [`${send} ${handler} "/tickets"      # ${method} ${path} needs a signature: send signs it`];
  const role = path.startsWith("/api/exports") ? "ADMIN" : method === "GET" ? "VIEWER" : "AGENT";
  const auth = `${curl} -H "authorization: Bearer $${role}_TOKEN"`;
  const json = `${auth} -H 'content-type: application/json'`;
  const ticket = path.replace("{id}", "$TICKET_ID");
  const exported = path.replace("{id}", "$EXPORT_ID");
  switch (`${method} ${path}`) {
    case "GET /api/tickets":
      return [`${auth} ${at("/api/tickets?status=open")}`, `TICKET_ID=$(${auth} ${at("/api/tickets?status=open&limit=1")} | ${pick(".tickets[0]?.id")}); echo "TICKET_ID=$TICKET_ID"`];
    case "PATCH /api/tickets/{id}":
      return [`${json} -X PATCH -d '{"assignee":"alice"}' ${at(ticket)}`];
    case "POST /api/tickets/{id}/messages":
      return [`${json} -X POST -d '{"text":"We are on it"}' ${at(ticket)}`];
    case "POST /api/exports":
      return [`EXPORT_ID=$(${json} -X POST -d "{\\"from\\":\\"$(date -u +%F)\\",\\"to\\":\\"$(date -u +%F)\\"}" ${at(path)} | ${pick(".id")}); echo "EXPORT_ID=$EXPORT_ID"      # today's tickets (UTC)`];
    case "GET /api/exports/{id}":
      return [`for _ in $(seq 30); do ${auth} ${at(exported)} | grep '"status":"\\(done\\|failed\\)"' && break; sleep 1; done      # queued exports run every 5 s`];
    case "GET /api/exports/{id}/download":
      return [`${raw} -H "authorization: Bearer $${role}_TOKEN" ${at(`${exported}?format=ndjson`)} | gunzip | head`];
    default:
      return [`${auth} ${at(method === "GET" ? ticket : path)}`];
  }
}
