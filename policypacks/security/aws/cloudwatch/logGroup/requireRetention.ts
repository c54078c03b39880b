import { resourcePolicy } from "../../../lib/define";

/** Severity low. Logs kept forever are data kept forever: a retention period bounds exposure and cost. */
export const awsCloudwatchLogGroupRequireRetention = resourcePolicy({
  name: "aws-cloudwatch-log-group-require-retention",
  description: "CloudWatch log groups must have a retention period.",
  severity: "low",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  check: (props) => {
    const days = Number(props.retentionInDays ?? 0);
    return Number.isFinite(days) && days > 0 ? [] : ["Set retentionInDays to one of CloudWatch's periods (e.g. 30)."];
  },
});
