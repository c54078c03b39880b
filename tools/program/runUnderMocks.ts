import * as pulumi from "@pulumi/pulumi";
import { loadSettings, type Settings } from "../../infra/config";
import { botfleet, type StackOutputs } from "../../infra/program";
import { withAssetHashes } from "./assetHashes";
import { type ApiZone, freshZone } from "./cloudflareStandIn";
import type { CloudStandIn } from "./cloudStandIn";
import { mockCall, type MockContext, mockId, mockState } from "./mockState";
import { type RawConfig, readStackConfigWithSecrets } from "./stackConfig";

/** One resource the program registered, as the engine would have seen it. */
export interface RegisteredResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Inputs as the provider receives them (provider resources' non-string inputs are JSON strings). */
  readonly inputs: Record<string, unknown>;
  /**
   * Inputs as sent over the wire: secrets still wrapped in Pulumi's secret signature and, in a
   * preview, values not known yet as the unknown sentinel (tools/gate/engineEncoding.ts).
   */
  readonly wireInputs: unknown;
  /**
   * What the engine records as the resource's outputs, in the same wire encoding: the provider's
   * answer (the mocks' state) for a custom resource, the registered outputs for a component.
   */
  readonly wireOutputs: Record<string, unknown>;
  /** The id the provider assigned (undefined in a preview: nothing exists yet). */
  readonly id?: string;
  /** URN of the provider resource this custom resource uses (undefined for components). */
  readonly provider?: string;
  readonly parent?: string;
  readonly custom: boolean;
  readonly protect: boolean;
  /** URNs this resource explicitly depends on (dependsOn and input dependencies). */
  readonly dependencies: readonly string[];
  /** Input property → URNs its value came from. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

export interface MockRun<T> {
  readonly stack: string;
  readonly settings: Settings;
  /** Every resource the program registered, except the root stack resource. */
  readonly resources: readonly RegisteredResource[];
  /** The root `pulumi:pulumi:Stack` resource the engine registers for the run. */
  readonly stackResource?: RegisteredResource;
  /** Whether this was a preview (outputs of resources not yet created are unknown). */
  readonly preview: boolean;
  /** What the build returned, its Output properties resolved (undefined where not known in a preview). */
  readonly outputs: T;
}

export type Resolved<T> = { [K in keyof T]: T[K] extends pulumi.Output<infer U> ? U : T[K] };

export type ProgramRun = MockRun<Resolved<StackOutputs>>;

