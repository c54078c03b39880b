import * as fs from "node:fs";

/**
 * A `--policy-pack-config` file: { "<policy>": "<level>" | { "enforcementLevel"?: "<level>", ...props } },
 * plus "all": "<level>" for every policy. Validated against the policies the pack reports
 * (names and config schemas), so a typo fails the gate instead of silently disabling nothing.
 */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicyConfigEntry {
  readonly enforcementLevel?: EnforcementLevel;
  readonly properties: Readonly<Record<string, unknown>>;
}

export type PackConfig = ReadonlyMap<string, PolicyConfigEntry>;

/** What the gate knows of a policy: its name and config schema (JSON Schema subset). */
export interface PolicyShape {
  readonly name: string;
  readonly configSchema?: { readonly properties?: Readonly<Record<string, PropertySchema>>; readonly required?: readonly string[] };
}

export interface PropertySchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
}

export class PackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PackConfigError";
  }
}

export function readPackConfig(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new PackConfigError(`cannot read policy config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
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
  const all = (raw as Record<string, unknown>).all;
  if (isLevel(all)) {
    for (const policy of policies) if (!config.get(policy.name)?.enforcementLevel) config.set(policy.name, { properties: config.get(policy.name)?.properties ?? {}, enforcementLevel: all });
  }
  if (problems.length > 0) throw new PackConfigError(problems.join("\n"));
  return config;
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
    if (property.type && jsonType(value) !== property.type) problems.push(`${name}" must be a ${property.type}`);
    else if (property.enum && !property.enum.includes(value)) problems.push(`${name}" must be one of ${property.enum.map((v) => JSON.stringify(v)).join(", ")}`);
    else if (property.pattern && typeof value === "string" && !new RegExp(property.pattern).test(value)) problems.push(`${name}" must match ${property.pattern}`);
  }
  for (const name of policy.configSchema?.required ?? []) {
    if (!(name in properties)) problems.push(`${name}" is required`);
  }
  return problems;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function isLevel(value: unknown): value is EnforcementLevel {
  return (ENFORCEMENT_LEVELS as readonly unknown[]).includes(value);
}
