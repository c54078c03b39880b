import { awsApigatewayApiRequireExecuteApiDisabled } from "../../../policypacks/security/aws/apigateway/api/requireExecuteApiDisabled";
import { awsApigatewayDomainNameRequireTls12 } from "../../../policypacks/security/aws/apigateway/domainName/requireTls12";
import { awsLambdaFunctionUrlDisallowPublicAuth } from "../../../policypacks/security/aws/lambda/functionUrl/disallowPublicAuth";
import { analyze, analyzeStack, expectClean, expectViolation, type TestResource, withProp } from "../harness";

const domain: TestResource = {
  type: "aws:apigatewayv2/domainName:DomainName",
  name: "api-domain",
  props: {
    domainName: "api.bot.example.com",
    domainNameConfiguration: { certificateArn: "arn:aws:acm:eu-west-1:111111111111:certificate/abc", endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
  },
};
const api: TestResource = { type: "aws:apigatewayv2/api:Api", name: "api", props: { protocolType: "HTTP", disableExecuteApiEndpoint: true } };

describe("policy pack: TLS and exposure on AWS", () => {
  it("accepts a custom domain with TLS_1_2", async () => {
    expectClean(await analyze(awsApigatewayDomainNameRequireTls12, domain));
  });
  it("rejects a custom domain with TLS_1_0", async () => {
    const props = withProp(domain.props, "domainNameConfiguration.securityPolicy", "TLS_1_0");
    expectViolation(await analyze(awsApigatewayDomainNameRequireTls12, { ...domain, props }), "aws-apigateway-domain-name-require-tls-1-2");
  });

  it("accepts an API with the execute-api endpoint disabled beside a custom domain", async () => {
    expectClean(await analyzeStack(awsApigatewayApiRequireExecuteApiDisabled, [domain, api]));
  });
  it("rejects an API whose execute-api endpoint stays on when the stack has a custom domain", async () => {
    const open = { ...api, props: withProp(api.props, "disableExecuteApiEndpoint", false) };
    expectViolation(await analyzeStack(awsApigatewayApiRequireExecuteApiDisabled, [domain, open]), "aws-apigateway-api-require-execute-api-disabled");
  });
  it("lets an API without any custom domain keep its execute-api endpoint", async () => {
    const open = { ...api, props: withProp(api.props, "disableExecuteApiEndpoint", undefined) };
    expectClean(await analyzeStack(awsApigatewayApiRequireExecuteApiDisabled, [open]));
  });

  const url: TestResource = { type: "aws:lambda/functionUrl:FunctionUrl", props: { functionName: "botfleet-dev-api", authorizationType: "AWS_IAM" } };
  it("accepts a function URL that requires IAM auth", async () => {
    expectClean(await analyze(awsLambdaFunctionUrlDisallowPublicAuth, url));
  });
  it("rejects a function URL with auth NONE", async () => {
    const props = withProp(url.props, "authorizationType", "NONE");
    expectViolation(await analyze(awsLambdaFunctionUrlDisallowPublicAuth, { ...url, props }), "aws-lambda-function-url-disallow-public-auth");
  });
});
