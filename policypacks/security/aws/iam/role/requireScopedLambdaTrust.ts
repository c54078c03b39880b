import { resourcePolicy } from "../../../lib/define";
import { parseStatements } from "../../../lib/iamDocument";

const LAMBDA = "Service:lambda.amazonaws.com";

/**
 * Severity high. A Lambda execution role must be assumable by the Lambda service only, and only
 * on behalf of our own account (aws:SourceAccount), so no other principal or account can borrow it.
 */
export const awsIamRoleRequireScopedLambdaTrust = resourcePolicy({
  name: "aws-iam-role-require-scoped-lambda-trust",
  description: "Roles trusted by Lambda must trust only the Lambda service, with an aws:SourceAccount condition.",
  severity: "high",
  types: ["aws:iam/role:Role"],
  check: (props) => {
    const statements = parseStatements(props.assumeRolePolicy).filter((s) => s.effect === "Allow");
    if (!statements.some((s) => s.principals.includes(LAMBDA))) return [];
    const problems: string[] = [];
    if (statements.some((s) => s.hasNotPrincipal || s.principals.some((p) => p !== LAMBDA))) {
      problems.push('Trust only { Service: "lambda.amazonaws.com" }: move other principals to a role of their own.');
    }
    if (!statements.every((s) => s.conditions.some((c) => c.key === "aws:sourceaccount" && c.values.length > 0))) {
      problems.push('Add Condition: { StringEquals: { "aws:SourceAccount": "<this account id>" } } to the trust statement.');
    }
    return problems;
  },
});
