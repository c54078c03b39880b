import { resourcePolicy } from "../../../lib/define";
import { IDENTITY_POLICY_TYPES, judgeIdentityStatements } from "../../../lib/iamDocument";
import { actionFacts, isServiceWide, isUnscopedResource, reach } from "../../../lib/iamKnowledge";

/** Whether a pattern reaches an action that AWS can scope to resources (not one it only authorizes on "*"). */
async function reachesScopableAction(pattern: string): Promise<boolean> {
  if (await isServiceWide(pattern)) return true;
  for (const action of await reach(pattern)) if ((await actionFacts(action))?.wildcardOnly === false) return true;
  return false;
}

/**
 * Severity high. A resource pattern that reaches every resource of a service ("*",
 * "arn:aws:secretsmanager:*:*:secret:*", "arn:*:dynamodb:*:*:table/*", a wildcard account or
 * region) turns a narrow action list into access to every table, key and secret. Only actions that
 * AWS authorizes on "*" alone (no resource types in the service reference) may have it.
 */
export const awsIamPolicyDisallowWildcardResources = resourcePolicy({
  name: "aws-iam-policy-disallow-wildcard-resources",
  description: "IAM policies must not allow actions on every resource of a service unless AWS only permits that action on \"*\".",
  severity: "high",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    judgeIdentityStatements(args.type, props, async (s, where) => {
      const unscoped = s.resources.filter(isUnscopedResource);
      if (s.effect !== "Allow" || unscoped.length === 0) return [];
      const offending: string[] = [];
      for (const action of s.actions) if (await reachesScopableAction(action)) offending.push(action);
      return offending.map(
        (action) => `${where} allows "${action}" on ${unscoped.map((r) => `"${r}"`).join(", ")}, which reaches every resource of the service: name the ARNs it needs (table, key, secret, log group).`,
      );
    }),
});
