import type { RegisteredResource } from "../../../tools/program/runUnderMocks";

/**
 * The identity a cloud gives each resource: its URN (what Pulumi diffs state by) and every input
 * that becomes part of a physical name or id (what a provider replaces the resource for when it
 * changes). Auto-names are left out: Pulumi keeps them in state, so they never change on their own.
 * Beside them, what protects the resource (the `protect` option and the inputs that guard against
 * deletion), so a change of how a stack is classified shows up too.
 */
/** Inputs and options that keep a production-grade stack's data through a mistaken delete or replace. */
const PROTECTION_INPUTS = /^(deletionProtectionEnabled|deletionProtection|forceDestroy|recoveryWindowInDays|deletionWindowInDays|retentionInDays)$/;

const NAME_INPUTS = /^(name|namePrefix|functionName|accountId|roleId|workloadIdentityPoolId|workloadIdentityPoolProviderId|bucket|keyRing|alias|topicName|queueName|domainName|apiName|title)$/;

export function identities(resources: readonly RegisteredResource[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const r of resources) {
    const names: Record<string, string> = {};
    for (const [key, value] of Object.entries(r.inputs)) {
      if (NAME_INPUTS.test(key) && typeof value === "string") names[key] = value;
      if (PROTECTION_INPUTS.test(key) && value !== undefined) names[key] = JSON.stringify(value);
    }
    if (r.protect) names.protect = "true";
    out[r.urn] = names;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
