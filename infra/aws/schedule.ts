import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";
import { type PolicyDocument, policyDocument, renderPolicy, serviceTrustPolicy } from "./iamDocument";

export interface ExportScheduleArgs {
  /** Stack settings: settings.exportSchedule (UTC) and the name prefix. */
  readonly settings: Settings;
  /** The export function the schedule invokes (and the only thing its role may invoke). */
  readonly functionArn: pulumi.Input<string>;
  /** Queue for runs that could not be delivered after the retries. */
  readonly deadLetterQueueArn: pulumi.Input<string>;
  /** The key that queue is encrypted with. */
  readonly dataKeyArn: pulumi.Input<string>;
}

/** Retries before a run goes to the dead-letter queue, and how long a run stays worth delivering. */
export const SCHEDULE_RETRY = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } as const;

/** Everything the scheduler's role may do: invoke the export function and dead-letter a run. */
export function schedulerPolicy(refs: { functionArn: string; deadLetterQueueArn: string; dataKeyArn: string; region: string }): PolicyDocument {
  return policyDocument([
    { Sid: "InvokeExport", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [refs.functionArn] },
    { Sid: "SendDeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [refs.deadLetterQueueArn] },
    {
      Sid: "QueueKeyThroughSqs",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [refs.dataKeyArn],
      Condition: { StringEquals: { "kms:ViaService": `sqs.${refs.region}.amazonaws.com` } },
    },
  ]);
}

/**
 * EventBridge Scheduler runs the export daily (settings.exportSchedule, UTC) with a role of its
 * own, trusted only by the scheduler for this account; failed runs are retried, then dead-lettered.
 * The schedule's input names its source and holds no data, so it uses the scheduler's own key.
 */
export class ExportSchedule extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: ExportScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:ExportSchedule", name, {}, opts);
    const { settings } = args;
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: `${settings.prefix}-export-scheduler`,
        description: "EventBridge Scheduler: invokes the export function, nothing else",
        assumeRolePolicy: renderPolicy(serviceTrustPolicy("scheduler.amazonaws.com", settings.aws.accountId)),
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-access`,
      {
        name: "access",
        role: role.id,
        policy: pulumi
          .all([args.functionArn, args.deadLetterQueueArn, args.dataKeyArn])
          .apply(([functionArn, deadLetterQueueArn, dataKeyArn]) =>
            renderPolicy(schedulerPolicy({ functionArn, deadLetterQueueArn, dataKeyArn, region: settings.aws.region })),
          ),
      },
      { parent: this },
    );
    const schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: `${settings.prefix}-export`,
        description: "Daily export of the previous day's tickets to the GCS archive",
        scheduleExpression: settings.exportSchedule,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: args.functionArn,
          roleArn: role.arn,
          input: JSON.stringify({ source: "botfleet.schedule" }),
          retryPolicy: { ...SCHEDULE_RETRY },
          deadLetterConfig: { arn: args.deadLetterQueueArn },
        },
      },
      { parent: this, dependsOn: [policy] },
    );
    this.name = schedule.name;
    this.registerOutputs({ name: this.name });
  }
}
