/**
 * AWS's authorization decision for one request, from a real IAM evaluation engine:
 * @cloud-copilot/iam-simulate. It is licensed AGPL-3.0, which is fine here: it is a devDependency
 * used by this test-only check and never bundled into a function or shipped in the policy pack
 * (that is Apache-2.0 and evaluates nothing at run time).
 *
 * Same-account requests: the identity policy and, where the resource has one, its resource policy
 * (a KMS key policy must allow the account for IAM policies to count at all; a queue policy's Deny
 * applies to everyone). The engine evaluates every condition (dynamodb:LeadingKeys,
 * kms:ViaService, kms:CallerAccount, kms:EncryptionContext:*, aws:SecureTransport) itself.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../infra/aws/iamDocument";

export interface AwsRequest {
  readonly principal: string;
  readonly accountId: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  readonly identityPolicy: PolicyDocument;
  readonly resourcePolicy?: PolicyDocument;
}

export interface Decision {
  readonly allowed: boolean;
  /** "Allowed", "ImplicitlyDenied", "ExplicitlyDenied", or the engine's validation error. */
  readonly result: string;
  /** Sids of the identity-policy statements that allowed it (what a grant's use is attributed to). */
  readonly allowedBy: readonly string[];
}

/** One evaluation per distinct request: the suite repeats the same calls thousands of times. */
const cache = new Map<string, Promise<Decision>>();

export function decide(request: AwsRequest): Promise<Decision> {
  const key = JSON.stringify(request);
  let decision = cache.get(key);
  if (decision === undefined) {
    decision = evaluate(request);
    cache.set(key, decision);
  }
  return decision;
}

async function evaluate(request: AwsRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.accountId },
        contextVariables: request.context as Record<string, string | string[]>,
      },
      identityPolicies: [{ name: "access", policy: request.identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy !== undefined ? { resourcePolicy: request.resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === "error") return { allowed: false, result: `simulation error: ${result.errors.message}`, allowedBy: [] };
  if (result.resultType !== "single") return { allowed: false, result: `unexpected ${result.resultType} result`, allowedBy: [] };
  const allowedBy = (result.result.analysis.identityAnalysis?.allowStatements ?? []).map((s) => s.statement.sid() ?? `#${s.statement.index()}`);
  return { allowed: result.overallResult === "Allowed", result: result.overallResult, allowedBy };
}
