import { configNumber, resourcePolicy } from "../../../lib/define";

/** Checkov CKV_AWS_338: at least one year. A stack whose logs may be shorter-lived says so in its policy config. */
const DEFAULT_MINIMUM_DAYS = 365;

/**
 * Severity low. Logs kept forever are data kept forever; logs kept too briefly are gone before an
 * incident is found. retentionInDays must be set and at least the configured minimum
 * ("minimumDays", default 365 as CKV_AWS_338).
 */
export const awsCloudwatchLogGroupRequireRetention = resourcePolicy({
  name: "aws-cloudwatch-log-group-require-retention",
  description: "CloudWatch log groups must keep logs for a bounded period of at least the configured minimum (default 365 days).",
  severity: "low",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  configSchema: { properties: { minimumDays: { type: "integer", minimum: 1, default: DEFAULT_MINIMUM_DAYS } } },
  check: (props, args) => {
    const minimum = configNumber(args, "minimumDays", DEFAULT_MINIMUM_DAYS);
    const days = Number(props.retentionInDays ?? 0);
    if (!Number.isFinite(days) || days <= 0) return [`Set retentionInDays to one of CloudWatch's periods, at least ${minimum} (e.g. 365).`];
    return days >= minimum ? [] : [`Set retentionInDays to at least ${minimum} (found ${days}), or lower "minimumDays" in this stack's policy config.`];
  },
});
