import { resourcePolicy } from "../../../lib/define";
import { field, text } from "../../../lib/values";

/** TLS 1.2 or newer: "TLS_1_2" or one of the enhanced policies that start at TLS 1.2 or 1.3. */
export function isTls12OrNewer(policy: string | undefined): boolean {
  return policy === "TLS_1_2" || /^SecurityPolicy_TLS1[23]_/.test(policy ?? "");
}

/** Severity high. TLS 1.0/1.1 are broken and deprecated; a custom domain must refuse them. */
export const awsApigatewayDomainNameRequireTls12 = resourcePolicy({
  name: "aws-apigateway-domain-name-require-tls-1-2",
  description: "API Gateway custom domains must require TLS 1.2 or newer.",
  severity: "high",
  types: ["aws:apigatewayv2/domainName:DomainName", "aws:apigateway/domainName:DomainName"],
  check: (props, args) => {
    const policy =
      args.type === "aws:apigateway/domainName:DomainName"
        ? text(props.securityPolicy)
        : text(field(props, "domainNameConfiguration", "securityPolicy"));
    return isTls12OrNewer(policy)
      ? []
      : [
          args.type === "aws:apigateway/domainName:DomainName"
            ? 'Set securityPolicy: "TLS_1_2".'
            : 'Set domainNameConfiguration.securityPolicy: "TLS_1_2".',
        ];
  },
});
