import { resourcePolicy } from "../../lib/define";
import { decide, type Verdict } from "../../lib/unknowns";
import { field, isRecord, text } from "../../lib/values";

const WEAK_TLS = ["1.0", "1.1"];
const WEAK_SSL = ["off", "flexible", "full"];

function each(list: unknown, judge: (item: Record<string, unknown>) => Verdict[]): Verdict[] {
  if (!Array.isArray(list)) return [];
  return [...list.keys()].flatMap((i) =>
    decide(() => {
      const item: unknown = list[i];
      return isRecord(item) ? judge(item) : [];
    }),
  );
}

/** Ruleset rules: configuration rules (set_config ssl) and redirects to plain http://. */
function rulesetVerdicts(props: Readonly<Record<string, unknown>>): Verdict[] {
  return each(props.rules, (rule) => {
    const ssl = text(field(rule, "actionParameters", "ssl"));
    const target = text(field(rule, "actionParameters", "fromValue", "targetUrl", "value")) ?? text(field(rule, "actionParameters", "fromValue", "targetUrl", "expression"));
    return [
      ...(ssl !== undefined && WEAK_SSL.includes(ssl) ? [`A rule sets ssl "${ssl}": remove it or set "strict" (the zone's mode).`] : []),
      ...(target !== undefined && /^"?http:\/\//i.test(target) ? [`A rule redirects to ${target}: redirect to https:// only.`] : []),
    ];
  });
}

/**
 * Severity high. The zone settings policies judge cloudflare.ZoneSetting; these resources lower
 * TLS for some hosts or paths all the same (Cloudflare provider 6.x schema): HostnameTlsSetting
 * (min_tls_version per hostname), PageRule actions (ssl, alwaysUseHttps), Ruleset configuration
 * rules (set_config ssl) and redirects to http://, CustomHostname ssl settings. Certificate packs
 * have no TLS-version field.
 */
export const cloudflareEdgeDisallowTlsDowngrade = resourcePolicy({
  name: "cloudflare-edge-disallow-tls-downgrade",
  description: "No Cloudflare resource may lower TLS below 1.2, SSL below Full (strict), or send clients to plain HTTP.",
  severity: "high",
  types: [
    "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting",
    "cloudflare:index/pageRule:PageRule",
    "cloudflare:index/ruleset:Ruleset",
    "cloudflare:index/customHostname:CustomHostname",
  ],
  check: (props, args) => {
    switch (args.type) {
      case "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting":
        return props.settingId === "min_tls_version" && WEAK_TLS.includes(String(props.value)) ? [`Set value "1.2" for ${String(props.hostname)}.`] : [];
      case "cloudflare:index/pageRule:PageRule": {
        const ssl = text(field(props, "actions", "ssl"));
        return [
          ...decide(() => (ssl !== undefined && WEAK_SSL.includes(ssl) ? [`Remove actions.ssl "${ssl}" (or set "strict").`] : [])),
          ...decide(() => (field(props, "actions", "alwaysUseHttps") === false ? ["Remove actions.alwaysUseHttps: false."] : [])),
        ];
      }
      case "cloudflare:index/customHostname:CustomHostname": {
        const min = text(field(props, "ssl", "settings", "minTlsVersion"));
        return min !== undefined && WEAK_TLS.includes(min) ? ['Set ssl.settings.minTlsVersion "1.2".'] : [];
      }
      default:
        return rulesetVerdicts(props);
    }
  },
});
