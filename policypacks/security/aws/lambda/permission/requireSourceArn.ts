import { resourcePolicy } from "../../../lib/define";
import { text } from "../../../lib/values";

/**
 * Severity high. A permission without sourceArn lets any resource of that service, in any account
 * (confused deputy), invoke the function; principal "*" lets anyone.
 */
export const awsLambdaPermissionRequireSourceArn = resourcePolicy({
  name: "aws-lambda-permission-require-source-arn",
  description: "Lambda permissions must name a service principal and be scoped with sourceArn.",
  severity: "high",
  types: ["aws:lambda/permission:Permission"],
  check: (props) => {
    const problems: string[] = [];
    if (props.principal === "*" || text(props.principal) === undefined) {
      problems.push('Set principal to the invoking service (e.g. "apigateway.amazonaws.com"), never "*".');
    }
    if (text(props.sourceArn) === undefined) {
      problems.push("Set sourceArn to the ARN of the one resource allowed to invoke (e.g. `${api.executionArn}/*/*`).");
    }
    return problems;
  },
});
