/**
 * The offline policy gate:
 *   npm run plan  -- --stack <stack> [--json|--sarif] [--policy-pack-config FILE] [--export FILE [--show-secrets]]
 *   npm run audit -- --file state.json [--stack <stack>] [--json|--sarif] [--policy-pack-config FILE]
 * Exit codes: 0 clean (advisory findings allowed), 1 a mandatory violation, 2 bad usage, an
 * unreadable or malformed file, bad config, or a failure of the gate itself — always one line on
 * stderr naming the flag, file or key, never a stack trace.
 */
import { parseArgs } from "node:util";
import type { EngineLog } from "./engineServer";
import { GateError, oneLine, UsageError } from "./errors";
import { openPackSession, type PackSession } from "./judge";
import { exitCodeFor } from "./outcome";
import { auditPass, planPasses } from "./passes";
import { type GateResult, toJson, toSarif, toText } from "./report";
import { checkStack, requirePolicyConfig, stackList } from "./stacks";
import { writeStackExport } from "./exportFile";
import { stackConfigOf } from "./targets";

interface Options {
  readonly command: "plan" | "audit";
  readonly help: boolean;
  readonly stack?: string;
  readonly file?: string;
  readonly format: "text" | "json" | "sarif";
  readonly configFile?: string;
  /** plan: where to write the state `up` would leave, as `pulumi stack export` writes it. */
  readonly exportFile?: string;
  readonly showSecrets: boolean;
}

export function usage(projectDir?: string): string {
  return `usage:
  npm run plan  -- --stack <stack> [--json|--sarif] [--policy-pack-config FILE] [--export FILE [--show-secrets]]
  npm run audit -- --file state.json [--stack <stack>] [--json|--sarif] [--policy-pack-config FILE]

plan   runs the program offline as a first \`pulumi preview\` (values not created yet are unknown) and
       as \`pulumi up\`, and judges both with the policy pack over the analyzer protocol
       --export FILE writes the state that \`up\` leaves as \`pulumi stack export\` would (deployment v3),
       secrets encrypted with a throwaway key; --show-secrets writes them in plain text instead
audit  judges a \`pulumi stack export\` file (deployment version 3) the way the engine judges a state

stacks:  ${stackList(", ", projectDir)} (any Pulumi.<stack>.yaml; policy config policypacks/security/config.<stack>.json)
output:  text on a terminal, --json for scripts, --sarif for code-scanning UIs
exit:    0 no mandatory violation, 1 a mandatory violation, 2 bad usage, file or config
help:    --help (or -h) prints this`;
}

const HINT = "(--help for usage)";
const noop = (): void => undefined;

