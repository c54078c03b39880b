/**
 * Zone-wide TLS settings, one cloudflare.ZoneSetting per id (provider v6). They apply to every
 * name in the zone, not only the API hostname, so the edge sets them only when the stack opts in
 * (botfleet:cloudflareZoneWideTls); by default the API host gets its own rules (hostTls.ts). Pure data.
 */
export interface ZoneSettingValue {
  readonly id: "ssl" | "min_tls_version" | "tls_1_3" | "always_use_https" | "automatic_https_rewrites" | "security_header";
  readonly value: unknown;
}

/** One year, the HSTS minimum that preload lists and most scanners expect. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

export const ZONE_SETTINGS: readonly ZoneSettingValue[] = Object.freeze([
  // Full (strict): Cloudflare validates the origin's certificate (API Gateway's ACM certificate).
  { id: "ssl", value: "strict" },
  { id: "min_tls_version", value: "1.2" },
  { id: "tls_1_3", value: "on" },
  { id: "always_use_https", value: "on" },
  { id: "automatic_https_rewrites", value: "on" },
  {
    id: "security_header",
    // snake_case inside `value`: it goes to the API as is (camelCase keys never converge,
    // pulumi/pulumi-cloudflare#1579). Preload stays off: it is hard to undo for a whole domain.
    value: {
      strict_transport_security: { enabled: true, max_age: HSTS_MAX_AGE_SECONDS, include_subdomains: true, nosniff: true, preload: false },
    },
  },
]);
