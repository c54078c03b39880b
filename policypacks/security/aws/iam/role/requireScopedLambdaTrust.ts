import { stackAccounts } from "../../../lib/accounts";
import { effectiveConditions } from "../../../lib/conditions";
import { resourcePolicy } from "../../../lib/define";
import { parseStatements } from "../../../lib/iamDocument";

const LAMBDA = "Service:lambda.amazonaws.com";

/**
 * Severity high. A Lambda execution role must be assumable by the Lambda service only, and only
 * on behalf of our own account (aws:SourceAccount, a condition that really restricts: not
 * StringLike "*" nor ...IfExists), so no other principal or account can borrow it.
 */
export const awsIamRoleRequireScopedLambdaTrust = resourcePolicy({
  name: "aws-iam-role-require-scoped-lambda-trust",
  description: "Roles trusted by Lambda must trust only the Lambda service, with an aws:SourceAccount condition naming this stack's account.",
  severity: "high",
  types: ["aws:iam/role:Role"],
  check: (props, args) => {
    const statements = parseStatements(props.assumeRolePolicy).filter((s) => s.effect === "Allow");
    if (!statements.some((s) => s.principals.includes(LAMBDA))) return [];
    const ours = stackAccounts(args);
    const problems: string[] = [];
    if (statements.some((s) => s.hasNotPrincipal || s.principals.some((p) => p !== LAMBDA))) {
      problems.push('Trust only { Service: "lambda.amazonaws.com" }: move other principals to a role of their own.');
    }
    const scoped = (values: readonly string[]) => values.length > 0 && (ours.length === 0 || values.every((v) => ours.includes(v)));
    if (!statements.every((s) => effectiveConditions(s).some((c) => c.key === "aws:sourceaccount" && scoped(c.values)))) {
      problems.push(`Add Condition: { StringEquals: { "aws:SourceAccount": "${ours[0] ?? "<this account id>"}" } } to the trust statement.`);
    }
    return problems;
  },
});
