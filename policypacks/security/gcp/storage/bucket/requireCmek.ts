import { resourcePolicy } from "../../../lib/define";
import { field, text } from "../../../lib/values";

/** Severity high. The archive holds exported conversations; a CMEK lets us restrict, audit and revoke access to them. */
export const gcpStorageBucketRequireCmek = resourcePolicy({
  name: "gcp-storage-bucket-require-cmek",
  description: "GCS buckets must set a default Cloud KMS key (CMEK).",
  severity: "high",
  types: ["gcp:storage/bucket:Bucket"],
  check: (props) =>
    text(field(props, "encryption", "defaultKmsKeyName")) !== undefined
      ? []
      : ["Set encryption: { defaultKmsKeyName: <your gcp.kms.CryptoKey's id> } and grant the GCS service agent encrypt/decrypt on it."],
});
