import { resourcePolicy } from "../../lib/define";
import { text } from "../../lib/values";
import { REQUIRED_ZONE_SETTINGS } from "./requiredSettings";

const SETTING = REQUIRED_ZONE_SETTINGS.min_tls_version;

/** Severity high. TLS 1.0/1.1 are broken and deprecated. */
export const cloudflareZoneSettingRequireMinTls12 = resourcePolicy({
  name: "cloudflare-zone-setting-require-min-tls-1-2",
  description: "Cloudflare zones must refuse TLS older than 1.2.",
  severity: "high",
  types: ["cloudflare:index/zoneSetting:ZoneSetting"],
  check: (props) => {
    if (props.settingId !== "min_tls_version") return [];
    const value = text(props.value);
    return value !== undefined && (SETTING.accepted as readonly string[]).includes(value) ? [] : [`Set ${SETTING.fix}.`];
  },
});
