/**
 * The offline policy gate:
 *   npm run plan  -- --stack dev|prod [--json|--sarif] [--policy-pack-config FILE]
 *   npm run audit -- --file state.json [--stack dev|prod] [--json|--sarif] [--policy-pack-config FILE]
 * Exit codes: 0 clean (advisory findings allowed), 1 a mandatory violation, 2 bad usage, an
 * unreadable file or bad config (the message names the flag, key or file).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { SECURITY_PACK_DIR } from "./buildPack";
import type { EngineLog } from "./engineServer";
import { openPackSession, type PackSession } from "./judge";
import { PackConfigError } from "./packConfig";
import { exitCodeFor, type GateResult, toJson, toSarif, toText } from "./report";
import { StackExportError } from "./stackExport";
import { auditTarget, planTarget, ProgramError, STACKS, type Target, UsageError } from "./targets";

const PROJECT = "botfleet";

interface Options {
  readonly command: "plan" | "audit";
  readonly stack?: string;
  readonly file?: string;
  readonly format: "text" | "json" | "sarif";
  readonly configFile?: string;
}

const USAGE = `usage:
  npm run plan  -- --stack dev|prod [--json|--sarif] [--policy-pack-config FILE]
  npm run audit -- --file state.json [--stack dev|prod] [--json|--sarif] [--policy-pack-config FILE]`;

export function parseOptions(argv: readonly string[]): Options {
  const [command, ...rest] = argv;
  if (command !== "plan" && command !== "audit") throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}: expected plan or audit`);
  let values: { stack?: string; file?: string; json?: boolean; sarif?: boolean; "policy-pack-config"?: string };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        stack: { type: "string" },
        file: { type: "string" },
        json: { type: "boolean" },
        sarif: { type: "boolean" },
        "policy-pack-config": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.json && values.sarif) throw new UsageError("--json and --sarif are exclusive: pick one output format");
  if (values.stack !== undefined && !(STACKS as readonly string[]).includes(values.stack)) {
    throw new UsageError(`--stack must be one of ${STACKS.join(", ")}, got ${JSON.stringify(values.stack)}`);
  }
  if (command === "plan") {
    if (values.stack === undefined) throw new UsageError("plan needs --stack dev|prod");
    if (values.file !== undefined) throw new UsageError("--file belongs to audit; plan runs the program itself");
  }
  if (command === "audit" && values.file === undefined) throw new UsageError("audit needs --file <pulumi stack export file>");
  return {
    command,
    stack: values.stack,
    file: values.file,
    format: values.json ? "json" : values.sarif ? "sarif" : "text",
    configFile: values["policy-pack-config"],
  };
}

/** Runs the gate and returns the exit code; output goes to the given streams. */
export async function runGate(
  argv: readonly string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  isTty: boolean,
  hooks: { onPackStart?: (pid: number) => void } = {},
): Promise<number> {
  let session: Promise<PackSession> | undefined;
  try {
    const options = parseOptions(argv);
    const onLog = (log: EngineLog) => {
      if (log.severity !== "debug") err.write(`policy pack ${log.severity}: ${log.message}${log.urn ? ` (${log.urn})` : ""}\n`);
    };
    const open = () => (session ??= openPackSession({ onLog, onStart: hooks.onPackStart }));
    let target: Target;
    if (options.command === "plan") {
      // The pack starts while the program runs: both take a second or more, neither needs the other.
      open().catch(() => undefined);
      target = await planTarget(options.stack as string);
    } else {
      target = auditTarget(options.file as string, options.stack);
    }
    const configFile = options.configFile ?? path.join(SECURITY_PACK_DIR, `config.${target.stack}.json`);
    const judgement = await (await open()).judge({ stack: target.stack, project: PROJECT, resources: target.resources, configFile });
    const result: GateResult = { stack: target.stack, artifact: target.artifact, resources: target.resources, ...judgement };
    const color = isTty && !process.env.NO_COLOR;
    out.write(`${options.format === "json" ? toJson(result) : options.format === "sarif" ? toSarif(result) : toText(result, color, options.command)}\n`);
    return exitCodeFor(result.violations);
  } catch (error) {
    if (error instanceof UsageError || error instanceof StackExportError || error instanceof PackConfigError || error instanceof ProgramError) {
      err.write(`${error.message}\n${error instanceof UsageError ? `${USAGE}\n` : ""}`);
      return 2;
    }
    err.write(`gate failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  } finally {
    // The pack process is stopped whatever happened above.
    await session?.then(
      (s) => s.close(),
      () => undefined,
    );
  }
}

if (require.main === module) {
  void runGate(process.argv.slice(2), process.stdout, process.stderr, process.stdout.isTTY === true).then((code) => {
    process.exitCode = code;
  });
}
