import { stackPolicy } from "../../../lib/define";
import { isTrue } from "../../../lib/values";

const PAIRS = [
  { domain: "aws:apigatewayv2/domainName:DomainName", api: "aws:apigatewayv2/api:Api" },
  { domain: "aws:apigateway/domainName:DomainName", api: "aws:apigateway/restApi:RestApi" },
];

/**
 * Severity high. Once an API has a custom domain behind the edge, the default
 * execute-api.amazonaws.com hostname is a way around the WAF, rate limits and origin lock.
 */
export const awsApigatewayApiRequireExecuteApiDisabled = stackPolicy({
  name: "aws-apigateway-api-require-execute-api-disabled",
  description: "API Gateway APIs must disable the default execute-api endpoint when the stack has a custom domain.",
  severity: "high",
  check: (resources) =>
    PAIRS.flatMap(({ domain, api }) =>
      resources.some((r) => r.type === domain)
        ? resources
            .filter((r) => r.type === api && !isTrue(r.props.disableExecuteApiEndpoint))
            .map((r) => ({ urn: r.urn, message: "Set disableExecuteApiEndpoint: true; clients reach the API through its custom domain." }))
        : [],
    ),
});
