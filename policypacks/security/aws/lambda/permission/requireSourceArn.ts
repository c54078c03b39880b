import { resourcePolicy } from "../../../lib/define";
import { isUnscopedResource } from "../../../lib/iamKnowledge";
import { decide } from "../../../lib/unknowns";
import { text } from "../../../lib/values";

/** A source ARN that names one resource: no wildcard in account or region, and more than a bare resource type. */
function scopesOneSource(arn: string): boolean {
  const parts = arn.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return false;
  if (parts[2] === "execute-api") return !/[*?]/.test(parts[3] ?? "*") && !/[*?]/.test(parts[4] ?? "*") && !/^[*?]/.test(parts[5] ?? "*");
  return !isUnscopedResource(arn);
}

/**
 * Severity high. A permission without a source ARN, or with one that matches every source
 * ("arn:aws:execute-api:*:*:*", a wildcard account or API id), lets any resource of that service in
 * any account (confused deputy) invoke the function; principal "*" lets anyone. Principal and
 * source are decided separately: an unknown sourceArn never hides a principal "*".
 */
export const awsLambdaPermissionRequireSourceArn = resourcePolicy({
  name: "aws-lambda-permission-require-source-arn",
  description: "Lambda permissions must name a service principal and be scoped with a sourceArn that names one source.",
  severity: "high",
  types: ["aws:lambda/permission:Permission"],
  check: (props) => [
    ...decide(() =>
      props.principal === "*" || text(props.principal) === undefined
        ? ['Set principal to the invoking service (e.g. "apigateway.amazonaws.com"), never "*".']
        : [],
    ),
    ...decide(() => {
      const source = text(props.sourceArn);
      if (source === undefined) return ["Set sourceArn to the ARN of the one resource allowed to invoke (e.g. `${api.executionArn}/*/*`)."];
      return scopesOneSource(source) ? [] : [`sourceArn ${source} matches sources in any account or API: name this stack's account, region and API id.`];
    }),
  ],
});
