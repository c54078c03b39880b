import { resourcePolicy } from "../../../lib/define";
import { field } from "../../../lib/values";

function positive(value: unknown): boolean {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0;
}

/**
 * Severity medium. Without stage throttling a flood reaches the functions and their concurrency
 * (and the bill) unbounded; the account-level default (10,000 rps) is no limit for one bot.
 */
export const awsApigatewayv2StageRequireThrottling = resourcePolicy({
  name: "aws-apigatewayv2-stage-require-throttling",
  description: "API Gateway v2 stages must set a default route throttling rate and burst limit.",
  severity: "medium",
  types: ["aws:apigatewayv2/stage:Stage"],
  check: (props) =>
    positive(field(props, "defaultRouteSettings", "throttlingRateLimit")) && positive(field(props, "defaultRouteSettings", "throttlingBurstLimit"))
      ? []
      : ["Set defaultRouteSettings: { throttlingRateLimit: <requests/s>, throttlingBurstLimit: <burst> } sized for the stack."],
});
