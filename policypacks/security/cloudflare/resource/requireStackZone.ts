import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { configString, resourcePolicy } from "../../lib/define";
import { text } from "../../lib/values";

const CLOUDFLARE_ID: PolicyConfigJSONSchema = { type: "string", pattern: "^[0-9a-f]{32}$" };

/**
 * Severity critical. Cloudflare's provider cannot be pinned to an account or zone the way the AWS
 * provider is (its only scoping is the API token's: README "Cloudflare prerequisites" scopes one
 * token per stack to exactly its zone). So every Cloudflare resource is judged here: its zoneId
 * must be the stack's zone and its accountId, where it has one, the stack's account ("zoneId" and
 * "accountId" in config.<stack>.json). Unconfigured, the Cloudflare provider itself is the
 * violation (once), as for AWS and GCP. An unknown zone id is decided at `up`.
 */
export const cloudflareResourceRequireStackZone = resourcePolicy({
  name: "cloudflare-resource-require-stack-zone",
  description: "Every Cloudflare resource must be in this stack's zone and account.",
  severity: "critical",
  types: "all",
  configSchema: { properties: { zoneId: CLOUDFLARE_ID, accountId: CLOUDFLARE_ID } },
  check: (props, args) => {
    const zone = configString(args, "zoneId");
    const account = configString(args, "accountId");
    if (zone === undefined || account === undefined) {
      return args.type === "pulumi:providers:cloudflare"
        ? ['Configure this stack\'s zone and account: --policy-pack-config with { "cloudflare-resource-require-stack-zone": { "zoneId": "<32 hex>", "accountId": "<32 hex>" } }.']
        : [];
    }
    if (!args.type.startsWith("cloudflare:")) return [];
    const verdicts: string[] = [];
    if ("zoneId" in props && text(props.zoneId) !== zone) verdicts.push(`Set zoneId "${zone}" (this stack's zone), not ${JSON.stringify(props.zoneId ?? null)}.`);
    if ("accountId" in props && props.accountId !== undefined && text(props.accountId) !== account) {
      verdicts.push(`Set accountId "${account}" (this stack's account), not ${JSON.stringify(props.accountId)}.`);
    }
    return verdicts;
  },
});
