import { AWS_ACCOUNT_SCHEMA, configString, resourcePolicy } from "../../lib/define";
import { onProvider, providersToJudge } from "../../lib/providers";
import { stringList } from "../../lib/values";

/**
 * Severity critical. allowedAccountIds makes the provider refuse any other account, whatever
 * credentials the deployer holds. The stack's account comes from this policy's config
 * ("accountId", in config.<stack>.json); unconfigured, every AWS provider is a violation. Judged
 * on each provider and on every resource's provider, so `pulumi up` stops before the first change.
 */
export const awsProviderRequireAllowedAccount = resourcePolicy({
  name: "aws-provider-require-allowed-account",
  description: "Every AWS provider must be pinned with allowedAccountIds to exactly this stack's account.",
  severity: "critical",
  types: "all",
  configSchema: { properties: { accountId: AWS_ACCOUNT_SCHEMA } },
  check: (_props, args) => {
    const expected = configString(args, "accountId");
    return providersToJudge(args)
      .filter((p) => p.type === "pulumi:providers:aws")
      .flatMap((provider) => {
        if (expected === undefined) {
          return provider.self ? ['Configure this stack\'s account: --policy-pack-config with { "aws-provider-require-allowed-account": { "accountId": "<12 digits>" } }.'] : [];
        }
        const allowed = stringList(provider.props.allowedAccountIds);
        return allowed.length === 1 && allowed[0] === expected
          ? []
          : [onProvider(provider, `set allowedAccountIds: ["${expected}"] (found ${JSON.stringify(allowed)}).`)];
      });
  },
});
