import { parseArgs } from "node:util";
import { UsageError } from "./errors";
import { stackList } from "./stacks";

/** The gate's command line, parsed and checked (no Pulumi, no gRPC: the pack is started after this alone). */
export interface Options {
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
