import { resourcePolicy } from "../../lib/define";
import { text } from "../../lib/values";
import { REQUIRED_ZONE_SETTINGS } from "./requiredSettings";

const SETTING = REQUIRED_ZONE_SETTINGS.ssl;

/** Severity critical. Anything weaker lets the edge talk to the origin without validating its certificate (or in clear text). */
export const cloudflareZoneSettingRequireSslStrict = resourcePolicy({
  name: "cloudflare-zone-setting-require-ssl-strict",
  description: "Cloudflare zones must use SSL mode Full (strict).",
  severity: "critical",
  types: ["cloudflare:index/zoneSetting:ZoneSetting"],
  check: (props) => {
    if (props.settingId !== "ssl") return [];
    const value = text(props.value);
    return value !== undefined && (SETTING.accepted as readonly string[]).includes(value) ? [] : [`Set ${SETTING.fix}.`];
  },
});
