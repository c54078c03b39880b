import { configNumber, resourcePolicy } from "../../../lib/define";
import { text } from "../../../lib/values";

/** Checkov CKV_GCP_43 (CIS GCP 1.10): rotate within 90 days. */
const DEFAULT_MAXIMUM_DAYS = 90;
const SECONDS_PER_DAY = 86_400;

/**
 * Severity medium. Rotation bounds how much data one key version protects (only ENCRYPT_DECRYPT
 * keys rotate). rotationPeriod ("<seconds>s") must be at most "maximumDays" (default 90).
 */
export const gcpKmsCryptoKeyRequireRotation = resourcePolicy({
  name: "gcp-kms-crypto-key-require-rotation",
  description: "Cloud KMS symmetric keys must rotate at least every configured period (default 90 days).",
  severity: "medium",
  types: ["gcp:kms/cryptoKey:CryptoKey"],
  configSchema: { properties: { maximumDays: { type: "integer", minimum: 1, default: DEFAULT_MAXIMUM_DAYS } } },
  check: (props, args) => {
    if ((text(props.purpose) ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return [];
    const maximum = configNumber(args, "maximumDays", DEFAULT_MAXIMUM_DAYS);
    const fix = `Set rotationPeriod to at most "${maximum * SECONDS_PER_DAY}s" (${maximum} days).`;
    const period = /^(\d+(?:\.\d+)?)s$/.exec(text(props.rotationPeriod) ?? "");
    if (!period) return [fix];
    return Number(period[1]) <= maximum * SECONDS_PER_DAY ? [] : [fix];
  },
});
