import type { PolicyResource } from "@pulumi/policy";
import { type Deferred, deferralOf, isUnknownRead } from "../../lib/unknowns";
import { field, isRecord, text } from "../../lib/values";

/**
 * The per-host forms of the three TLS guarantees, as rules scoped to exactly one host. Only these
 * exact expressions count: a rule narrowed any further (a path, a method, `and false`) would leave
 * part of the host's traffic uncovered, so it is not accepted as covering the host.
 *
 * - SSL Full (strict): a configuration rule (phase http_config_settings) `set_config` with
 *   `ssl: "strict"` on `http.host eq "<host>"`.
 * - HTTPS only: a redirect rule (phase http_request_dynamic_redirect) on
 *   `http.host eq "<host>" and not ssl` whose target is https://.
 * - TLS >= 1.2: a cloudflare.HostnameTlsSetting min_tls_version 1.2/1.3 for the host, or a custom
 *   firewall rule (phase http_request_firewall_custom) that blocks
 *   `http.host eq "<host>" and cf.tls_version in {"TLSv1" "TLSv1.1"}`.
 */
export type Guarantee = "ssl" | "always_use_https" | "min_tls_version";

const onHost = (host: string) => `http.host eq ${JSON.stringify(host)}`;

function enabledRules(resource: PolicyResource, phase: string): Record<string, unknown>[] {
  if (resource.type !== "cloudflare:index/ruleset:Ruleset" || resource.props.phase !== phase) return [];
  const rules: unknown = resource.props.rules;
  return Array.isArray(rules) ? rules.filter((r): r is Record<string, unknown> => isRecord(r) && r.enabled !== false) : [];
}

const FORMS: Record<Guarantee, (resource: PolicyResource, host: string) => boolean> = {
  ssl: (resource, host) =>
    enabledRules(resource, "http_config_settings").some((r) => r.action === "set_config" && text(field(r, "actionParameters", "ssl")) === "strict" && r.expression === onHost(host)),
  always_use_https: (resource, host) =>
    enabledRules(resource, "http_request_dynamic_redirect").some((r) => {
      const target = text(field(r, "actionParameters", "fromValue", "targetUrl", "value")) ?? text(field(r, "actionParameters", "fromValue", "targetUrl", "expression")) ?? "";
      return r.action === "redirect" && r.expression === `${onHost(host)} and not ssl` && /^(concat\("https:\/\/"|"?https:\/\/)/.test(target);
    }),
  min_tls_version: (resource, host) => {
    if (resource.type === "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting") {
      return resource.props.hostname === host && resource.props.settingId === "min_tls_version" && ["1.2", "1.3"].includes(String(resource.props.value));
    }
    return enabledRules(resource, "http_request_firewall_custom").some((r) => r.action === "block" && r.expression === `${onHost(host)} and cf.tls_version in {"TLSv1" "TLSv1.1"}`);
  },
};

/**
 * Whether some resource of the stack, in the host's zone, gives the host this guarantee: "unknown"
 * when none does for sure but one whose values are not known yet (a preview) might.
 */
export function coveredPerHost(resources: readonly PolicyResource[], zone: string, host: string, guarantee: Guarantee): boolean | Deferred {
  let unknown: Deferred | undefined;
  for (const r of resources) {
    try {
      if (FORMS[guarantee](r, host) && text(r.props.zoneId) === zone) return true;
    } catch (error) {
      if (!isUnknownRead(error)) throw error;
      unknown ??= deferralOf(error);
    }
  }
  return unknown ?? false;
}

export const PER_HOST_FIX: Record<Guarantee, string> = {
  ssl: 'a configuration rule set_config { ssl: "strict" } on http.host eq "<host>"',
  always_use_https: 'a redirect rule on http.host eq "<host>" and not ssl to https://',
  min_tls_version: 'a HostnameTlsSetting min_tls_version "1.2", or a block rule on http.host eq "<host>" and cf.tls_version in {"TLSv1" "TLSv1.1"}',
};
