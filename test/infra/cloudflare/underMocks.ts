import * as pulumi from "@pulumi/pulumi";
import { loadSettings, type Settings } from "../../../infra/config";
import { createProviders, type Providers } from "../../../infra/providers";
import { mockCall, type MockContext, mockState } from "../../../tools/program/mockState";
import { readStackConfigWithSecrets } from "../../../tools/program/stackConfig";

/**
 * Builds single components (not the whole program) under `pulumi.runtime.setMocks`, with a real
 * stack's config and providers, and records what the engine would see, including the resource
 * options runProgram does not report (protect, dependsOn). Shared by the gcp and cloudflare specs.
 */
export interface Registered {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** Inputs as sent over the wire: secrets still wrapped in Pulumi's secret signature. */
  readonly wireInputs: unknown;
  readonly protect: boolean;
  readonly dependencies: readonly string[];
  readonly parent?: string;
  readonly custom: boolean;
}

export interface ComponentRun<T> {
  readonly settings: Settings;
  readonly resources: readonly Registered[];
  /** Whatever `build` returned, with its Output properties resolved. */
  readonly outputs: T;
}

type Resolved<T> = { [K in keyof T]: T[K] extends pulumi.Output<infer U> ? U : T[K] };

export async function buildUnderMocks<T extends object>(
  stack: "dev" | "prod",
  build: (settings: Settings, providers: Providers) => T,
  overrides: Readonly<Record<string, string>> = {},
): Promise<ComponentRun<Resolved<T>>> {
  const stackConfig = readStackConfigWithSecrets(stack);
  const config = { ...stackConfig.values, ...overrides };
  const ctx: MockContext = {
    region: config["aws:region"] ?? "us-east-1",
    accountId: (JSON.parse(config["aws:allowedAccountIds"] ?? '["000000000000"]') as string[])[0] ?? "000000000000",
    gcpProject: config["gcp:project"] ?? "unknown-project",
  };
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.custom ? mockState(args, ctx) : {} }),
      call: (args) => mockCall(args.token, args.inputs as Record<string, unknown>, ctx),
    },
    "botfleet",
    stack,
    false,
  );
  const resources: Registered[] = [];
  record(resources);
  pulumi.runtime.setAllConfig(config, [...stackConfig.secretKeys]);

  let settings: Settings | undefined;
  let built: T | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    settings = loadSettings();
    built = build(settings, createProviders(settings));
    return {};
  });
  await pulumi.runtime.disconnect();
  if (!settings || !built) throw new Error("build did not run");
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(built)) {
    outputs[key] = pulumi.Output.isInstance(value) ? await new Promise((resolve) => value.apply(resolve)) : value;
  }
  return { settings, resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"), outputs: outputs as Resolved<T> };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
}

function record(into: Registered[]): void {
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
          protect: req.getProtect() === true,
          dependencies: req.getDependenciesList(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
        });
      }
      callback(err, res);
    });
}

export function byType(resources: readonly Registered[], type: string): Registered[] {
  return resources.filter((r) => r.type === type);
}

export function oneOf(resources: readonly Registered[], type: string): Registered {
  const found = byType(resources, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0] as Registered;
}

/** The values Pulumi will store encrypted: every secret-wrapped value anywhere in the wire inputs. */
export function secretValues(wire: unknown): unknown[] {
  if (pulumi.runtime.isRpcSecret(wire)) return [pulumi.runtime.unwrapRpcSecret(wire)];
  if (Array.isArray(wire)) return wire.flatMap(secretValues);
  if (typeof wire === "object" && wire !== null) return Object.values(wire).flatMap(secretValues);
  return [];
}
