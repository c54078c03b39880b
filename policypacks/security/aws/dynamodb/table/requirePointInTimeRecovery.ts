import { resourcePolicy } from "../../../lib/define";
import { field, isTrue } from "../../../lib/values";

/** Severity medium. Point-in-time recovery is the only way back from a bad write or a deleted item set. */
export const awsDynamodbTableRequirePointInTimeRecovery = resourcePolicy({
  name: "aws-dynamodb-table-require-point-in-time-recovery",
  description: "DynamoDB tables must have point-in-time recovery enabled.",
  severity: "medium",
  types: ["aws:dynamodb/table:Table"],
  check: (props) =>
    isTrue(field(props, "pointInTimeRecovery", "enabled")) ? [] : ["Set pointInTimeRecovery: { enabled: true }."],
});
