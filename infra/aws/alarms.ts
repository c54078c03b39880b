import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";
import { policyDocument, renderPolicy } from "./iamDocument";

export interface AlarmsArgs {
  /** Stack settings: settings.alarmEmail gets every notification. */
  readonly settings: Settings;
  /** Key for the SNS topic (its key policy lets CloudWatch publish through SNS). */
  readonly dataKeyArn: pulumi.Input<string>;
  /** Functions watched for errors and throttles: alarm-name key → physical function name. */
  readonly functionNames: Readonly<Record<string, pulumi.Input<string>>>;
  /** Dead-letter queues watched for a visible message: alarm-name key → physical queue name. */
  readonly queueNames: Readonly<Record<string, pulumi.Input<string>>>;
  /** HTTP API id, watched for 5xx responses. */
  readonly apiId: pulumi.Input<string>;
}

/** Every alarm fires on the first occurrence: one error, throttle, dead letter or 5xx is worth a look. */
const FIRST_OCCURRENCE = {
  comparisonOperator: "GreaterThanThreshold",
  threshold: 0,
  evaluationPeriods: 1,
  period: 60,
  treatMissingData: "notBreaching",
} as const;

/**
 * CloudWatch alarms (per function Errors and Throttles, per dead-letter queue depth, API 5xx) to
 * one KMS-encrypted SNS topic with an e-mail subscription (confirm it after the first deploy).
 * Only CloudWatch alarms of this account may publish, and only over TLS.
 */
export class Alarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:Alarms", name, {}, opts);
    const { settings } = args;
    const topic = new aws.sns.Topic(`${name}-topic`, { name: `${settings.prefix}-alarms`, kmsMasterKeyId: args.dataKeyArn }, { parent: this });
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: topic.arn.apply((topicArn) =>
          renderPolicy(
            policyDocument([
              {
                Sid: "ThisAccountsAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["sns:Publish"],
                Resource: [topicArn],
                Condition: { StringEquals: { "aws:SourceAccount": settings.aws.accountId } },
              },
              {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: ["sns:Publish"],
                Resource: [topicArn],
                Condition: { Bool: { "aws:SecureTransport": false } },
              },
            ]),
          ),
        ),
      },
      { parent: this },
    );
    new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: settings.alarmEmail }, { parent: this });

    const alarm = (id: string, description: string, metric: { namespace: string; metricName: string; statistic: string; dimensions: Record<string, pulumi.Input<string>> }) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${id}`,
        {
          name: `${settings.prefix}-${id}`,
          alarmDescription: description,
          ...FIRST_OCCURRENCE,
          ...metric,
          alarmActions: [topic.arn],
          okActions: [topic.arn],
        },
        { parent: this },
      );

    for (const [key, functionName] of Object.entries(args.functionNames)) {
      const dimensions = { FunctionName: functionName };
      alarm(`${key}-errors`, `${key}: an invocation failed`, { namespace: "AWS/Lambda", metricName: "Errors", statistic: "Sum", dimensions });
      alarm(`${key}-throttles`, `${key}: an invocation was throttled`, { namespace: "AWS/Lambda", metricName: "Throttles", statistic: "Sum", dimensions });
    }
    for (const [key, queueName] of Object.entries(args.queueNames)) {
      alarm(`${key}-dlq-depth`, `${key} dead-letter queue holds a message`, {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        dimensions: { QueueName: queueName },
      });
    }
    alarm("api-5xx", "The API answered with a 5xx", {
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      statistic: "Sum",
      dimensions: { ApiId: args.apiId, Stage: "$default" },
    });

    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
