import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type StackVerdict } from "../../lib/define";
import { decide } from "../../lib/unknowns";
import { text } from "../../lib/values";
import { REQUIRED_ZONE_SETTINGS, type RequiredSettingId } from "../zoneSetting/requiredSettings";

/** Zones the stack puts anything into (DNS records, rulesets, settings), by zone id; an unknown zone id is skipped. */
function zonesUsed(resources: readonly PolicyResource[]): Map<string, string> {
  const zones = new Map<string, string>();
  for (const r of resources) {
    if (!r.type.startsWith("cloudflare:")) continue;
    decide(() => {
      const zone = text(r.props.zoneId);
      if (zone !== undefined && !zones.has(zone)) zones.set(zone, r.urn);
      return [];
    });
  }
  return zones;
}

/**
 * Severity high. The per-setting policies judge a setting's value; this one makes sure the stack
 * sets them at all for every zone it serves from, instead of inheriting whatever the zone had.
 * Absence can only be judged across the stack, so this stays a stack policy.
 */
export const cloudflareZoneRequireTlsSettings = stackPolicy({
  name: "cloudflare-zone-require-tls-settings",
  description: "Every Cloudflare zone the stack uses must have min_tls_version, ssl and always_use_https managed by the stack.",
  severity: "high",
  check: (resources) => {
    const settings = new Set<string>();
    for (const s of resources.filter((r) => r.type === "cloudflare:index/zoneSetting:ZoneSetting")) {
      decide(() => {
        settings.add(`${String(s.props.zoneId)}/${String(s.props.settingId)}`);
        return [];
      });
    }
    return [...zonesUsed(resources)].flatMap(([zone, urn]): StackVerdict[] =>
      (Object.keys(REQUIRED_ZONE_SETTINGS) as RequiredSettingId[])
        .filter((id) => !settings.has(`${zone}/${id}`))
        .map((id) => ({ urn, verdict: `Zone ${zone} has no ${id} setting: add a cloudflare.ZoneSetting with ${REQUIRED_ZONE_SETTINGS[id].fix}.` })),
    );
  },
});
