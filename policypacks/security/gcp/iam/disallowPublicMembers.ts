import { resourcePolicy } from "../../lib/define";
import { decide } from "../../lib/unknowns";
import { bindingsOf, GCP_IAM_TYPES } from "../../lib/gcpIam";

const PUBLIC = ["allUsers", "allAuthenticatedUsers"];

/** Severity critical. allUsers is the internet; allAuthenticatedUsers is anyone with a Google account. */
export const gcpIamDisallowPublicMembers = resourcePolicy({
  name: "gcp-iam-disallow-public-members",
  description: "GCP IAM must not grant roles to allUsers or allAuthenticatedUsers.",
  severity: "critical",
  types: GCP_IAM_TYPES,
  check: (props) =>
    bindingsOf(props).flatMap((b) =>
      decide(() => b.members().filter((m) => PUBLIC.includes(m)).map((m) => `Remove ${m} from ${b.role}: grant to the specific service account or principal set.`)),
    ),
});
