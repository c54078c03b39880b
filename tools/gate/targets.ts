import * as path from "node:path";
import type * as RunUnderMocks from "../program/runUnderMocks";
import type * as StackConfigModule from "../program/stackConfig";
import { oneLine, ProgramError, StackConfigError, UsageError } from "./errors";
import type { GateResource } from "./resources";
import { readStackExport } from "./stackExport";
import { checkStack, listStacks, stackFile } from "./stacks";

export { ProgramError, UsageError } from "./errors";

/** What the gate judges: a stack's resources, and the file a finding points at. */
export interface Target {
  readonly stack: string;
  readonly resources: readonly GateResource[];
  readonly artifact: string;
}

export interface ProgramTarget extends Target {
  /** Whether the program ran as a first preview (unknowns) or as `up` (everything resolved). */
  readonly preview: boolean;
  /** The stack's config as the engine would hand it to ConfigureStack. */
  readonly stackConfig: { readonly values: Readonly<Record<string, string>>; readonly secretKeys: readonly string[] };
}

export interface PlanOptions {
  /** Where Pulumi.yaml and the stack files are (default: this repository). */
  readonly projectDir?: string;
  /** Run as a first `pulumi preview` (default false: as `pulumi up`). */
  readonly preview?: boolean;
  /** Each resource as soon as the program has registered it (to be analyzed while the program runs). */
  readonly onResource?: (resource: GateResource) => void;
}

/**
 * The stack's config as `pulumi` reads it (Pulumi.yaml defaults under Pulumi.<stack>.yaml). The
 * other stacks' files are read too: the program compares prod's accounts with dev's file, so a
 * malformed one is named here rather than failing the program half-way.
 */
export function stackConfigOf(stack: string, projectDir?: string): ProgramTarget["stackConfig"] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readStackConfigWithSecrets, StackConfigError: ProgramStackConfigError } = require("../program/stackConfig") as typeof StackConfigModule;
  checkStack(stack, projectDir);
  try {
    const config = readStackConfigWithSecrets(stack, projectDir);
    for (const other of listStacks(projectDir)) {
      if (other === stack) continue;
      try {
        readStackConfigWithSecrets(other, projectDir);
      } catch (err) {
        // A stack without its file is simply not set up; only a file that exists must be readable.
        if (!(err instanceof ProgramStackConfigError && /no such file/.test(err.message))) throw err;
      }
    }
    return config;
  } catch (err) {
    if (err instanceof ProgramStackConfigError) throw new StackConfigError(err.message);
    throw err;
  }
}

/**
 * plan: the program under Pulumi mocks with Pulumi.<stack>.yaml's config, as a first preview or as
 * `up`. Every resource comes with what the engine would send: inputs for Analyze, outputs for
 * AnalyzeStack, in the engine's wire encoding (unknowns, secrets), and its dependencies.
 */
export async function planTarget(stack: string, options: PlanOptions = {}): Promise<ProgramTarget> {
  // Required here so audit never pays for loading the program and its providers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runProgram } = require("../program/runUnderMocks") as typeof RunUnderMocks;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { StackConfigError: ProgramStackConfigError } = require("../program/stackConfig") as typeof StackConfigModule;
  const stackConfig = stackConfigOf(stack, options.projectDir);
  let run: Awaited<ReturnType<typeof runProgram>>;
  try {
    run = await runProgram(stack, { projectDir: options.projectDir, preview: options.preview, lean: true, onRegister: options.onResource && ((r) => options.onResource?.(toGateResource(r))) });
  } catch (err) {
    // A config problem is the user's to fix (exit 2, naming the file and key); anything else is a program bug.
    if (err instanceof ProgramStackConfigError) throw new StackConfigError(err.message);
    if (err instanceof Error && err.name === "ConfigError") {
      const problems = (err as Error & { problems?: readonly string[] }).problems ?? [err.message];
      throw new StackConfigError(`${stackFile(stack)}: ${problems.join("; ")}`);
    }
    throw new ProgramError(`the program failed for stack ${stack} under mocks, so there is nothing to judge: ${oneLine(err instanceof Error ? err.message : String(err))}`);
  }
  const registered = run.stackResource ? [run.stackResource, ...run.resources] : run.resources;
  return { stack, artifact: stackFile(stack), preview: run.preview, stackConfig, resources: registered.map(toGateResource) };
}

/** What the engine knows of a registered resource: inputs for Analyze, outputs for AnalyzeStack, its edges. */
export function toGateResource(r: RunUnderMocks.RegisteredResource): GateResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    id: r.id,
    props: r.wireInputs as Record<string, unknown>,
    outputs: r.wireOutputs,
    provider: r.provider,
    parent: r.parent,
    custom: r.custom,
    protect: r.protect,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
  };
}

export interface AuditTarget extends Target {
  /** Secrets the export holds encrypted: their values are unknown to the gate. */
  readonly encryptedSecrets: number;
}

/** audit: a `pulumi stack export` file; the stack comes from --stack or from the URNs. */
export function auditTarget(file: string, stackFlag: string | undefined, projectDir?: string): AuditTarget {
  const exported = readStackExport(file);
  const stack = stackFlag ?? exported.stack;
  if (stack === undefined) throw new UsageError(`${file} names no stack in its URNs: pass --stack <stack> to pick the policy config`);
  // The stack the file's URNs name must be one set up here (its policy config is that stack's).
  checkStack(stack, projectDir, stackFlag === undefined ? `${file}'s stack` : "--stack");
  return { stack, resources: exported.resources, artifact: path.relative(process.cwd(), path.resolve(file)) || file, encryptedSecrets: exported.encryptedSecrets };
}
