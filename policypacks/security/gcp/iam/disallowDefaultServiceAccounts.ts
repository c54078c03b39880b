import { resourcePolicy } from "../../lib/define";
import { decide } from "../../lib/unknowns";
import { bindingsOf, GCP_IAM_TYPES, isHierarchyLevel } from "../../lib/gcpIam";

/** Compute Engine and App Engine default service accounts (PROJECT_NUMBER-compute@developer…, PROJECT@appspot…). */
const DEFAULT_SA = /^serviceAccount:(\d+-compute@developer\.gserviceaccount\.com|[^@]+@appspot\.gserviceaccount\.com)$/;

/** Severity high. Default service accounts are shared by every VM or app in the project (Checkov CKV_GCP_46, 47, 48). */
export const gcpIamDisallowDefaultServiceAccounts = resourcePolicy({
  name: "gcp-iam-disallow-default-service-accounts",
  description: "GCP default service accounts must not get roles at project, folder or organization level.",
  severity: "high",
  types: GCP_IAM_TYPES.filter(isHierarchyLevel),
  check: (props) =>
    bindingsOf(props).flatMap((b) =>
      decide(() => b.members().filter((m) => DEFAULT_SA.test(m)).map((m) => `Remove ${b.role} for ${m}: create a dedicated service account for the workload.`)),
    ),
});
