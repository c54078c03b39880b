import * as pulumi from "@pulumi/pulumi";
import { loadSettings, type Settings } from "../../infra/config";
import { botfleet, type StackOutputs } from "../../infra/program";
import { mockCall, type MockContext, mockState } from "./mockState";
import { type RawConfig, readStackConfigWithSecrets } from "./stackConfig";

/** One resource the program registered, as the engine would have seen it. */
export interface RegisteredResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Inputs as the provider receives them (provider resources' non-string inputs are JSON strings). */
  readonly inputs: Record<string, unknown>;
  /** Inputs as sent over the wire: secrets still wrapped in Pulumi's secret signature. */
  readonly wireInputs: unknown;
  /** URN of the provider resource this custom resource uses (undefined for components). */
  readonly provider?: string;
  readonly parent?: string;
  readonly custom: boolean;
  readonly protect: boolean;
  /** URNs this resource explicitly depends on (dependsOn and input dependencies). */
  readonly dependencies: readonly string[];
}

export interface MockRun<T> {
  readonly stack: string;
  readonly settings: Settings;
  readonly resources: readonly RegisteredResource[];
  /** What the build returned, its Output properties resolved. */
  readonly outputs: T;
}

export type Resolved<T> = { [K in keyof T]: T[K] extends pulumi.Output<infer U> ? U : T[K] };

export type ProgramRun = MockRun<Resolved<StackOutputs>>;

export interface RunOptions {
  /** Config to change for this run: a value replaces, undefined removes the key. */
  readonly overrides?: Readonly<Record<string, string | undefined>>;
  /** Config to use instead of Pulumi.<stack>.yaml (for audit of another project, or tests). */
  readonly config?: RawConfig;
}

const PROJECT = "botfleet";

/**
 * Runs the whole program for one stack under `pulumi.runtime.setMocks` with the config of that
 * stack's real Pulumi.<stack>.yaml (plus Pulumi.yaml defaults), and returns every resource it
 * registered. Runs are serialised: the Pulumi runtime keeps global state.
 */
export function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
  return runUnderMocks(stack, botfleet, options);
}

/**
 * The same for any part of the program: `build` gets the stack's settings (tests of single
 * components build just those, with `createProviders(settings)`); every resource it registers is
 * recorded the same way.
 */
export function runUnderMocks<T extends object>(
  stack: string,
  build: (settings: Settings) => T,
  options: RunOptions = {},
): Promise<MockRun<Resolved<T>>> {
  const run = queue.then(() => runOnce(stack, build, options));
  queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

let queue: Promise<void> = Promise.resolve();

async function runOnce<T extends object>(
  stack: string,
  build: (settings: Settings) => T,
  options: RunOptions,
): Promise<MockRun<Resolved<T>>> {
  const stackConfig = readStackConfigWithSecrets(stack);
  const config: RawConfig = { ...(options.config ?? stackConfig.values) };
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) delete config[key];
    else config[key] = value;
  }

  const ctx: MockContext = {
    region: config["aws:region"] ?? "us-east-1",
    accountId: firstAccount(config["aws:allowedAccountIds"]) ?? "000000000000",
    gcpProject: config["gcp:project"] ?? "unknown-project",
  };

  const resources: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.custom ? mockState(args, ctx) : {} }),
      call: (args) => mockCall(args.token, args.inputs as Record<string, unknown>, ctx),
    },
    PROJECT,
    stack,
    false,
  );
  recordRegistrations(resources);
  pulumi.runtime.setAllConfig(config, [...stackConfig.secretKeys]);

  // Settings are read inside the run so config errors surface from here, as they would at `pulumi up`.
  let settings: Settings | undefined;
  let built: T | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    settings = loadSettings();
    built = build(settings);
    return {};
  });
  await pulumi.runtime.disconnect();
  if (!settings || !built) throw new Error("program did not run");

  return {
    stack,
    settings,
    outputs: await resolveOutputs(built),
    resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
}

/** Wraps the mock monitor to see what MockResourceArgs leaves out: URN and parent. */
function recordRegistrations(into: RegisteredResource[]): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): Promise<void>;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    original(req, (err, res) => {
      if (!err && res) {
        into.push({
          urn: res.getUrn(),
          type: req.getType(),
          name: req.getName(),
          inputs: pulumi.runtime.deserializeProperties(req.getObject()) as Record<string, unknown>,
          wireInputs: req.getObject().toJavaScript(),
          provider: req.getProvider() ? req.getProvider().split("::").slice(0, -1).join("::") : undefined,
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          protect: req.getProtect() === true,
          dependencies: req.getDependenciesList(),
        });
      }
      callback(err, res);
    });
}

async function resolveOutputs<T extends object>(outputs: T): Promise<Resolved<T>> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    resolved[key] = pulumi.Output.isInstance(value) ? await outputValue(value) : value;
  }
  return resolved as Resolved<T>;
}

function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

function firstAccount(value: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(value ?? "[]") as unknown;
    return Array.isArray(parsed) && typeof parsed[0] === "string" ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}
