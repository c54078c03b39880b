import { resourcePolicy } from "../../../lib/define";
import { field, isTrue } from "../../../lib/values";

/** Severity medium. Versioning keeps an overwritten or deleted export recoverable. */
export const gcpStorageBucketRequireVersioning = resourcePolicy({
  name: "gcp-storage-bucket-require-versioning",
  description: "GCS buckets must have object versioning enabled.",
  severity: "medium",
  types: ["gcp:storage/bucket:Bucket"],
  check: (props) => (isTrue(field(props, "versioning", "enabled")) ? [] : ["Set versioning: { enabled: true } (with a lifecycle rule for old versions)."]),
});
