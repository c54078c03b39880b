/**
 * `npm start [-- --fresh]`: the local stack on 127.0.0.1:${PORT:-8787} until Ctrl-C.
 * Exit codes: 0 after a clean shutdown, 1 when it cannot start, 2 for bad usage (flag or PORT).
 */
import { ROLES, type Role } from "../../runtime/auth/roles";
import { ENV } from "../../runtime/env";
import { banner } from "./banner";
import { startLocalStack } from "./localStack";
import { mintLocalToken } from "./tokens";

const USAGE = "usage: npm start [-- --fresh]   (PORT=<1-65535> to change the port, default 8787)";

export interface StartOptions {
  readonly port: number;
  readonly fresh: boolean;
}

/** Parses argv and PORT; a string is a usage error to print before exiting 2. */
export function parseStartOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): StartOptions | string {
  let fresh = false;
  for (const arg of argv) {
    if (arg === "--fresh") fresh = true;
    else return `unknown argument "${arg}"\n${USAGE}`;
  }
  const raw = env.PORT;
  if (raw === undefined || raw === "") return { port: 8787, fresh };
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) return `PORT must be a whole number from 1 to 65535, got "${raw}"\n${USAGE}`;
  return { port: Number(raw), fresh };
}

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2), process.env);
  if (typeof options === "string") {
    process.stderr.write(`${options}\n`);
    process.exit(2);
  }
  // Slack and Meta replies go out through the outbox, every minute when deployed; here every 2 s.
  const stack = await startLocalStack({ port: options.port, fresh: options.fresh, outboxEveryMs: 2000 });
  const standInSeen = new Set<number>();
  const tokens: Partial<Record<Role, string>> = {};
  const key = stack.settings.tokenKey;
  if (key !== undefined) {
    const env = stack.settings.env;
    for (const role of ROLES) {
      tokens[role] = await mintLocalToken(key, { issuer: env[ENV.authIssuer] ?? "", audience: env[ENV.authAudience] ?? "", rolesClaim: env[ENV.authRolesClaim] ?? "roles", role });
    }
  }
  process.stdout.write(`${banner(stack, tokens)}\n\n`);
  // Outbound replies reach the stand-in: show each one as a log line.
  const timer = setInterval(() => {
    stack.standIn.received.forEach((request, index) => {
      if (standInSeen.has(index)) return;
      standInSeen.add(index);
      process.stdout.write(`${JSON.stringify({ level: "info", message: "stand-in received", platform: request.platform, path: request.path, accepted: request.accepted, body: request.body })}\n`);
    });
  }, 250);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    process.stdout.write(`\n${signal}: stopping the local stack…\n`);
    stack.stop().then(
      () => {
        process.stdout.write("stopped\n");
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
