import { resourcePolicy } from "../../../lib/define";
import { isTrue, text } from "../../../lib/values";

/** Severity medium. Rotation bounds how much data one key version protects. AWS rotates only symmetric keys. */
export const awsKmsKeyRequireRotation = resourcePolicy({
  name: "aws-kms-key-require-rotation",
  description: "Symmetric KMS keys must have automatic key rotation enabled.",
  severity: "medium",
  types: ["aws:kms/key:Key"],
  check: (props) => {
    const spec = text(props.customerMasterKeySpec) ?? text(props.keySpec) ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return [];
    return isTrue(props.enableKeyRotation) ? [] : ["Set enableKeyRotation: true (optionally rotationPeriodInDays)."];
  },
});
