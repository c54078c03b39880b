import { resourcePolicy } from "../../../lib/define";
import { IDENTITY_POLICY_TYPES, identityDocuments, parseStatements } from "../../../lib/iamDocument";

/** Severity high. NotAction/NotResource grant everything except a list, including what AWS adds later. */
export const awsIamPolicyDisallowNotActionNotResource = resourcePolicy({
  name: "aws-iam-policy-disallow-not-action-not-resource",
  description: "IAM policies must not use NotAction or NotResource.",
  severity: "high",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    identityDocuments(args.type, props).flatMap(({ where, document }) =>
      parseStatements(document)
        .filter((s) => s.notActions.length > 0 || s.notResources.length > 0)
        .map(() => `${where} uses NotAction/NotResource: write the allowed Action and Resource lists explicitly.`),
    ),
});
