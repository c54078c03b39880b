import { resourcePolicy } from "../../lib/define";
import { decide } from "../../lib/unknowns";
import { bindingsOf, GCP_IAM_TYPES, isHierarchyLevel, isWorkload } from "../../lib/gcpIam";

/** Severity high. A project-, folder- or organization-level storage role reaches every bucket below it, not just the one the workload writes. */
export const gcpIamDisallowProjectStorageRolesForServiceAccounts = resourcePolicy({
  name: "gcp-iam-disallow-project-storage-roles-for-service-accounts",
  description: "Workload service accounts and federated principals must get storage roles on a bucket, not on the project.",
  severity: "high",
  types: GCP_IAM_TYPES.filter(isHierarchyLevel),
  check: (props) =>
    bindingsOf(props)
      .filter((b) => b.role.startsWith("roles/storage."))
      .flatMap((b) =>
        decide(() => b.members().filter(isWorkload).map((m) => `Grant ${b.role} to ${m} with gcp.storage.BucketIAMMember on the one bucket instead.`)),
      ),
});
