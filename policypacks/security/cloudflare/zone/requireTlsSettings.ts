import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type StackVerdict } from "../../lib/define";
import { decide, Deferred } from "../../lib/unknowns";
import { isTrue, text } from "../../lib/values";
import { REQUIRED_ZONE_SETTINGS, type RequiredSettingId } from "../zoneSetting/requiredSettings";
import { coveredPerHost, PER_HOST_FIX } from "./hostTlsForms";

/** Hosts the stack proxies through the edge (proxied DNS records), by zone id; unknown values are skipped. */
function proxiedHosts(resources: readonly PolicyResource[]): { zone: string; host: string; urn: string }[] {
  const hosts: { zone: string; host: string; urn: string }[] = [];
  for (const r of resources) {
    if (r.type !== "cloudflare:index/dnsRecord:DnsRecord" && r.type !== "cloudflare:index/record:Record") continue;
    decide(() => {
      const zone = text(r.props.zoneId);
      const host = text(r.props.name)?.toLowerCase().replace(/\.$/, "");
      if (zone !== undefined && host !== undefined && isTrue(r.props.proxied)) hosts.push({ zone, host, urn: r.urn });
      return [];
    });
  }
  return hosts;
}

/**
 * Severity high. The per-setting policies judge a value wherever it is set; this one makes sure
 * every host the stack proxies HAS strict SSL, TLS >= 1.2 and HTTPS only, managed by the stack
 * instead of inherited from whatever the zone had. Either form counts: the zone settings (they
 * cover every name in the zone), or rules and settings scoped to exactly that host
 * (hostTlsForms.ts), which leave the zone's other names alone. Absence can only be judged across
 * the stack, so this stays a stack policy.
 */
export const cloudflareZoneRequireTlsSettings = stackPolicy({
  name: "cloudflare-zone-require-tls-settings",
  description: "Every host the stack proxies through Cloudflare must have SSL Full (strict), TLS >= 1.2 and HTTPS only managed by the stack (zone settings, or rules scoped to the host).",
  severity: "high",
  check: (resources) => {
    const zoneSettings = new Set<string>();
    // A setting whose zone is not known yet (a preview) may be this zone's: its guarantee waits for `up`.
    const unknownZone = new Map<string, Deferred>();
    for (const s of resources.filter((r) => r.type === "cloudflare:index/zoneSetting:ZoneSetting")) {
      for (const verdict of decide(() => {
        zoneSettings.add(`${String(s.props.zoneId)}/${String(s.props.settingId)}`);
        return [];
      })) {
        if (verdict instanceof Deferred && typeof s.props.settingId === "string") unknownZone.set(s.props.settingId, verdict);
      }
    }
    return proxiedHosts(resources).flatMap(({ zone, host, urn }): StackVerdict[] =>
      (Object.keys(REQUIRED_ZONE_SETTINGS) as RequiredSettingId[]).flatMap((id): StackVerdict[] => {
        if (zoneSettings.has(`${zone}/${id}`)) return [];
        const covered = coveredPerHost(resources, zone, host, id);
        if (covered === true) return [];
        if (covered !== false) return [{ urn, verdict: covered }];
        const pending = unknownZone.get(id);
        if (pending) return [{ urn, verdict: pending }];
        return [{ urn, verdict: `Host ${host} (zone ${zone}) has no ${id} managed by the stack: add ${PER_HOST_FIX[id].replace("<host>", host)} (or the zone-wide cloudflare.ZoneSetting ${REQUIRED_ZONE_SETTINGS[id].fix}).` }];
      }),
    );
  },
});
