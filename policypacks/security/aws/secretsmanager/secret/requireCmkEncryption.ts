import { resourcePolicy } from "../../../lib/define";
import { isCustomerManagedKeyRef } from "../../../lib/values";

/** Severity high. Bot tokens and signing secrets: with a CMK, reading one needs kms:Decrypt on our key too. */
export const awsSecretsmanagerSecretRequireCmkEncryption = resourcePolicy({
  name: "aws-secretsmanager-secret-require-cmk-encryption",
  description: "Secrets Manager secrets must be encrypted with a customer-managed KMS key.",
  severity: "high",
  types: ["aws:secretsmanager/secret:Secret"],
  check: (props) =>
    isCustomerManagedKeyRef(props.kmsKeyId) ? [] : ["Set kmsKeyId to your aws.kms.Key's arn (not alias/aws/secretsmanager)."],
});
