/** Zone settings the edge must have, with the accepted values and how to set them (Cloudflare v6: one ZoneSetting per setting id). */
export const REQUIRED_ZONE_SETTINGS = {
  min_tls_version: { accepted: ["1.2", "1.3"], fix: 'settingId: "min_tls_version", value: "1.2"' },
  ssl: { accepted: ["strict"], fix: 'settingId: "ssl", value: "strict"' },
  always_use_https: { accepted: ["on"], fix: 'settingId: "always_use_https", value: "on"' },
} as const;

export type RequiredSettingId = keyof typeof REQUIRED_ZONE_SETTINGS;
