import { resourcePolicy } from "../../lib/define";
import { text } from "../../lib/values";
import { REQUIRED_ZONE_SETTINGS } from "./requiredSettings";

const SETTING = REQUIRED_ZONE_SETTINGS.always_use_https;

/** Severity high. Plain-HTTP requests would carry webhook payloads and tokens in clear text. */
export const cloudflareZoneSettingRequireAlwaysHttps = resourcePolicy({
  name: "cloudflare-zone-setting-require-always-https",
  description: "Cloudflare zones must redirect HTTP to HTTPS.",
  severity: "high",
  types: ["cloudflare:index/zoneSetting:ZoneSetting"],
  check: (props) => {
    if (props.settingId !== "always_use_https") return [];
    const value = text(props.value);
    return value !== undefined && (SETTING.accepted as readonly string[]).includes(value) ? [] : [`Set ${SETTING.fix}.`];
  },
});
