import { configString, ENVIRONMENT_SCHEMA, resourcePolicy } from "../../../lib/define";
import { isTrue } from "../../../lib/values";

/**
 * Severity high. A prod table must survive a mistaken `pulumi destroy` or replacement. Which
 * environment a stack is comes from this policy's config ("environment": "dev" | "prod", set in
 * config.<stack>.json); unconfigured, the policy assumes prod, the safe side.
 */
export const awsDynamodbTableRequireDeletionProtection = resourcePolicy({
  name: "aws-dynamodb-table-require-deletion-protection",
  description: "DynamoDB tables in prod must have deletion protection enabled.",
  severity: "high",
  types: ["aws:dynamodb/table:Table"],
  configSchema: { properties: { environment: ENVIRONMENT_SCHEMA } },
  check: (props, args) => {
    if (configString(args, "environment") === "dev") return [];
    return isTrue(props.deletionProtectionEnabled) ? [] : ["Set deletionProtectionEnabled: true (required in prod)."];
  },
});
