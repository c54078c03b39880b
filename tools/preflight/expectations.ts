/**
 * What the clouds must allow for this stack's first `pulumi up`, read from the program itself (run
 * under mocks for the stack's config, tools/program/runUnderMocks.ts), so the checks follow what
 * infra/ declares instead of a copy of today's values.
 */
import type { Settings } from "../../infra/config";
import type { RegisteredResource } from "../program/runUnderMocks";

export interface Expectations {
  readonly stack: string;
  readonly settings: Settings;
  /** Every Lambda function the program creates, with the reserved concurrency it asks for (0 = none). */
  readonly functions: readonly { readonly name: string; readonly reserved: number }[];
  /** The ACM certificate's domain, when the program requests one. */
  readonly certificateDomain?: string;
  /** Zone entry-point rulesets the program writes: phase → the refs of its own rules there. */
  readonly rulesetPhases: ReadonlyMap<string, readonly string[]>;
  /** Rate-limiting rules: how many, and the longest counting period (s). */
  readonly rateLimits: { readonly rules: number; readonly longestPeriod: number };
  /** The program deploys Cloudflare's managed WAF ruleset. */
  readonly managedWaf: boolean;
  /** GCP APIs the deployment and the functions need (service names), and those the program enables itself. */
  readonly gcpApis: readonly string[];
  readonly gcpApisEnabledByProgram: readonly string[];
}

/** Resource type (prefix) → the GCP API that serves it (each API's resource docs). */
const API_OF_TYPE: readonly [RegExp, readonly string[]][] = [
  [/^gcp:storage\//, ["storage.googleapis.com"]],
  [/^gcp:kms\//, ["cloudkms.googleapis.com"]],
  [/^gcp:serviceaccount\//, ["iam.googleapis.com"]],
  [/^gcp:projects\/iAMCustomRole:/, ["iam.googleapis.com"]],
  // Federation at run time: Google STS exchanges the AWS token, IAM Credentials impersonates
  // (https://cloud.google.com/iam/docs/workload-identity-federation-with-other-clouds#prepare).
  [/^gcp:iam\/workloadIdentityPool/, ["iam.googleapis.com", "sts.googleapis.com", "iamcredentials.googleapis.com"]],
];

const ENABLED_SERVICE = "gcp:projects/service:Service";

/** Pulumi's secret signature: a secret input (the origin-lock rule's header) arrives wrapped in it. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const plain = (value: unknown): unknown =>
  typeof value === "object" && value !== null && SECRET_SIG in value ? (value as { value?: unknown }).value : value;

export function expectationsFrom(stack: string, settings: Settings, resources: readonly RegisteredResource[]): Expectations {
  const functions = resources
    .filter((r) => r.type === "aws:lambda/function:Function")
    .map((r) => ({ name: String(r.inputs.name), reserved: typeof r.inputs.reservedConcurrentExecutions === "number" && r.inputs.reservedConcurrentExecutions > 0 ? r.inputs.reservedConcurrentExecutions : 0 }));
  const certificate = resources.find((r) => r.type === "aws:acm/certificate:Certificate");
  const rulesetPhases = new Map<string, string[]>();
  let rateLimitRules = 0;
  let longestPeriod = 0;
  for (const ruleset of resources.filter((r) => r.type === "cloudflare:index/ruleset:Ruleset" && r.inputs.kind === "zone")) {
    const phase = String(ruleset.inputs.phase);
    const rules = (plain(ruleset.inputs.rules) as { ref?: string; ratelimit?: { period?: number } }[] | undefined) ?? [];
    rulesetPhases.set(phase, [...(rulesetPhases.get(phase) ?? []), ...rules.map((rule) => rule.ref ?? "")]);
    for (const rule of rules) {
      if (rule.ratelimit === undefined) continue;
      rateLimitRules += 1;
      longestPeriod = Math.max(longestPeriod, rule.ratelimit.period ?? 0);
    }
  }
  const apis = new Set<string>();
  for (const resource of resources) for (const [type, services] of API_OF_TYPE) if (type.test(resource.type)) services.forEach((s) => apis.add(s));
  const enabledByProgram = resources.filter((r) => r.type === ENABLED_SERVICE).map((r) => String(r.inputs.service));
  enabledByProgram.forEach((s) => apis.add(s));
  return {
    stack,
    settings,
    functions,
    ...(certificate !== undefined ? { certificateDomain: String(certificate.inputs.domainName) } : {}),
    rulesetPhases,
    rateLimits: { rules: rateLimitRules, longestPeriod },
    managedWaf: rulesetPhases.has("http_request_firewall_managed"),
    gcpApis: [...apis].sort(),
    gcpApisEnabledByProgram: enabledByProgram.sort(),
  };
}
