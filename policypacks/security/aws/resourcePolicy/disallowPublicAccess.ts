import { callerRestriction, isAnyonePrincipal } from "../../lib/conditions";
import { resourcePolicy } from "../../lib/define";
import { judgeStatements } from "../../lib/iamDocument";
import { RESOURCE_POLICY_PROPERTIES, RESOURCE_POLICY_TYPES } from "../../lib/resourcePolicies";

/**
 * Severity critical. A resource policy that allows Principal "*" ({ AWS: "*" }, an ARN with a
 * wildcard account, NotPrincipal) opens the key, queue, topic, table, secret or bucket to every
 * AWS account, unless a condition really restricts the caller (aws:SourceAccount, aws:SourceArn,
 * aws:PrincipalOrgID, a VPC endpoint). Conditions that match anything count as absent.
 */
export const awsResourcePolicyDisallowPublicAccess = resourcePolicy({
  name: "aws-resource-policy-disallow-public-access",
  description: "Resource policies (key, queue, topic, table, secret, bucket, log) must not admit any principal without a condition that restricts the caller.",
  severity: "critical",
  types: RESOURCE_POLICY_TYPES,
  check: (props, args) =>
    judgeStatements(props[RESOURCE_POLICY_PROPERTIES[args.type] ?? "policy"], (s) =>
      s.effect === "Allow" && (s.hasNotPrincipal || s.principals.some(isAnyonePrincipal)) && !callerRestriction(s).restricted
        ? [`A statement allows any principal: name the service or role ARN, or add a condition on aws:SourceAccount / aws:SourceArn / aws:PrincipalOrgID with exact values.`]
        : [],
    ),
});
