import { resourcePolicy } from "../../lib/define";
import { bindingsOf, forMembers, GCP_IAM_TYPES } from "../../lib/gcpIam";

const PRIMITIVE = ["roles/owner", "roles/editor", "roles/viewer"];

/**
 * Severity critical. Owner/editor/viewer span every service in the project; predefined roles name
 * what is needed. Decided from the role alone: a member still unknown in preview does not defer it.
 */
export const gcpIamDisallowPrimitiveRoles = resourcePolicy({
  name: "gcp-iam-disallow-primitive-roles",
  description: "GCP IAM must not grant the primitive roles owner, editor or viewer.",
  severity: "critical",
  types: GCP_IAM_TYPES,
  check: (props) =>
    bindingsOf(props)
      .filter((b) => PRIMITIVE.includes(b.role))
      .map((b) => `Replace ${b.role}${forMembers(b)} with the predefined role that covers only what is needed (e.g. roles/storage.objectCreator on the bucket).`),
});
