/**
 * The offline policy gate:
 *   npm run plan  -- --stack <stack> [--json|--sarif] [--policy-pack-config FILE] [--export FILE [--show-secrets]]
 *   npm run audit -- --file state.json [--stack <stack>] [--json|--sarif] [--policy-pack-config FILE]
 * Exit codes: 0 clean (advisory findings allowed), 1 a mandatory violation, 2 bad usage, an
 * unreadable or malformed file, bad config, or a failure of the gate itself — always one line on
 * stderr naming the flag, file or key, never a stack trace.
 */
import type { EngineLog } from "./engineServer";
import { GateError, oneLine } from "./errors";
import { openPackSession, type PackSession } from "./judge";
import { exitCodeFor } from "./outcome";
import { auditPass, planPasses } from "./passes";
import { type GateResult, toJson, toSarif, toText } from "./report";
import { checkStack, requirePolicyConfig } from "./stacks";
import { parseOptions, usage } from "./options";
import type { PrestartedPack } from "./prestart";
import { writeStackExport } from "./exportFile";
import { stackConfigOf } from "./targets";

const noop = (): void => undefined;

export interface GateHooks {
  /** Called with the pack's process id as soon as it runs. */
  readonly onPackStart?: (pid: number) => void;
  /** Where Pulumi.yaml and the stack files are read from (default: this repository). */
  readonly projectDir?: string;
  /** The policy pack to run (default: policypacks/security). */
  readonly packDir?: string;
  /** The security pack, already started by run.cjs (prestart.ts); stopped if the run never uses it. */
  readonly prestarted?: PrestartedPack;
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
    const open = () => (session ??= openPackSession({ onLog, onStart: hooks.onPackStart, onSpawn: markSpawned, packDir: hooks.packDir, prestarted: hooks.prestarted }));
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
    if (session) {
      await session.then(
        (s) => s.close(),
        () => undefined,
      );
    } else {
      await hooks.prestarted?.discard();
    }
  }
}

/** The command line: `run.cjs` (npm run plan / audit) calls this, and so does `tsx cli.ts`. */
export function main(argv: readonly string[] = process.argv.slice(2), hooks: GateHooks = {}): void {
  // An error the program leaves unobserved (a rejected promise in an apply) ends the run the same
  // way: one line, exit 2; the pack is killed by packProcess's exit hook.
  const fail = (error: unknown) => {
    process.stderr.write(`gate failed: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(2);
  };
  process.on("unhandledRejection", fail);
  process.on("uncaughtException", fail);
  void runGate(argv, process.stdout, process.stderr, process.stdout.isTTY === true, hooks).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
