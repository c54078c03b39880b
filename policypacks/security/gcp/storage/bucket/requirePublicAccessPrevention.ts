import { resourcePolicy } from "../../../lib/define";

/** Severity critical. Enforced public access prevention makes any allUsers grant fail, whoever adds it later. */
export const gcpStorageBucketRequirePublicAccessPrevention = resourcePolicy({
  name: "gcp-storage-bucket-require-public-access-prevention",
  description: "GCS buckets must enforce public access prevention.",
  severity: "critical",
  types: ["gcp:storage/bucket:Bucket"],
  check: (props) => (props.publicAccessPrevention === "enforced" ? [] : ['Set publicAccessPrevention: "enforced".']),
});
