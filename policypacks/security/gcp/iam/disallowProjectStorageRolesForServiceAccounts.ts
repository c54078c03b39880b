import { resourcePolicy } from "../../lib/define";
import { bindingsOf, GCP_IAM_TYPES, isProjectLevel } from "../../lib/gcpIam";

/** Workload identities: service accounts and federated principals (Workload Identity Federation). */
function isWorkload(member: string): boolean {
  return member.startsWith("serviceAccount:") || member.startsWith("principal:") || member.startsWith("principalSet:");
}

/** Severity high. A project-level storage role reaches every bucket in the project, not just the one the workload writes. */
export const gcpIamDisallowProjectStorageRolesForServiceAccounts = resourcePolicy({
  name: "gcp-iam-disallow-project-storage-roles-for-service-accounts",
  description: "Workload service accounts and federated principals must get storage roles on a bucket, not on the project.",
  severity: "high",
  types: GCP_IAM_TYPES.filter(isProjectLevel),
  check: (props) =>
    bindingsOf(props)
      .filter((b) => b.role.startsWith("roles/storage."))
      .flatMap((b) => b.members.filter(isWorkload).map((m) => ({ role: b.role, member: m })))
      .map(({ role, member }) => `Grant ${role} to ${member} with gcp.storage.BucketIAMMember on the one bucket instead.`),
});