export function parseOptions(argv: readonly string[]): Options {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h") return { command: "plan", help: true, format: "text", showSecrets: false };
  if (command !== "plan" && command !== "audit") throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}: expected plan or audit ${HINT}`);
  let values: { stack?: string; file?: string; json?: boolean; sarif?: boolean; help?: boolean; "policy-pack-config"?: string; export?: string; "show-secrets"?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        stack: { type: "string" },
        file: { type: "string" },
        json: { type: "boolean" },
        sarif: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        "policy-pack-config": { type: "string" },
        export: { type: "string" },
        "show-secrets": { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // node:util's messages go on with advice about positionals: the first sentence names the flag.
    throw new UsageError(`${((err as Error).message.split(/\.\s/)[0] ?? "bad arguments").replace(/\.$/, "")} ${HINT}`);
  }
  if (values.help) return { command, help: true, format: "text", showSecrets: false };
  if (values.json && values.sarif) throw new UsageError(`--json and --sarif are exclusive: pick one output format ${HINT}`);
  if (command === "plan") {
    if (values.stack === undefined) throw new UsageError(`plan needs --stack <stack> (${stackList("|")}) ${HINT}`);
    if (values.file !== undefined) throw new UsageError("--file belongs to audit; plan runs the program itself");
    if (values.export === "") throw new UsageError(`--export needs a file name ${HINT}`);
    if (values["show-secrets"] && values.export === undefined) throw new UsageError(`--show-secrets only applies to --export FILE ${HINT}`);
  }
  if (command === "audit") {
    if (values.file === undefined) throw new UsageError(`audit needs --file <pulumi stack export file> ${HINT}`);
    if (values.export !== undefined || values["show-secrets"]) throw new UsageError(`--export and --show-secrets belong to plan: audit reads a state, it writes none ${HINT}`);
  }
  return {
    command,
    help: false,
    stack: values.stack,
    file: values.file,
    format: values.json ? "json" : values.sarif ? "sarif" : "text",
    configFile: values["policy-pack-config"],
    exportFile: values.export,
    showSecrets: values["show-secrets"] === true,
  };
}

export interface GateHooks {
  /** Called with the pack's process id as soon as it runs. */
  readonly onPackStart?: (pid: number) => void;
  /** Where Pulumi.yaml and the stack files are read from (default: this repository). */
  readonly projectDir?: string;
  /** The policy pack to run (default: policypacks/security). */
  readonly packDir?: string;
}

/** Runs the gate and returns the exit code; output goes to the given streams. */
export async function runGate(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, isTty: boolean, hooks: GateHooks = {}): Promise<number> {
  let session: Promise<PackSession> | undefined;
  try {
    const options = parseOptions(argv);
    if (options.help) {
      out.write(`${usage(hooks.projectDir)}\n`);
      return 0;
    }
    // Any stack set up in the project (checked before any process starts); its policy config must exist.
    if (options.stack !== undefined) checkStack(options.stack, hooks.projectDir);
    const configFileFor = (stack: string) => options.configFile ?? requirePolicyConfig(stack);
    const onLog = (log: EngineLog) => {
      if (log.severity !== "debug") err.write(`policy pack ${log.severity}: ${log.message}${log.urn ? ` (${log.urn})` : ""}\n`);
    };
    let markSpawned!: () => void;
    const spawned = new Promise<void>((resolve) => (markSpawned = resolve));
    const open = () => (session ??= openPackSession({ onLog, onStart: hooks.onPackStart, onSpawn: markSpawned, packDir: hooks.packDir }));
    let result: GateResult;
    if (options.command === "plan") {
      const stack = options.stack as string;
      // A stack file that cannot be read fails here, before any process starts (reading it loads no Pulumi).
      stackConfigOf(stack, hooks.projectDir);
      const configFile = configFileFor(stack);
      // The pack starts while the program loads and runs: both take a second or more, neither needs
      // the other. Loading the program blocks this thread, so the pack's process is started first.
      open().catch(() => undefined);
      await Promise.race([spawned, open().then(noop, noop)]);
      result = await planPasses(open(), { stack, configFile, projectDir: hooks.projectDir });
      if (options.exportFile !== undefined) {
        const written = writeStackExport(options.exportFile, result.resources, options.showSecrets ? "plaintext" : "encrypted");
        err.write(`${written}\n`);
      }
    } else {
      result = await auditPass(open, { file: options.file as string, stack: options.stack, projectDir: hooks.projectDir, configFileFor });
    }
    const color = isTty && !process.env.NO_COLOR;
    out.write(`${options.format === "json" ? toJson(result) : options.format === "sarif" ? toSarif(result) : toText(result, color)}\n`);
    return exitCodeFor(result.outcome.violations);
  } catch (error) {
    // Every failure is exit 2 and one line: 1 means a mandatory violation and nothing else.
    err.write(`${error instanceof GateError ? oneLine(error.message) : `gate failed: ${oneLine(error instanceof Error ? error.message : String(error))}`}\n`);
    return 2;
  } finally {
    // The pack process is stopped whatever happened above.
    await session?.then(
      (s) => s.close(),
      () => undefined,
    );
  }
}

/** The command line: `run.cjs` (npm run plan / audit) calls this, and so does `tsx cli.ts`. */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  // An error the program leaves unobserved (a rejected promise in an apply) ends the run the same
  // way: one line, exit 2; the pack is killed by packProcess's exit hook.
  const fail = (error: unknown) => {
    process.stderr.write(`gate failed: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(2);
  };
  process.on("unhandledRejection", fail);
  process.on("uncaughtException", fail);
  void runGate(argv, process.stdout, process.stderr, process.stdout.isTTY === true).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
