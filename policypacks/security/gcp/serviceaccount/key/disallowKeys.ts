import { resourcePolicy } from "../../../lib/define";

/** Severity critical. A service account key is a long-lived credential that ends up in state, CI and laptops. */
export const gcpServiceaccountKeyDisallowCreation = resourcePolicy({
  name: "gcp-serviceaccount-key-disallow-creation",
  description: "Service account keys must not be created; use Workload Identity Federation instead.",
  severity: "critical",
  types: ["gcp:serviceaccount/key:Key"],
  check: () => [
    "Remove this key: let the workload federate (gcp.iam.WorkloadIdentityPoolProvider) and impersonate the service account keylessly.",
  ],
});