export interface RunOptions {
  /** Config to change for this run: a value replaces, undefined removes the key. */
  readonly overrides?: Readonly<Record<string, string | undefined>>;
  /** Config to use instead of Pulumi.<stack>.yaml (for audit of another project, or tests). */
  readonly config?: RawConfig;
  /** Where Pulumi.yaml and Pulumi.<stack>.yaml are read from (default: this repository). */
  readonly projectDir?: string;
  /**
   * Run as a first `pulumi preview` does: nothing exists yet, so ids and every attribute the cloud
   * computes are unknown, and so is everything the program derives from them.
   */
  readonly preview?: boolean;
  /**
   * Skip the SDK's per-promise and per-resource stack traces (and source-map lookups) during the
   * run: about half of a run's time goes into traces the offline gate never shows. Errors still
   * carry their messages.
   */
  readonly lean?: boolean;
  /** The Cloudflare zone as its API would answer (default: a fresh zone matching the stack's config). */
  readonly cloudflareZone?: (fresh: ApiZone) => ApiZone;
  /** Called as each resource's registration completes, in order (the engine analyzes it then). */
  readonly onRegister?: (resource: RegisteredResource) => void;
  /**
   * The clouds across deployments (tools/program/cloudStandIn.ts): every create is checked against
   * the names it holds, and auto-names get a fresh random part, as a new deployment would.
   */
  readonly cloud?: CloudStandIn;
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
  const stackConfig = readStackConfigWithSecrets(stack, options.projectDir);
  const config: RawConfig = { ...(options.config ?? stackConfig.values) };
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) delete config[key];
    else config[key] = value;
  }

  const cloud = options.cloud;
  const ctx: MockContext = {
    region: config["aws:region"] ?? "us-east-1",
    accountId: firstAccount(config["aws:allowedAccountIds"]) ?? "000000000000",
    gcpProject: config["gcp:project"] ?? "unknown-project",
    ...(cloud ? { autoNameSuffix: cloud.autoNameSuffix } : {}),
    cloudflareZone: (options.cloudflareZone ?? ((zone) => zone))(freshZone(config)),
  };

  const preview = options.preview === true;
  const resources: RegisteredResource[] = [];
  const createFailures: unknown[] = [];
  await pulumi.runtime.setMocks(
    {
      // In a preview nothing has been created: no id (the SDK then resolves it as unknown).
      newResource: (args) => {
        const state = args.custom ? mockState(args, ctx, preview) : {};
        if (cloud && args.custom && !preview) {
          try {
            cloud.create(args.type, state);
          } catch (error) {
            // Reported when the run ends, as `pulumi up` reports a failed create (thrown here, the
            // mock monitor would leave the run waiting for the resource for ever).
            createFailures.push(error);
          }
        }
        return { id: preview ? undefined : mockId(args, state), state };
      },
      call: (args) => mockCall(args.token, args.inputs as Record<string, unknown>, ctx),
    },
    PROJECT,
    stack,
    preview,
  );
  recordRegistrations(resources, options.onRegister);
  pulumi.runtime.setAllConfig(config, [...stackConfig.secretKeys]);

  const restoreTraces = options.lean ? withoutTraces() : () => undefined;
  // Settings are read inside the run so config errors surface from here, as they would at `pulumi up`.
  // Whatever the program throws is kept and rethrown after the run: thrown inside the stack's
  // initialisation it would otherwise also reject a promise nobody awaits, and crash the process.
  let settings: Settings | undefined;
  let built: T | undefined;
  let failure: { error: unknown } | undefined;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        settings = loadSettings(options.projectDir);
        built = build(settings);
      } catch (error) {
        failure = { error };
      }
      return {};
    });
    await pulumi.runtime.disconnect();
  } finally {
    restoreTraces();
  }
  if (failure) throw failure.error;
  if (createFailures.length > 0) throw createFailures[0];
  if (!settings || !built) throw new Error("program did not run");

  return {
    stack,
    settings,
    preview,
    outputs: await resolveOutputs(built),
    resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
    stackResource: resources.find((r) => r.type === "pulumi:pulumi:Stack"),
  };
}

/**
 * Turns stack capture and source-map lookups off for a run; returns the undo. That includes the
 * source position the SDK gives every registration (Resource.stackTrace raises the trace limit to
 * Infinity and parses a full `new Error().stack`, ~0.4 ms a resource here): it names the program's
 * line in the CLI's output and the analyzer protocol does not carry it. And the debugging labels
 * the SDK puts on each of its internal promises (runtime/debuggable.js: an id, a context and a
 * `new Error().stack`, as non-enumerable properties — a fifth of a warm run here): only a
 * leaked-promise report with PULUMI_DEBUG_PROMISE_LEAKS shows them. Which promises are pending is
 * still tracked, as the SDK does for that report.
 */
function withoutTraces(): () => void {
  const limit = Error.stackTraceLimit;
  const sourceMaps = process.sourceMapsEnabled;
  const resource = pulumi.Resource as unknown as { callsites: () => unknown[] };
  const callsites = Object.getOwnPropertyDescriptor(resource, "callsites");
  const debuggablePromise = debuggable.debuggablePromise;
  Error.stackTraceLimit = 0;
  process.setSourceMapsEnabled(false);
  resource.callsites = () => [];
  debuggable.debuggablePromise = trackedPromise;
  return () => {
    Error.stackTraceLimit = limit;
    process.setSourceMapsEnabled(sourceMaps);
    if (callsites) Object.defineProperty(resource, "callsites", callsites);
    debuggable.debuggablePromise = debuggablePromise;
  };
}

/** The SDK's runtime/debuggable module, whose function its other modules call through the module object. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T> };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeState = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<Promise<unknown>> } };

/** debuggablePromise without its labels: the promise is a leak candidate until it settles, and a failure names it. */
function trackedPromise<T>(promise: Promise<T>): Promise<T> {
  const candidates = runtimeState.getStore().leakCandidates;
  candidates.add(promise);
  return promise.then(
    (value) => {
      candidates.delete(promise);
      return value;
    },
    (error: unknown) => {
      candidates.delete(promise);
      if (typeof error === "object" && error !== null) (error as { promise?: unknown }).promise = promise;
      throw error;
    },
  );
}

