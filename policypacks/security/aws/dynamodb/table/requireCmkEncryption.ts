import { resourcePolicy } from "../../../lib/define";
import { field, isCustomerManagedKeyRef, isTrue } from "../../../lib/values";

/**
 * Severity high. Without serverSideEncryption.kmsKeyArn DynamoDB encrypts with an AWS-owned or
 * AWS-managed key: nobody can restrict or audit its use per table, or revoke it.
 */
export const awsDynamodbTableRequireCmkEncryption = resourcePolicy({
  name: "aws-dynamodb-table-require-cmk-encryption",
  description: "DynamoDB tables must be encrypted with a customer-managed KMS key.",
  severity: "high",
  types: ["aws:dynamodb/table:Table"],
  check: (props) =>
    isTrue(field(props, "serverSideEncryption", "enabled")) &&
    isCustomerManagedKeyRef(field(props, "serverSideEncryption", "kmsKeyArn"))
      ? []
      : ["Set serverSideEncryption: { enabled: true, kmsKeyArn: <your aws.kms.Key's arn> } (not an alias/aws/* key)."],
});
