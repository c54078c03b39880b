import { resourcePolicy } from "../../../lib/define";
import { text } from "../../../lib/values";

/**
 * Severity critical. Without an attribute condition, every identity the external issuer vouches
 * for (any AWS account's roles, any OIDC subject) can exchange tokens in our pool.
 */
export const gcpIamWorkloadIdentityProviderRequireAttributeCondition = resourcePolicy({
  name: "gcp-iam-workload-identity-provider-require-attribute-condition",
  description: "Workload Identity pool providers must restrict who may federate with an attribute condition.",
  severity: "critical",
  types: ["gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"],
  check: (props) =>
    // A condition that tests no attribute ("true", "1 == 1") admits every identity all the same.
    /\b(assertion|attribute|google)\./.test(text(props.attributeCondition) ?? "")
      ? []
      : ['Set attributeCondition to the one trusted identity, e.g. "attribute.aws_role == \'arn:aws:sts::<account>:assumed-role/<role>\'".'],
});
