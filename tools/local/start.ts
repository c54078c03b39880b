/**
 * `npm start [-- --fresh] [--data-dir DIR]`: the local stack on 127.0.0.1:${PORT:-8787} until Ctrl-C.
 * Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 1 when it cannot start, 2 for bad usage
 * or bad configuration (flag, PORT, a setting, a corrupt settings file), 3 when another stack runs
 * on the same data directory.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROLES, type Role } from "../../runtime/auth/roles";
import { ENV } from "../../runtime/env";
import { ConfigError } from "../../runtime/errors";
import { banner, ENV_FILE, shellExports } from "./banner";
import { DataDirInUseError } from "./dataDirLock";
import { startLocalStack } from "./localStack";
import { mintLocalToken } from "./tokens";

export const START_USAGE = "usage: npm start [-- --fresh] [--data-dir DIR]   (PORT=<1-65535> to change the port, default 8787)";
const HELP = `${START_USAGE}

Runs botfleet on 127.0.0.1 with no cloud account: embedded DynamoDB, a GCS JSON-API server and
stand-ins for the platforms' APIs, until Ctrl-C. State (settings, table, archive objects) is kept in
the data directory (default .local/ in the current directory) between runs.

  --fresh           wipe the data directory first: new secrets, keys, an empty table and archive
  --data-dir DIR    keep state in DIR instead of .local/ (one running stack per data directory)
  -h, --help        this text

Exit codes: 0 stopped with Ctrl-C or SIGTERM, 1 could not start, 2 bad usage or configuration,
3 another local stack runs on the same data directory.`;

export interface StartOptions {
  readonly port: number;
  readonly fresh: boolean;
  /** Absolute; undefined = <cwd>/.local */
  readonly dataDir?: string;
}

/** Parses argv and PORT; "help" asks for the help text, a string is a usage error to print before exiting 2. */
export function parseStartOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): StartOptions | "help" | string {
  let fresh = false;
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--fresh") fresh = true;
    else if (arg === "--data-dir") {
      const value = argv[i + 1];
      if (value === undefined || value === "" || value.startsWith("-")) return `--data-dir needs a directory\n${START_USAGE}`;
      dataDir = resolve(cwd, value);
      i++;
    } else return `unknown argument "${arg}"\n${START_USAGE}`;
  }
  const raw = env.PORT;
  const withDir = dataDir === undefined ? {} : { dataDir };
  if (raw === undefined || raw === "") return { port: 8787, fresh, ...withDir };
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) return `PORT must be a whole number from 1 to 65535, got "${raw}"\n${START_USAGE}`;
  return { port: Number(raw), fresh, ...withDir };
}

/** One line and an exit code for what stops a start: never a stack trace. */
export function startFailure(error: unknown, port: number): { code: number; message: string } {
  if (error instanceof DataDirInUseError) return { code: 3, message: `npm start: ${error.message}` };
  if (error instanceof ConfigError) return { code: 2, message: `npm start: bad configuration: ${error.message}` };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") return { code: 1, message: `npm start: port ${port} on 127.0.0.1 is in use by another program: start with PORT=<another port> npm start` };
  if (code === "EACCES") return { code: 1, message: `npm start: not allowed to listen on port ${port}: use a port above 1023 (PORT=8787)` };
  return { code: 1, message: `npm start failed: ${error instanceof Error ? error.message : String(error)}` };
}

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2), process.env);
  if (options === "help") {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  if (typeof options === "string") {
    process.stderr.write(`${options}\n`);
    process.exit(2);
  }
  let stack;
  try {
    // Slack and Meta replies go out through the outbox, every minute when deployed; here every 2 s.
    stack = await startLocalStack({ port: options.port, fresh: options.fresh, outboxEveryMs: 2000, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) });
  } catch (error) {
    const failure = startFailure(error, options.port);
    process.stderr.write(`${failure.message}\n`);
    process.exit(failure.code);
  }
  const standInSeen = new Set<number>();
  const tokens: Partial<Record<Role, string>> = {};
  const key = stack.settings.tokenKey;
  if (key !== undefined) {
    const env = stack.settings.env;
    for (const role of ROLES) {
      tokens[role] = await mintLocalToken(key, { issuer: env[ENV.authIssuer] ?? "", audience: env[ENV.authAudience] ?? "", rolesClaim: env[ENV.authRolesClaim] ?? "roles", role });
    }
  }
  const envFile = join(stack.dataDir, ENV_FILE);
  writeFileSync(envFile, `${shellExports(stack, tokens).join("\n")}\n`, { mode: 0o600 });
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
    rmSync(envFile, { force: true });
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
