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

/**
 * How often exports requested through POST /api/exports (and failed attempts) are picked up. Fixed
 * rather than a setting: it bounds how long an agent waits for a requested export.
 */
export const PENDING_EXPORTS_SCHEDULE = "rate(5 minutes)";

/** The events the export handler accepts (runtime/handlers/export.ts `exportEvent`). */
export const EXPORT_EVENTS = { daily: { kind: "daily" }, pending: { kind: "pending" } } as const;

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
 * EventBridge Scheduler invokes the export function with a role of its own, trusted only by the
 * scheduler for this account: daily (settings.exportSchedule, UTC) to export the previous day, and
 * every few minutes to run exports agents requested. Failed runs are retried, then dead-lettered.
 * The inputs hold no data (just the event kind), so schedules use the scheduler's own key.
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
    const schedule = (id: string, physicalName: string, description: string, expression: string, event: unknown) =>
      new aws.scheduler.Schedule(
        `${name}-${id}`,
        {
          name: physicalName,
          description,
          scheduleExpression: expression,
          scheduleExpressionTimezone: "UTC",
          flexibleTimeWindow: { mode: "OFF" },
          state: "ENABLED",
          target: {
            arn: args.functionArn,
            roleArn: role.arn,
            input: JSON.stringify(event),
            retryPolicy: { ...SCHEDULE_RETRY },
            deadLetterConfig: { arn: args.deadLetterQueueArn },
          },
        },
        { parent: this, dependsOn: [policy] },
      );
    const daily = schedule("schedule", `${settings.prefix}-export`, "Daily export of the previous day's tickets to the GCS archive", settings.exportSchedule, EXPORT_EVENTS.daily);
    schedule("pending", `${settings.prefix}-export-pending`, "Runs exports requested through the API, and retries failed ones", PENDING_EXPORTS_SCHEDULE, EXPORT_EVENTS.pending);
    this.name = daily.name;
    this.registerOutputs({ name: this.name });
  }
}
