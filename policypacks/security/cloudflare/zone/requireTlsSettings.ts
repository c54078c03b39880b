import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../../lib/define";
import { text } from "../../lib/values";
import { REQUIRED_ZONE_SETTINGS, type RequiredSettingId } from "../zoneSetting/requiredSettings";

/** Zones the stack puts anything into (DNS records, rulesets, settings), by zone id. */
function zonesUsed(resources: readonly PolicyResource[]): Map<string, string> {
  const zones = new Map<string, string>();
  for (const r of resources) {
    const zone = r.type.startsWith("cloudflare:") ? text(r.props.zoneId) : undefined;
    if (zone !== undefined && !zones.has(zone)) zones.set(zone, r.urn);
  }
  return zones;
}

/**
 * Severity high. The per-setting policies judge a setting's value; this one makes sure the stack
 * sets them at all for every zone it serves from, instead of inheriting whatever the zone had.
 */
export const cloudflareZoneRequireTlsSettings = stackPolicy({
  name: "cloudflare-zone-require-tls-settings",
  description: "Every Cloudflare zone the stack uses must have min_tls_version, ssl and always_use_https managed by the stack.",
  severity: "high",
  check: (resources) => {
    const settings = resources.filter((r) => r.type === "cloudflare:index/zoneSetting:ZoneSetting");
    return [...zonesUsed(resources)].flatMap(([zone, urn]) =>
      (Object.keys(REQUIRED_ZONE_SETTINGS) as RequiredSettingId[])
        .filter((id) => !settings.some((s) => s.props.zoneId === zone && s.props.settingId === id))
        .map((id) => ({ urn, message: `Zone ${zone} has no ${id} setting: add a cloudflare.ZoneSetting with ${REQUIRED_ZONE_SETTINGS[id].fix}.` })),
    );
  },
});
