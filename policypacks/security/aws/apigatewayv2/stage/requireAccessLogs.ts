import { resourcePolicy } from "../../../lib/define";
import { field, text } from "../../../lib/values";

/**
 * Severity medium. Without access logs there is no record of who called the API, when, from where
 * and with what result (Checkov CKV_AWS_76; compliance-policies enable/configure-access-logging).
 */
export const awsApigatewayv2StageRequireAccessLogs = resourcePolicy({
  name: "aws-apigatewayv2-stage-require-access-logs",
  description: "API Gateway v2 stages must write access logs (a destination log group and a format).",
  severity: "medium",
  types: ["aws:apigatewayv2/stage:Stage"],
  check: (props) =>
    text(field(props, "accessLogSettings", "destinationArn")) !== undefined && text(field(props, "accessLogSettings", "format")) !== undefined
      ? []
      : ["Set accessLogSettings: { destinationArn: <a KMS-encrypted log group's arn>, format: <JSON with requestId, ip, routeKey, status> }."],
});
