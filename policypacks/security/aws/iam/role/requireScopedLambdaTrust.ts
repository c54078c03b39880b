import { resourcePolicy } from "../../../lib/define";
import { parseStatements, type Statement } from "../../../lib/iamDocument";

const LAMBDA = "Service:lambda.amazonaws.com";

/**
 * Request keys the Lambda service does not put in the AssumeRole request for an execution role:
 * Lambda documents its execution-role trust as the service principal alone
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html) and no source
 * keys for it, and a global key is in the request context only when the calling service adds it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
 */
const KEYS_LAMBDA_DOES_NOT_SEND = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths"];

/**
 * Whether a condition is false when its key is absent (IAM User Guide, "Condition operators"):
 * everything but ...IfExists, ForAllValues (met by an absent key set) and Null "true".
 */
function needsKey(condition: Statement["conditions"][number]): boolean {
  const operator = condition.operator.toLowerCase();
  if (operator.endsWith("ifexists") || operator.startsWith("forallvalues:")) return false;
  if (operator === "null") return condition.values.some((v) => v.toLowerCase() === "false");
  return true;
}

/**
 * Severity high. A Lambda execution role must be assumable by the Lambda service only, so no other
 * principal can borrow its permissions — and by it unconditionally on keys Lambda never sends:
 * aws:SourceAccount / aws:SourceArn there deny Lambda itself, and every function using the role
 * fails to start. No account condition is needed: Lambda assumes a role only for a function
 * created or updated with it, which takes iam:PassRole on it, and a role cannot be passed across
 * accounts (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
 */
export const awsIamRoleRequireScopedLambdaTrust = resourcePolicy({
  name: "aws-iam-role-require-scoped-lambda-trust",
  description:
    "Roles trusted by Lambda must trust only the Lambda service, and without conditions on request keys Lambda does not send (aws:SourceAccount, aws:SourceArn), which would deny Lambda itself.",
  severity: "high",
  types: ["aws:iam/role:Role"],
  check: (props) => {
    const statements = parseStatements(props.assumeRolePolicy).filter((s) => s.effect === "Allow");
    if (!statements.some((s) => s.principals.includes(LAMBDA))) return [];
    const problems: string[] = [];
    if (statements.some((s) => s.hasNotPrincipal || s.principals.some((p) => p !== LAMBDA))) {
      problems.push('Trust only { Service: "lambda.amazonaws.com" }: move other principals to a role of their own.');
    }
    const unmet = statements
      .filter((s) => s.principals.includes(LAMBDA))
      .flatMap((s) => s.conditions.filter((c) => KEYS_LAMBDA_DOES_NOT_SEND.includes(c.key) && needsKey(c)));
    if (unmet.length > 0) {
      const keys = [...new Set(unmet.map((c) => c.key))].join(", ");
      problems.push(
        `Remove the condition on ${keys} from the Lambda trust: Lambda does not send it when it assumes an execution role, so the role could never be assumed (iam:PassRole already keeps the role to this account).`,
      );
    }
    return problems;
  },
});
