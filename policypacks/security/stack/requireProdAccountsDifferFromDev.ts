import { AWS_ACCOUNT_SCHEMA, CLOUDFLARE_ID_SCHEMA, configStrings, GCP_PROJECT_SCHEMA, isProductionGrade, listOf, PRODUCTION_GRADE_SCHEMA, resourcePolicy } from "../lib/define";
import { onProvider, providersToJudge } from "../lib/providers";
import { stringList, text } from "../lib/values";

/** Config property → what it lists, as messages name it. */
const LISTS = {
  nonProductionAccountIds: "AWS account",
  nonProductionProjects: "GCP project",
  nonProductionCloudflareAccountIds: "Cloudflare account",
  nonProductionCloudflareZoneIds: "Cloudflare zone",
} as const;
type ListKey = keyof typeof LISTS;

/**
 * Severity critical. A production-grade stack never shares an AWS account, GCP project, Cloudflare
 * account or zone with any non-production stack of the project (dev, staging, previews, whatever
 * their names): a test deploy, or whoever holds its credentials, could otherwise read or destroy
 * production data. Config (config.<stack>.json): "productionGrade", and in a production-grade stack
 * the four lists of what the non-production stacks use (empty lists when there are none). Judged on
 * each provider, on every resource's provider and on every Cloudflare resource's account and zone,
 * so `pulumi up` stops before the first change. The policy keeps its name so enforcement configs
 * written for it still apply.
 */
export const stackRequireProdAccountsDifferFromDev = resourcePolicy({
  name: "stack-require-prod-accounts-differ-from-dev",
  description: "A production-grade stack must not deploy into an AWS account, GCP project, Cloudflare account or zone that a non-production stack uses.",
  severity: "critical",
  types: "all",
  configSchema: {
    properties: {
      productionGrade: PRODUCTION_GRADE_SCHEMA,
      nonProductionAccountIds: listOf(AWS_ACCOUNT_SCHEMA),
      nonProductionProjects: listOf(GCP_PROJECT_SCHEMA),
      nonProductionCloudflareAccountIds: listOf(CLOUDFLARE_ID_SCHEMA),
      nonProductionCloudflareZoneIds: listOf(CLOUDFLARE_ID_SCHEMA),
    },
  },
  check: (props, args) => {
    if (!isProductionGrade(args)) return [];
    const lists = Object.fromEntries((Object.keys(LISTS) as ListKey[]).map((key) => [key, configStrings(args, key)])) as Record<ListKey, string[] | undefined>;
    const missing = (Object.keys(LISTS) as ListKey[]).filter((key) => lists[key] === undefined);
    if (missing.length > 0) {
      // Said once, on the stack's providers; every other resource would only repeat it.
      return args.type.startsWith("pulumi:providers:")
        ? [`Configure what the non-production stacks use: ${missing.map((k) => `"${k}": [...]`).join(", ")} in config.<stack>.json (empty lists when there are none).`]
        : [];
    }
    const listed = (key: ListKey, value: string | undefined) => value !== undefined && (lists[key] ?? []).includes(value);
    const problems = providersToJudge(args).flatMap((provider) => {
      if (provider.type === "pulumi:providers:aws") {
        const shared = stringList(provider.props.allowedAccountIds).filter((account) => listed("nonProductionAccountIds", account));
        return shared.map((account) => onProvider(provider, `the AWS provider allows the non-production AWS account ${account}: use an account of this stack's own.`));
      }
      if (provider.type === "pulumi:providers:gcp" && listed("nonProductionProjects", text(provider.props.project))) {
        return [onProvider(provider, `the GCP provider targets the non-production GCP project ${text(provider.props.project)}: use a project of this stack's own.`)];
      }
      return [];
    });
    if (args.type.startsWith("cloudflare:")) {
      if (listed("nonProductionCloudflareAccountIds", text(props.accountId))) problems.push(`accountId ${text(props.accountId)} is a non-production stack's Cloudflare account: use an account of this stack's own.`);
      if (listed("nonProductionCloudflareZoneIds", text(props.zoneId))) problems.push(`zoneId ${text(props.zoneId)} is a non-production stack's Cloudflare zone: use a zone of this stack's own.`);
    }
    return problems;
  },
});
