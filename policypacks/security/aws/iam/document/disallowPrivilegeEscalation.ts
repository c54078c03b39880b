import { resourcePolicy } from "../../../lib/define";
import { actionMatches, IDENTITY_POLICY_TYPES, judgeIdentityStatements } from "../../../lib/iamDocument";
import { isPermissionsManagement, isUnscopedResource, reach } from "../../../lib/iamKnowledge";
import { ESCALATION_METHODS } from "./escalationMethods";

/** IAM actions a pattern reaches that AWS classifies as Permissions management (Put/Attach*Policy, CreatePolicyVersion, UpdateAssumeRolePolicy…). */
async function iamPermissionsManagement(pattern: string): Promise<string[]> {
  const colon = pattern.indexOf(":");
  if (colon < 0 ? !/^[*]+$/.test(pattern) : !actionMatches(pattern.slice(0, colon) + ":x", "iam:x")) return [];
  const found: string[] = [];
  for (const action of await reach(`iam:${colon < 0 ? "*" : pattern.slice(colon + 1)}`)) if (await isPermissionsManagement(action)) found.push(action);
  return found;
}

/**
 * Severity critical. A principal that may change IAM policies (its own role's included: a role
 * allowed iam:PutRolePolicy, AttachRolePolicy or UpdateAssumeRolePolicy on itself or "*" can make
 * itself admin), mint credentials or pass a role to compute it controls holds every permission in
 * the account. Judged over the whole document: a method split over statements still counts.
 */
export const awsIamPolicyDisallowPrivilegeEscalation = resourcePolicy({
  name: "aws-iam-policy-disallow-privilege-escalation",
  description: "IAM policies must not allow privilege escalation (changing IAM policies, minting credentials, passing roles to new compute).",
  severity: "critical",
  types: IDENTITY_POLICY_TYPES,
  check: async (props, args) => {
    const allowed: { actions: readonly string[]; anyResource: boolean }[] = [];
    const verdicts = await judgeIdentityStatements(args.type, props, async (s, where) => {
      if (s.effect !== "Allow") return [];
      allowed.push({ actions: s.actions, anyResource: s.resources.some(isUnscopedResource) });
      const managed = (await Promise.all(s.actions.map(iamPermissionsManagement))).flat();
      return managed.length === 0 ? [] : [`${where} allows ${[...new Set(managed)].join(", ")}: a workload must not change IAM policies (its own role's included); remove them.`];
    });
    // iam:PassRole counts only on any role: passing one named role hands over just that role's permissions.
    const grants = (action: string) =>
      allowed.some((g) => (action !== "iam:PassRole" || g.anyResource) && g.actions.some((pattern) => actionMatches(pattern, action)));
    const methods = ESCALATION_METHODS.filter((method) => method.every(grants));
    return [
      ...verdicts,
      ...methods.map((m) => `The policy allows ${m.join(" + ")}, a known privilege-escalation method: remove ${m.length > 1 ? "at least one of them" : "it"}, or scope iam:PassRole to one role with iam:PassedToService.`),
    ];
  },
});
