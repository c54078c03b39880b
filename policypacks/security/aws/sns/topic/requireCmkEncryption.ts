import { resourcePolicy } from "../../../lib/define";
import { isCustomerManagedKeyRef } from "../../../lib/values";

/** Severity medium. Alarm and notification payloads are encrypted at rest with a key we control. */
export const awsSnsTopicRequireCmkEncryption = resourcePolicy({
  name: "aws-sns-topic-require-cmk-encryption",
  description: "SNS topics must be encrypted with a customer-managed KMS key.",
  severity: "medium",
  types: ["aws:sns/topic:Topic"],
  check: (props) =>
    isCustomerManagedKeyRef(props.kmsMasterKeyId)
      ? []
      : ["Set kmsMasterKeyId to your aws.kms.Key's arn (its key policy must allow the publishing services)."],
});
