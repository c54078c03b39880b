import { resourcePolicy } from "../../../lib/define";
import { actionMatches, IDENTITY_POLICY_TYPES, judgeIdentityStatements } from "../../../lib/iamDocument";
import { isUnscopedResource } from "../../../lib/iamKnowledge";

/** Severity critical. iam:PassRole on any role ("*", "role/*", any account) lets the holder hand an admin role to a service it controls. */
export const awsIamPolicyDisallowPassRoleWildcard = resourcePolicy({
  name: "aws-iam-policy-disallow-pass-role-wildcard",
  description: "IAM policies must not allow iam:PassRole on every role.",
  severity: "critical",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    judgeIdentityStatements(args.type, props, (s, where) =>
      s.effect === "Allow" && s.actions.some((a) => actionMatches(a, "iam:PassRole")) && s.resources.some(isUnscopedResource)
        ? [`${where} allows iam:PassRole on any role: name the one role ARN it passes, with an iam:PassedToService condition.`]
        : [],
    ),
});
