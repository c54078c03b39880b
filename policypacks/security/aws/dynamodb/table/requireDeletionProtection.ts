import { isProductionGrade, PRODUCTION_GRADE_SCHEMA, resourcePolicy } from "../../../lib/define";
import { isTrue } from "../../../lib/values";

/**
 * Severity high. A production-grade stack's table must survive a mistaken `pulumi destroy` or
 * replacement. Whether the stack is production-grade comes from this policy's config
 * ("productionGrade": true | false in config.<stack>.json, as botfleet:productionGrade says);
 * unconfigured, the policy judges it production-grade, the safe side.
 */
export const awsDynamodbTableRequireDeletionProtection = resourcePolicy({
  name: "aws-dynamodb-table-require-deletion-protection",
  description: "DynamoDB tables in a production-grade stack must have deletion protection enabled.",
  severity: "high",
  types: ["aws:dynamodb/table:Table"],
  configSchema: { properties: { productionGrade: PRODUCTION_GRADE_SCHEMA } },
  check: (props, args) => {
    if (!isProductionGrade(args)) return [];
    return isTrue(props.deletionProtectionEnabled) ? [] : ["Set deletionProtectionEnabled: true (required in a production-grade stack)."];
  },
});
