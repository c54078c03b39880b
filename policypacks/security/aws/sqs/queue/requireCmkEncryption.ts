import { resourcePolicy } from "../../../lib/define";
import { isCustomerManagedKeyRef } from "../../../lib/values";

/** Severity medium. Queued messages are user data; SQS-managed SSE cannot be restricted per queue. */
export const awsSqsQueueRequireCmkEncryption = resourcePolicy({
  name: "aws-sqs-queue-require-cmk-encryption",
  description: "SQS queues must be encrypted with a customer-managed KMS key.",
  severity: "medium",
  types: ["aws:sqs/queue:Queue"],
  check: (props) =>
    isCustomerManagedKeyRef(props.kmsMasterKeyId)
      ? []
      : ["Set kmsMasterKeyId to your aws.kms.Key's arn (not sqsManagedSseEnabled, not alias/aws/sqs)."],
});
