import { resourcePolicy } from "../../../lib/define";
import { isTrue } from "../../../lib/values";

/** Severity high. Bypassing the lockout safety check can leave a key nobody can manage (compliance-policies). */
export const awsKmsKeyDisallowBypassPolicyLockoutSafetyCheck = resourcePolicy({
  name: "aws-kms-key-disallow-bypass-policy-lockout-safety-check",
  description: "KMS keys and key policies must not bypass the key policy lockout safety check.",
  severity: "high",
  types: ["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"],
  check: (props) => (isTrue(props.bypassPolicyLockoutSafetyCheck) ? ["Remove bypassPolicyLockoutSafetyCheck (or set it false)."] : []),
});
