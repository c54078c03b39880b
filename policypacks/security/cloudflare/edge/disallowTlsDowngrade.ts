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

/** A header transform that removes HSTS or sets max-age=0 (which tells browsers to forget it). */
function hstsVerdicts(rule: Record<string, unknown>): Verdict[] {
  const headers = field(rule, "actionParameters", "headers");
  if (!isRecord(headers)) return [];
  return Object.entries(headers)
    .filter(([name]) => name.toLowerCase() === "strict-transport-security")
    .flatMap(([name, change]) => {
      const operation = text(field(change, "operation"));
      const value = text(field(change, "value")) ?? "";
      if (operation === "remove") return [`A rule removes ${name}: keep HSTS on the API host.`];
      return /max-age\s*=\s*"?0+"?(\s*;|\s*$)/i.test(value) ? [`A rule sets ${name}: ${value}, which makes browsers drop HSTS: set max-age=31536000.`] : [];
    });
}

/** Ruleset rules: configuration rules (set_config ssl), redirects to plain http://, HSTS removed by a header transform. */
function rulesetVerdicts(props: Readonly<Record<string, unknown>>): Verdict[] {
  return each(props.rules, (rule) => {
    const ssl = text(field(rule, "actionParameters", "ssl"));
    const target = text(field(rule, "actionParameters", "fromValue", "targetUrl", "value")) ?? text(field(rule, "actionParameters", "fromValue", "targetUrl", "expression"));
    return [
      ...(ssl !== undefined && WEAK_SSL.includes(ssl) ? [`A rule sets ssl "${ssl}": remove it or set "strict" (the zone's mode).`] : []),
      ...(target !== undefined && /^(concat\()?"?http:\/\//i.test(target) ? [`A rule redirects to ${target}: redirect to https:// only.`] : []),
      ...hstsVerdicts(rule),
    ];
  });
}

/**
 * Severity high. The zone settings policies judge cloudflare.ZoneSetting; these resources lower
 * TLS for some hosts or paths all the same (Cloudflare provider 6.x schema): HostnameTlsSetting
 * (min_tls_version per hostname), PageRule actions (ssl, alwaysUseHttps), Ruleset configuration
 * rules (set_config ssl), redirects to http:// (a URL or a concat("http://", …) expression) and
 * response header transforms that remove HSTS or set max-age=0, CustomHostname ssl settings.
 * Certificate packs have no TLS-version field. The edge's per-host TLS (rules scoped to the API
 * host) is judged here and by cloudflare-zone-require-tls-settings, so a downgrade through any of
 * these resources is refused whether the stack sets TLS zone-wide or per host.
 */
export const cloudflareEdgeDisallowTlsDowngrade = resourcePolicy({
  name: "cloudflare-edge-disallow-tls-downgrade",
  description: "No Cloudflare resource may lower TLS below 1.2, SSL below Full (strict), send clients to plain HTTP, or turn HSTS off.",
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
