/**
 * What `npm start` prints: endpoints, which settings were generated, a ready JWT per role and one
 * example curl line per route of runtime/routes.ts.
 */
import { ROLES, type Role } from "../../runtime/auth/roles";
import { ENV, LOCAL_SECRET_ENV } from "../../runtime/env";
import { ROUTES } from "../../runtime/routes";
import type { LocalStack } from "./localStack";

export function banner(stack: LocalStack, tokens: Partial<Record<Role, string>>): string {
  const env = stack.settings.env;
  const lines: string[] = [];
  const out = (line = "") => lines.push(line);
  out(`botfleet local stack on ${stack.url}  (Ctrl-C stops it; data in ${stack.dataDir}, --fresh wipes it)`);
  out(`  DynamoDB (dynalite, leveldb): ${stack.dynamo.endpoint}  table ${stack.dynamo.tableName}`);
  out(`  GCS JSON API:                 ${stack.gcs.endpoint}  bucket ${stack.handlerEnv[ENV.archiveBucket] ?? ""} (objects last while the stack runs)`);
  out(`  platform API stand-in:        ${stack.standIn.endpoint}  (outbound replies are logged here as "stand-in ...")`);
  out();
  out("Settings (export them to override; generated values are kept in .local/settings.json):");
  for (const name of [...Object.values(LOCAL_SECRET_ENV), ENV.authIssuer, ENV.authAudience, ENV.authRolesClaim, ENV.authJwks]) {
    const value = env[name];
    if (value === undefined) continue;
    const origin = stack.settings.generated.includes(name) ? "generated" : "from environment";
    out(`  ${name}=${name === ENV.authJwks ? "<JWKS JSON, 1 key>" : value}  (${origin})`);
  }
  if (env[LOCAL_SECRET_ENV.originVerifySecret] === undefined) out(`  ${LOCAL_SECRET_ENV.originVerifySecret} unset: origin lock off locally`);
  out();
  if (Object.keys(tokens).length === 0) {
    out(`Agent tokens: AUTH_JWKS came from the environment, so mint them with your issuer.`);
  } else {
    out("Agent tokens (12 h):");
    for (const role of ROLES) if (tokens[role] !== undefined) out(`  ${role.toUpperCase()}_TOKEN=${tokens[role]}`);
  }
  out();
  out("Try it:");
  out(`  npm run send -- telegram "/ticket Printer on fire"      # signed like the platform; prints the bot's answer`);
  for (const route of ROUTES) out(`  ${curl(stack.url, route.method, route.path, route.handler, env)}`);
  return lines.join("\n");
}

function curl(url: string, method: string, path: string, handler: string, env: Readonly<Record<string, string>>): string {
  const target = `${url}${path.replace("{id}", "$TICKET_ID")}`;
  if (handler === "health") return `curl -s ${target}`;
  if (handler === "meta" && method === "GET") {
    return `curl -s '${target}?hub.mode=subscribe&hub.verify_token=${env[LOCAL_SECRET_ENV.metaVerifyToken] ?? ""}&hub.challenge=12345'`;
  }
  if (handler !== "api") return `npm run send -- ${handler} "/tickets"      # ${method} ${path} needs a signature: send signs it`;
  const role = path.startsWith("/api/exports") ? "ADMIN" : method === "GET" ? "VIEWER" : "AGENT";
  const auth = `-H "authorization: Bearer $${role}_TOKEN"`;
  if (path === "/api/exports") return `curl -s -X POST ${auth} -H 'content-type: application/json' -d '{"from":"2026-11-01","to":"2026-11-22"}' ${target}`;
  if (path.endsWith("/messages")) return `curl -s -X POST ${auth} -H 'content-type: application/json' -d '{"text":"We are on it"}' ${target}`;
  if (method === "PATCH") return `curl -s -X PATCH ${auth} -H 'content-type: application/json' -d '{"status":"closed"}' ${target}`;
  if (path.startsWith("/api/exports/")) return `curl -s ${auth} ${target.replace("$TICKET_ID", "$EXPORT_ID")}${path.endsWith("/download") ? " | gunzip | head" : ""}`;
  return `curl -s ${auth} "${target}${path === "/api/tickets" ? "?status=open" : ""}"`;
}
