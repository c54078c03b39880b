import { resourcePolicy } from "../../../lib/define";
import { isTrue } from "../../../lib/values";

/** Severity high. Per-object ACLs bypass bucket IAM; uniform access makes IAM the only way in. */
export const gcpStorageBucketRequireUniformAccess = resourcePolicy({
  name: "gcp-storage-bucket-require-uniform-access",
  description: "GCS buckets must use uniform bucket-level access.",
  severity: "high",
  types: ["gcp:storage/bucket:Bucket"],
  check: (props) => (isTrue(props.uniformBucketLevelAccess) ? [] : ["Set uniformBucketLevelAccess: true."]),
});
