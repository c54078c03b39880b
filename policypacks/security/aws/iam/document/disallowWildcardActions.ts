import { resourcePolicy } from "../../../lib/define";
import { IDENTITY_POLICY_TYPES, judgeIdentityStatements } from "../../../lib/iamDocument";
import { isServiceWide } from "../../../lib/iamKnowledge";

/**
 * Severity critical. A pattern that reaches every action of a service ("*", "s3:*", "*:*",
 * "iam:*", "s3:*" spelled any way), or spans services ("s*:Get*"), grants every present and
 * future action there. Judged by what the pattern reaches in AWS's service reference, not by its spelling.
 */
export const awsIamPolicyDisallowWildcardActions = resourcePolicy({
  name: "aws-iam-policy-disallow-wildcard-actions",
  description: "IAM policies must not allow every action of a service (\"*\", \"service:*\" or any pattern that reaches as much).",
  severity: "critical",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    judgeIdentityStatements(args.type, props, async (s, where) => {
      if (s.effect !== "Allow") return [];
      const wide: string[] = [];
      for (const action of s.actions) if (await isServiceWide(action)) wide.push(action);
      return wide.map((action) => `${where} allows "${action}", which reaches every action of a service: list the exact actions the code calls (e.g. "dynamodb:GetItem").`);
    }),
});
