import { callerRestriction, isAnyonePrincipal } from "../../../lib/conditions";
import { resourcePolicy } from "../../../lib/define";
import { judgeStatements } from "../../../lib/iamDocument";

/**
 * Severity critical. Principal "*" (or NotPrincipal) in a trust policy lets any AWS account assume
 * the role. A condition on the caller's own identity (aws:PrincipalOrgID, aws:PrincipalAccount,
 * aws:PrincipalArn, a federated subject) can make it safe; one that matches anything (StringLike aws:SourceAccount "*", an
 * ...IfExists operator, ArnLike "arn:aws:*") cannot, and counts as absent.
 */
export const awsIamRoleDisallowWildcardTrust = resourcePolicy({
  name: "aws-iam-role-disallow-wildcard-trust",
  description: 'IAM role trust policies must not trust Principal "*" or NotPrincipal without a condition that restricts the caller.',
  severity: "critical",
  types: ["aws:iam/role:Role"],
  check: (props) =>
    judgeStatements(props.assumeRolePolicy, (s) =>
      s.effect === "Allow" && (s.hasNotPrincipal || s.principals.some(isAnyonePrincipal)) && !callerRestriction(s, "trust").restricted
        ? ["Name the exact service, role ARN or OIDC provider that may assume this role (conditions that match anything do not count)."]
        : [],
    ),
});
