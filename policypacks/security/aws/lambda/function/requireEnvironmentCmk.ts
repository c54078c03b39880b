import { resourcePolicy } from "../../../lib/define";
import { field, isCustomerManagedKeyRef, isRecord } from "../../../lib/values";

/** Severity medium. Environment variables (table names, secret ARNs, config) are encrypted at rest with a key we control. */
export const awsLambdaFunctionRequireEnvironmentCmk = resourcePolicy({
  name: "aws-lambda-function-require-environment-cmk",
  description: "Lambda functions with environment variables must encrypt them with a customer-managed KMS key.",
  severity: "medium",
  types: ["aws:lambda/function:Function"],
  check: (props) => {
    const variables = field(props, "environment", "variables");
    if (!isRecord(variables) || Object.keys(variables).length === 0) return [];
    return isCustomerManagedKeyRef(props.kmsKeyArn) ? [] : ["Set kmsKeyArn to your aws.kms.Key's arn."];
  },
});
