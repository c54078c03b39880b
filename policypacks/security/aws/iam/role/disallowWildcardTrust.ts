import { resourcePolicy } from "../../../lib/define";
import { parseStatements } from "../../../lib/iamDocument";

/** Severity critical. Principal "*" in a trust policy lets any AWS account assume the role. */
export const awsIamRoleDisallowWildcardTrust = resourcePolicy({
  name: "aws-iam-role-disallow-wildcard-trust",
  description: 'IAM role trust policies must not trust Principal "*" or NotPrincipal.',
  severity: "critical",
  types: ["aws:iam/role:Role"],
  check: (props) =>
    parseStatements(props.assumeRolePolicy)
      .filter((s) => s.effect === "Allow" && (s.hasNotPrincipal || s.principals.some((p) => p === "*" || p.endsWith(":*"))))
      .map(() => "Name the exact service, role ARN or OIDC provider that may assume this role."),
});