type WireStruct = Parameters<typeof pulumi.runtime.deserializeProperties>[0];

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
  getObject(): WireStruct;
}

interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): WireStruct;
}

interface OutputsRequest {
  getUrn(): string;
  getOutputs(): WireStruct | undefined;
}

/** What the engine knows of a registration once it has answered it. */
function registration(req: RegisterRequest, res: RegisterResponse): RegisteredResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
  let inputs: Record<string, unknown> | undefined;
  const registered: Omit<RegisteredResource, "inputs"> = {
    urn: res.getUrn(),
    type: req.getType(),
    name: req.getName(),
    // The engine hashes every asset and archive as it unmarshals the registration (assetHashes.ts).
    wireInputs: withAssetHashes(req.getObject().toJavaScript(), process.cwd()),
    wireOutputs: withAssetHashes(res.getObject().toJavaScript() as Record<string, unknown>, process.cwd()),
    id: res.getId() || undefined,
    provider: req.getProvider() ? req.getProvider().split("::").slice(0, -1).join("::") : undefined,
    parent: req.getParent() || undefined,
    custom: req.getCustom(),
    protect: req.getProtect() === true,
    dependencies: req.getDependenciesList(),
    propertyDependencies,
  };
  // The SDK's own reading of the inputs, built when first read: the gate reads only the wire form.
  return Object.defineProperty(registered, "inputs", {
    enumerable: true,
    get: () => (inputs ??= pulumi.runtime.deserializeProperties(req.getObject()) as Record<string, unknown>),
  }) as RegisteredResource;
}

/** Wraps the mock monitor to see what MockResourceArgs leaves out: URN, parent, dependencies, outputs. */
function recordRegistrations(into: RegisteredResource[], onRegister?: (resource: RegisteredResource) => void): void {
  const watched = onRegister !== undefined;
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: RegisterResponse) => void): Promise<void>;
    registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, res?: unknown) => void): void;
  };
  const byUrn = new Map<string, RegisteredResource>();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    original(req, (err, res) => {
      let failure = err;
      if (!err && res) {
        try {
          const registered = registration(req, res);
          into.push(registered);
          byUrn.set(registered.urn, registered);
          onRegister?.(registered);
        } catch (error) {
          // As the engine fails a registration whose asset it cannot read (a file that is not there).
          failure = error;
        }
        // The SDK interpolates the whole response into a debug line it then discards (resource.js
        // "RegisterResource RPC finished"); stringifying every Struct is a large share of a run.
        Object.defineProperty(res, "toString", { value: () => "RegisterResourceResponse" });
      }
      const answer = () => (failure ? callback(failure) : callback(null, res));
      // The engine answers a registration over gRPC, in a later turn of the event loop; the mocks
      // answer at once, and a whole run would pass without a turn. Given the turn, whoever analyzes
      // each resource as it registers (the gate's pack, over gRPC) works while the program runs.
      if (watched) setImmediate(answer);
      else answer();
    });
  const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const registered = byUrn.get(req.getUrn());
    if (registered) {
      // A component's (and the stack's) outputs are what it registers; they replace the empty state.
      const updated = { ...registered, wireOutputs: (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown> };
      into[into.indexOf(registered)] = updated;
      byUrn.set(updated.urn, updated);
    }
    originalOutputs(req, callback);
  };
}

async function resolveOutputs<T extends object>(outputs: T): Promise<Resolved<T>> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    resolved[key] = pulumi.Output.isInstance(value) ? await outputValue(value) : value;
  }
  return resolved as Resolved<T>;
}

/** An Output's value; undefined when it is not known (a preview never runs `apply` on those). */
async function outputValue<T>(output: pulumi.Output<T>): Promise<T | undefined> {
  // `isKnown` and `promise()` are the SDK's own (internal) accessors: `apply` would wait forever.
  const internal = output as unknown as { isKnown: Promise<boolean>; promise(): Promise<T> };
  return (await internal.isKnown) ? await internal.promise() : undefined;
}

function firstAccount(value: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(value ?? "[]") as unknown;
    return Array.isArray(parsed) && typeof parsed[0] === "string" ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}
