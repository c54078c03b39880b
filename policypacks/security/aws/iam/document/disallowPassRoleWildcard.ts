import { resourcePolicy } from "../../../lib/define";
import { actionMatches, IDENTITY_POLICY_TYPES, identityDocuments, parseStatements } from "../../../lib/iamDocument";

/** A resource pattern that covers every role: "*", "arn:aws:iam::*:...", or ".../role/*". */
function coversAnyRole(resource: string): boolean {
  return resource === "*" || /^arn:aws[\w-]*:iam::\*:/.test(resource) || /:role\/\*$/.test(resource);
}

/** Severity critical. iam:PassRole on any role lets the holder hand an admin role to a service it controls. */
export const awsIamPolicyDisallowPassRoleWildcard = resourcePolicy({
  name: "aws-iam-policy-disallow-pass-role-wildcard",
  description: "IAM policies must not allow iam:PassRole on every role.",
  severity: "critical",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    identityDocuments(args.type, props).flatMap(({ where, document }) =>
      parseStatements(document)
        .filter((s) => s.effect === "Allow" && s.actions.some((a) => actionMatches(a, "iam:PassRole")))
        .filter((s) => s.resources.some(coversAnyRole))
        .map(() => `${where} allows iam:PassRole on any role: name the one role ARN it passes, with an iam:PassedToService condition.`),
    ),
});
