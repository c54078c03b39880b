import { resourcePolicy } from "../../lib/define";
import { isTrue, stringList, text } from "../../lib/values";

/** Origins that must sit behind the edge: API Gateway (execute-api) and AWS load balancers, CloudFront and Lambda URLs. */
const ORIGIN = /(\.execute-api\.[a-z0-9-]+\.amazonaws\.com|\.elb\.amazonaws\.com|\.lambda-url\.[a-z0-9-]+\.on\.aws|\.cloudfront\.net)\.?$/i;

/**
 * Severity high. A DNS-only record for the API host sends clients straight to the origin, around
 * the WAF, rate limits and origin lock (and publishes the origin). Records pointing at an API
 * origin, or named in this policy's "hosts" config, must be proxied.
 */
export const cloudflareDnsRecordRequireProxiedOrigin = resourcePolicy({
  name: "cloudflare-dns-record-require-proxied-origin",
  description: "Cloudflare DNS records for the API host or an API origin must be proxied through the edge.",
  severity: "high",
  types: ["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record"],
  configSchema: { properties: { hosts: { type: "array", items: { type: "string" } } } },
  check: (props, args) => {
    const hosts = stringList((args.getConfig<Record<string, unknown>>()).hosts).map((h) => h.toLowerCase());
    const name = (text(props.name) ?? "").toLowerCase();
    const fix = [`Set proxied: true for ${name || "this record"}: clients must reach the API through the edge.`];
    if (isTrue(props.proxied)) return [];
    if (hosts.includes(name)) return fix;
    // Decided from the target only when the name does not decide it (the target is often unknown in preview).
    const toOrigin = ["CNAME", "A", "AAAA"].includes(String(props.type)) && ORIGIN.test(text(props.content) ?? text(props.value) ?? "");
    return toOrigin ? fix : [];
  },
});
