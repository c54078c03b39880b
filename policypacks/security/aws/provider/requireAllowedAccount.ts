import { AWS_ACCOUNT_SCHEMA, configString, stackPolicy } from "../../lib/define";
import { stringList } from "../../lib/values";

/**
 * Severity critical. allowedAccountIds makes the provider refuse any other account, whatever
 * credentials the deployer holds. The stack's account comes from this policy's config
 * ("accountId", in config.<stack>.json); unconfigured, every AWS provider is a violation.
 */
export const awsProviderRequireAllowedAccount = stackPolicy({
  name: "aws-provider-require-allowed-account",
  description: "Every AWS provider must be pinned with allowedAccountIds to exactly this stack's account.",
  severity: "critical",
  configSchema: { properties: { accountId: AWS_ACCOUNT_SCHEMA } },
  check: (resources, args) => {
    const expected = configString(args, "accountId");
    return resources
      .filter((r) => r.type === "pulumi:providers:aws")
      .flatMap((provider) => {
        if (expected === undefined) {
          return [{ urn: provider.urn, message: 'Configure this stack\'s account: --policy-pack-config with { "aws-provider-require-allowed-account": { "accountId": "<12 digits>" } }.' }];
        }
        const allowed = stringList(provider.props.allowedAccountIds);
        return allowed.length === 1 && allowed[0] === expected
          ? []
          : [{ urn: provider.urn, message: `Set allowedAccountIds: ["${expected}"] (found ${JSON.stringify(allowed)}).` }];
      });
  },
});
