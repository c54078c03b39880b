import * as fs from "node:fs";
import type * as Zod from "zod";
import { PackConfigError } from "./errors";

export { PackConfigError } from "./errors";

/**
 * A `--policy-pack-config` file: { "<policy>": "<level>" | { "enforcementLevel"?: "<level>", ...props } },
 * plus "all": "<level>" for every policy. Read and merged the way the engine does
 * (pulumi/pulumi pkg/resource/analyzer/config.go: parsePolicyPackConfig, ReconcilePolicyPackConfig),
 * and stricter in one way: a policy or property the pack does not have is an error, so a typo fails
 * the gate instead of silently configuring nothing.
 */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicyConfigEntry {
  readonly enforcementLevel?: EnforcementLevel;
  readonly properties: Readonly<Record<string, unknown>>;
}

export type PackConfig = ReadonlyMap<string, PolicyConfigEntry>;

/** What the gate knows of a policy: its name, default level and config schema (JSON Schema). */
export interface PolicyShape {
  readonly name: string;
  readonly enforcementLevel?: string;
  readonly configSchema?: { readonly properties?: Readonly<Record<string, PropertySchema>>; readonly required?: readonly string[] };
}

export interface PropertySchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly default?: unknown;
  readonly [keyword: string]: unknown;
}

/** The config each policy runs with: a level and properties, for every policy of the pack. */
export type ReconciledConfig = ReadonlyMap<string, { readonly enforcementLevel: EnforcementLevel; readonly properties: Readonly<Record<string, unknown>> }>;

export function readPackConfig(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new PackConfigError(`cannot read policy config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // The engine accepts an empty file as "no config".
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PackConfigError(`policy config ${file} is not JSON: ${(err as Error).message}`);
  }
}

/** Validates a parsed config file; every problem names the file and the key. */
export function parsePackConfig(raw: unknown, policies: readonly PolicyShape[], file: string): PackConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new PackConfigError(`${file}: must be a JSON object keyed by policy name`);
  const known = new Map(policies.map((p) => [p.name, p]));
  const problems: string[] = [];
  const config = new Map<string, PolicyConfigEntry>();
  for (const [key, value] of Object.entries(raw)) {
    if (key === "all") {
      if (!isLevel(value)) problems.push(`${file}: "all" must be one of ${ENFORCEMENT_LEVELS.join(", ")}`);
      else config.set("all", { enforcementLevel: value, properties: {} });
      continue;
    }
    if (key === "environments") {
      problems.push(`${file}: "environments" (Pulumi ESC) cannot be resolved offline: put the values in the file`);
      continue;
    }
    const policy = known.get(key);
    if (!policy) {
      problems.push(`${file}: "${key}" is not a policy of this pack`);
      continue;
    }
    if (typeof value === "string") {
      if (isLevel(value)) config.set(key, { enforcementLevel: value, properties: {} });
      else problems.push(`${file}: "${key}" must be an enforcement level (${ENFORCEMENT_LEVELS.join(", ")}), got "${value}"`);
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${file}: "${key}" must be an enforcement level or an object`);
      continue;
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
      problems.push(`${file}: "${key}.enforcementLevel" must be one of ${ENFORCEMENT_LEVELS.join(", ")}`);
    }
    problems.push(...propertyProblems(policy, properties).map((p) => `${file}: "${key}.${p}`));
    config.set(key, { ...(isLevel(enforcementLevel) ? { enforcementLevel } : {}), properties });
  }
  if (problems.length > 0) throw new PackConfigError(problems.join("\n"));
  return config;
}

/**
 * The config the engine hands the pack's Configure: each policy's schema defaults and its own level,
 * then the pack's initial config, then the file ("all" first within each layer), validated as a
 * whole against each policy's schema (so a required property may come from any layer).
 */
export function reconcilePackConfig(policies: readonly PolicyShape[], initial: PackConfig, fromFile: PackConfig, file = "policy config"): ReconciledConfig {
  const result = new Map<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>();
  for (const policy of policies) {
    const defaults: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(policy.configSchema?.properties ?? {})) if ("default" in schema) defaults[name] = schema.default;
    result.set(policy.name, { enforcementLevel: isLevel(policy.enforcementLevel) ? policy.enforcementLevel : "mandatory", properties: defaults });
  }
  for (const layer of [initial, fromFile]) {
    const all = layer.get("all")?.enforcementLevel;
    if (all) for (const entry of result.values()) entry.enforcementLevel = all;
    for (const [name, given] of layer) {
      const entry = result.get(name);
      if (name === "all" || !entry) continue;
      if (given.enforcementLevel) entry.enforcementLevel = given.enforcementLevel;
      Object.assign(entry.properties, given.properties);
    }
  }
  const problems: string[] = [];
  for (const policy of policies) {
    const properties = result.get(policy.name)?.properties ?? {};
    for (const required of policy.configSchema?.required ?? []) {
      if (!(required in properties)) problems.push(`${file}: "${policy.name}.${required}" is required`);
    }
    problems.push(...propertyProblems(policy, properties).map((p) => `${file}: "${policy.name}.${p}`));
  }
  if (problems.length > 0) throw new PackConfigError(problems.join("\n"));
  return result;
}

function propertyProblems(policy: PolicyShape, properties: Record<string, unknown>): string[] {
  const schema = policy.configSchema?.properties ?? {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(properties)) {
    const property = schema[name];
    if (!property) {
      problems.push(`${name}" is not a config property of this policy (known: ${Object.keys(schema).join(", ") || "none"})`);
      continue;
    }
    const types = property.type === undefined ? [] : [property.type].flat();
    if (types.length > 0 && !types.some((t) => matchesType(value, t))) problems.push(`${name}" must be ${types.map((t) => `${/^[aeiou]/.test(t) ? "an" : "a"} ${t}`).join(" or ")}`);
    else if (property.enum && !property.enum.includes(value)) problems.push(`${name}" must be one of ${property.enum.map((v) => JSON.stringify(v)).join(", ")}`);
    else if (property.pattern && typeof value === "string" && !new RegExp(property.pattern).test(value)) problems.push(`${name}" must match ${property.pattern}`);
    else {
      // Every other JSON Schema keyword (minimum, items, ...), as the engine's validator checks them.
      const issue = validatorFor(property).safeParse(value).error?.issues[0];
      if (issue) problems.push(`${[name, ...issue.path.map(String)].join(".")}" ${issue.message}`);
    }
  }
  return problems;
}

const validators = new WeakMap<object, Zod.ZodType>();
function validatorFor(schema: PropertySchema): Zod.ZodType {
  let validator = validators.get(schema);
  if (!validator) {
    // Required when first needed: `plan` starts the pack before it reads any policy config, and
    // loading zod is a tenth of a second spent before that start otherwise.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { z } = require("zod") as typeof Zod;
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    validators.set(schema, validator);
  }
  return validator;
}

function matchesType(value: unknown, type: string): boolean {
  if (type === "integer") return Number.isInteger(value);
  if (type === "number") return typeof value === "number";
  if (type === "array") return Array.isArray(value);
  if (type === "null") return value === null;
  if (type === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  return typeof value === type;
}

function isLevel(value: unknown): value is EnforcementLevel {
  return (ENFORCEMENT_LEVELS as readonly unknown[]).includes(value);
}
