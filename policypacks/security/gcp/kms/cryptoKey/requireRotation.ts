import { resourcePolicy } from "../../../lib/define";
import { text } from "../../../lib/values";

/** Severity medium. Rotation bounds how much data one key version protects (only ENCRYPT_DECRYPT keys rotate). */
export const gcpKmsCryptoKeyRequireRotation = resourcePolicy({
  name: "gcp-kms-crypto-key-require-rotation",
  description: "Cloud KMS symmetric keys must have a rotation period.",
  severity: "medium",
  types: ["gcp:kms/cryptoKey:CryptoKey"],
  check: (props) => {
    if ((text(props.purpose) ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return [];
    return text(props.rotationPeriod) !== undefined ? [] : ['Set rotationPeriod (e.g. "7776000s" for 90 days).'];
  },
});
