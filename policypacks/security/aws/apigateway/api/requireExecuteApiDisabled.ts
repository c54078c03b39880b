import { perResource, stackPolicy } from "../../../lib/define";
import { isTrue } from "../../../lib/values";

const PAIRS = [
  { domain: "aws:apigatewayv2/domainName:DomainName", api: "aws:apigatewayv2/api:Api" },
  { domain: "aws:apigateway/domainName:DomainName", api: "aws:apigateway/restApi:RestApi" },
];

/**
 * Severity high. Once an API has a custom domain behind the edge, the default
 * execute-api.amazonaws.com hostname is a way around the WAF, rate limits and origin lock.
 * A stack policy (it needs to know the stack has a custom domain), judged per API.
 */
export const awsApigatewayApiRequireExecuteApiDisabled = stackPolicy({
  name: "aws-apigateway-api-require-execute-api-disabled",
  description: "API Gateway APIs must disable the default execute-api endpoint when the stack has a custom domain.",
  severity: "high",
  check: (resources) =>
    PAIRS.flatMap(({ domain, api }) =>
      resources.some((r) => r.type === domain)
        ? perResource(
            resources.filter((r) => r.type === api),
            (r) => (isTrue(r.props.disableExecuteApiEndpoint) ? [] : ["Set disableExecuteApiEndpoint: true; clients reach the API through its custom domain."]),
          )
        : [],
    ),
});
