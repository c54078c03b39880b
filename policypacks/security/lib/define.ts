import type {
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { Props } from "./values";

/**
 * Declaring a policy: a name (verb + resource + property), a description, the resource types it
 * judges, and a check that returns one message per problem. Each message states the expected
 * state and how to get there; the analyzer prefixes it with the description.
 */
export interface ResourceRule {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly types: readonly string[];
  readonly configSchema?: PolicyConfigSchema;
  check(props: Props, args: ResourceValidationArgs): readonly string[];
}

export interface StackRule {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly configSchema?: PolicyConfigSchema;
  check(resources: readonly PolicyResource[], args: StackValidationArgs): readonly StackProblem[];
}

export interface StackProblem {
  readonly urn?: string;
  readonly message: string;
}

/** A resource policy; mandatory unless the pack config says otherwise. */
export function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  const types = new Set(rule.types);
  const validate: ResourceValidation = (args, report) => {
    if (!types.has(args.type)) return;
    for (const message of rule.check(args.props as Props, args)) report(message);
  };
  // One type: let the analyzer skip other resources without calling us (its own fast path).
  if (rule.types.length === 1) (validate as unknown as { __pulumiType: string }).__pulumiType = rule.types[0] as string;
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    severity: rule.severity,
    ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
    validateResource: validate,
  };
}

export function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    severity: rule.severity,
    ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
    validateStack: (args, report) => {
      for (const problem of rule.check(args.resources, args)) report(problem.message, problem.urn);
    },
  };
}

/** Config schema fragments shared by the stack-aware policies. */
export const ENVIRONMENT_SCHEMA: PolicyConfigJSONSchema = { type: "string", enum: ["dev", "prod"] };
export const AWS_ACCOUNT_SCHEMA: PolicyConfigJSONSchema = { type: "string", pattern: "^[0-9]{12}$" };
export const GCP_PROJECT_SCHEMA: PolicyConfigJSONSchema = { type: "string", pattern: "^[a-z][a-z0-9-]{4,28}[a-z0-9]$" };

/** Reads one string property of a policy's config (set per stack with --policy-pack-config). */
export function configString(args: { getConfig<T extends object>(): T }, key: string): string | undefined {
  const value = (args.getConfig<Record<string, unknown>>())[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}
