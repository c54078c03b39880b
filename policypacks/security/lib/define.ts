import type {
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { DECIDED_AT_UP, decide, decideAsync, Deferred, deferralOf, isUnknownRead, type Verdict } from "./unknowns";
import type { Props } from "./values";

/**
 * Declaring a policy: a name (verb + resource + property), a description, the resource types it
 * judges ("all" for guards on every resource's provider), and a check that returns one verdict
 * per problem: a message stating the expected state and how to get there (the analyzer prefixes
 * it with the description), or a deferral (lib/unknowns.ts) for what only `pulumi up` can decide.
 */
export interface ResourceRule {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly types: readonly string[] | "all";
  readonly configSchema?: PolicyConfigSchema;
  check(props: Props, args: ResourceValidationArgs): readonly Verdict[] | Promise<readonly Verdict[]>;
}

export interface StackRule {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly configSchema?: PolicyConfigSchema;
  check(resources: readonly PolicyResource[], args: StackValidationArgs): readonly StackVerdict[] | Promise<readonly StackVerdict[]>;
}

export interface StackVerdict {
  readonly urn?: string;
  readonly verdict: Verdict;
}

/** Reports violations at the policy's level and deferrals as advisories that say they are decided at `up`. */
function reportAll(verdicts: readonly Verdict[], report: ReportViolation, description: string, urn?: string): void {
  for (const verdict of verdicts) {
    if (verdict instanceof Deferred) {
      // The object form of ReportViolation (server.js makeReportViolationFun) carries a level of its own.
      const advisory = { message: `${description}\n${DECIDED_AT_UP} ${verdict.reason}`, enforcementLevel: "advisory", urn };
      (report as unknown as (info: object) => void)(advisory);
    } else report(verdict, urn);
  }
}

/** A resource policy; mandatory unless the pack config says otherwise. */
export function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  const types = rule.types === "all" ? undefined : new Set(rule.types);
  const validate: ResourceValidation = async (args, report) => {
    if (types && !types.has(args.type)) return;
    reportAll(await decideAsync(() => rule.check(args.props as Props, args)), report, rule.description);
  };
  // One type: let the analyzer skip other resources without calling us (its own fast path).
  if (rule.types !== "all" && rule.types.length === 1) (validate as unknown as { __pulumiType: string }).__pulumiType = rule.types[0] as string;
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    severity: rule.severity,
    ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
    validateResource: validate,
  };
}

/** A stack policy: each verdict at its resource; an unknown defers one resource's verdict, never the stack's. */
export function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    severity: rule.severity,
    ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
    validateStack: async (args, report) => {
      let verdicts: readonly StackVerdict[];
      try {
        verdicts = await rule.check(args.resources, args);
      } catch (error) {
        // Only if a check reads an unknown outside perResource: a deferral of the stack, not a crash.
        if (!isUnknownRead(error)) throw error;
        verdicts = [{ verdict: deferralOf(error) }];
      }
      for (const v of verdicts) reportAll([v.verdict], report, rule.description, v.urn);
    },
  };
}

/** Judges each resource on its own: an unknown in one resource defers that resource only. */
export function perResource(resources: readonly PolicyResource[], judge: (resource: PolicyResource) => readonly Verdict[]): StackVerdict[] {
  return resources.flatMap((resource) => decide(() => judge(resource)).map((verdict) => ({ urn: resource.urn, verdict })));
}

/** Config schema fragments shared by the stack-aware policies. */
/**
 * Whether the stack is production-grade (its botfleet:productionGrade, repeated in config.<stack>.json).
 * Unset, a policy judges the stack as production-grade: the side that protects more.
 */
export const PRODUCTION_GRADE_SCHEMA: PolicyConfigJSONSchema = { type: "boolean", default: true };
export const AWS_ACCOUNT_SCHEMA: PolicyConfigJSONSchema = { type: "string", pattern: "^[0-9]{12}$" };
export const GCP_PROJECT_SCHEMA: PolicyConfigJSONSchema = { type: "string", pattern: "^[a-z][a-z0-9-]{4,28}[a-z0-9]$" };
export const CLOUDFLARE_ID_SCHEMA: PolicyConfigJSONSchema = { type: "string", pattern: "^[0-9a-f]{32}$" };
export const listOf = (item: PolicyConfigJSONSchema): PolicyConfigJSONSchema => ({ type: "array", items: item });

/** Reads the policy config's productionGrade; unset counts as production-grade (PRODUCTION_GRADE_SCHEMA). */
export function isProductionGrade(args: { getConfig<T extends object>(): T }): boolean {
  return (args.getConfig<Record<string, unknown>>()).productionGrade !== false;
}

/** Reads one list-of-strings property of a policy's config; undefined when it is not set. */
export function configStrings(args: { getConfig<T extends object>(): T }, key: string): string[] | undefined {
  const value = (args.getConfig<Record<string, unknown>>())[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

/** Reads one string property of a policy's config (set per stack with --policy-pack-config). */
export function configString(args: { getConfig<T extends object>(): T }, key: string): string | undefined {
  const value = (args.getConfig<Record<string, unknown>>())[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Reads one number property of a policy's config; the schema default when unset. */
export function configNumber(args: { getConfig<T extends object>(): T }, key: string, fallback: number): number {
  const value = (args.getConfig<Record<string, unknown>>())[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
