import * as path from "node:path";
import type * as RunUnderMocks from "../program/runUnderMocks";
import type { GateResource } from "./resources";
import { readStackExport } from "./stackExport";

export const STACKS = ["dev", "prod"] as const;

/** Bad flags or input the user must fix (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The program itself failed (a bug, not the user's config): exit 2, but no usage text. */
export class ProgramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgramError";
  }
}

/** What the gate judges: a stack's resources, and the file a finding points at. */
export interface Target {
  readonly stack: string;
  readonly resources: readonly GateResource[];
  readonly artifact: string;
}

/** plan: the program under Pulumi mocks with Pulumi.<stack>.yaml's config. */
export async function planTarget(stack: string): Promise<Target> {
  // Required here so audit never pays for loading the program and its providers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runProgram } = require("../program/runUnderMocks") as typeof RunUnderMocks;
  let run: Awaited<ReturnType<typeof runProgram>>;
  try {
    run = await runProgram(stack);
  } catch (err) {
    // A config problem is the user's to fix (exit 2, naming the key); anything else is a program bug.
    if (err instanceof Error && err.name === "ConfigError") {
      throw new UsageError(`the program refused stack ${stack}'s config (Pulumi.${stack}.yaml): ${err.message}`);
    }
    throw new ProgramError(`the program failed for stack ${stack} under mocks, so there is nothing to judge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  return {
    stack,
    artifact: `Pulumi.${stack}.yaml`,
    resources: run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, provider: r.provider, parent: r.parent })),
  };
}

/** audit: a `pulumi stack export` file; the stack comes from --stack or from the URNs. */
export function auditTarget(file: string, stackFlag: string | undefined): Target {
  const exported = readStackExport(file);
  const stack = stackFlag ?? exported.stack;
  if (stack === undefined || !(STACKS as readonly string[]).includes(stack)) {
    throw new UsageError(`${file} belongs to stack ${JSON.stringify(exported.stack ?? null)}: pass --stack ${STACKS.join("|")} to pick the policy config`);
  }
  return { stack, resources: exported.resources, artifact: path.relative(process.cwd(), path.resolve(file)) || file };
}
