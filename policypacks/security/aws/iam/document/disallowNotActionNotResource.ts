import { resourcePolicy } from "../../../lib/define";
import { IDENTITY_POLICY_TYPES, judgeIdentityStatements } from "../../../lib/iamDocument";

/** Severity high. NotAction/NotResource grant everything except a list, including what AWS adds later. */
export const awsIamPolicyDisallowNotActionNotResource = resourcePolicy({
  name: "aws-iam-policy-disallow-not-action-not-resource",
  description: "IAM policies must not use NotAction or NotResource.",
  severity: "high",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    judgeIdentityStatements(args.type, props, (s, where) =>
      s.effect === "Allow" && (s.notActions.length > 0 || s.notResources.length > 0)
        ? [`${where} uses NotAction/NotResource: write the allowed Action and Resource lists explicitly.`]
        : [],
    ),
});
