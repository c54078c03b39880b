import { resourcePolicy } from "../../../lib/define";
import { IDENTITY_POLICY_TYPES, identityDocuments, isServiceWildcard, parseStatements } from "../../../lib/iamDocument";

/** Severity critical. "*" or "service:*" grants every present and future action of a service. */
export const awsIamPolicyDisallowWildcardActions = resourcePolicy({
  name: "aws-iam-policy-disallow-wildcard-actions",
  description: 'IAM policies must not allow "*" or "service:*" actions.',
  severity: "critical",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    identityDocuments(args.type, props).flatMap(({ where, document }) =>
      parseStatements(document)
        .filter((s) => s.effect === "Allow")
        .flatMap((s) => s.actions.filter(isServiceWildcard))
        .map((action) => `${where} allows "${action}": list the exact actions the code calls (e.g. "dynamodb:GetItem").`),
    ),
});
