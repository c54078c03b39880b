import { resourcePolicy } from "../../../lib/define";

/** Severity critical. A function URL with auth NONE is an unauthenticated endpoint that bypasses the edge (WAF, rate limits, origin lock). */
export const awsLambdaFunctionUrlDisallowPublicAuth = resourcePolicy({
  name: "aws-lambda-function-url-disallow-public-auth",
  description: "Lambda function URLs must not use authorization type NONE.",
  severity: "critical",
  types: ["aws:lambda/functionUrl:FunctionUrl"],
  check: (props) =>
    props.authorizationType === "AWS_IAM"
      ? []
      : ['Set authorizationType: "AWS_IAM", or serve the function through API Gateway behind the edge instead.'],
});
