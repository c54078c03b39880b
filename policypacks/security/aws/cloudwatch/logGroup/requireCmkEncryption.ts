import { resourcePolicy } from "../../../lib/define";
import { isCustomerManagedKeyRef } from "../../../lib/values";

/** Severity medium. Logs carry request metadata; a CMK lets us restrict and audit who reads them. */
export const awsCloudwatchLogGroupRequireCmkEncryption = resourcePolicy({
  name: "aws-cloudwatch-log-group-require-cmk-encryption",
  description: "CloudWatch log groups must be encrypted with a customer-managed KMS key.",
  severity: "medium",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  check: (props) =>
    isCustomerManagedKeyRef(props.kmsKeyId)
      ? []
      : ["Set kmsKeyId to your aws.kms.Key's arn (its key policy must allow logs.<region>.amazonaws.com)."],
});
