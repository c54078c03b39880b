import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../../infra/config";
import { createProviders, type Providers } from "../../../infra/providers";
import { type MockRun, type RegisteredResource, type Resolved, type RunOptions, runUnderMocks } from "../../../tools/program/runUnderMocks";

/**
 * Builds single components (not the whole program) under Pulumi mocks with a real stack's config
 * and providers, recorded by the same harness as runProgram (protect, dependencies and wire inputs
 * included). Shared by the gcp and cloudflare specs.
 */
export type Registered = RegisteredResource;
export type ComponentRun<T> = MockRun<T>;

export function buildUnderMocks<T extends object>(
  stack: "dev" | "prod",
  build: (settings: Settings, providers: Providers) => T,
  overrides: Readonly<Record<string, string>> = {},
  options: Pick<RunOptions, "cloudflareZone" | "preview" | "onRegister"> = {},
): Promise<ComponentRun<Resolved<T>>> {
  return runUnderMocks(stack, (settings) => build(settings, createProviders(settings)), { overrides, ...options });
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
