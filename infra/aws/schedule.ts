import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";
import { type PolicyDocument, policyDocument, renderPolicy, serviceTrustPolicy } from "./iamDocument";

export interface ScheduleArgs {
  /** Stack settings: the name prefix (and settings.exportSchedule, UTC, for the export). */
  readonly settings: Settings;
  /** The function the schedule invokes (and the only thing its role may invoke). */
  readonly functionArn: pulumi.Input<string>;
  /** Queue for runs that could not be delivered after the retries. */
  readonly deadLetterQueueArn: pulumi.Input<string>;
  /** The key that queue is encrypted with. */
  readonly dataKeyArn: pulumi.Input<string>;
}

export type ExportScheduleArgs = ScheduleArgs;
export type OutboxScheduleArgs = ScheduleArgs;

/** Retries before a run goes to the dead-letter queue, and how long a run stays worth delivering. */
export const SCHEDULE_RETRY = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } as const;

/**
 * How often exports requested through POST /api/exports (and failed attempts) are picked up. Fixed
 * rather than a setting: it bounds how long an agent waits for a requested export.
 */
export const PENDING_EXPORTS_SCHEDULE = "rate(5 minutes)";

/** The events the export handler accepts (runtime/handlers/export.ts `exportEvent`). */
export const EXPORT_EVENTS = { daily: { kind: "daily" }, pending: { kind: "pending" } } as const;

/**
 * How often the outbox function sends the replies the Slack and Meta webhooks queued: the
 * scheduler's shortest period, so a bot user waits at most about a minute for the answer.
 */
export const OUTBOX_SCHEDULE = "rate(1 minute)";

/** The event the outbox handler accepts (runtime/handlers/outbox.ts `outboxEvent`). */
export const OUTBOX_EVENT = { kind: "outbox" } as const;

/**
 * A missed outbox run is worth retrying only until the next one starts: a minute, the scheduler's
 * shortest event age (a later run finds the same pending replies anyway).
 */
export const OUTBOX_SCHEDULE_RETRY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 } as const;

/** Everything a scheduler role may do: invoke its one function and dead-letter a run. */
export function schedulerPolicy(refs: { functionArn: string; deadLetterQueueArn: string; dataKeyArn: string; region: string }): PolicyDocument {
  return policyDocument([
    { Sid: "InvokeTarget", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [refs.functionArn] },
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

interface ScheduleSpec {
  readonly id: string;
  readonly physicalName: string;
  readonly description: string;
  readonly expression: string;
  readonly event: unknown;
  readonly retry: { readonly maximumRetryAttempts: number; readonly maximumEventAgeInSeconds: number };
}

/**
 * The parts every schedule here shares: a role of its own, trusted only by the scheduler for this
 * account, that may invoke one function and dead-letter a run; then schedules (UTC, no flexible
 * window) whose runs are retried, then dead-lettered. The inputs hold no data (just the event
 * kind), so schedules use the scheduler's own key.
 */
function scheduledInvocations(parent: pulumi.ComponentResource, name: string, args: ScheduleArgs, role: { readonly name: string; readonly description: string }, specs: readonly ScheduleSpec[]): aws.scheduler.Schedule[] {
  const { settings } = args;
  const schedulerRole = new aws.iam.Role(
    `${name}-role`,
    { name: role.name, description: role.description, assumeRolePolicy: renderPolicy(serviceTrustPolicy("scheduler.amazonaws.com", settings.aws.accountId)) },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-access`,
    {
      name: "access",
      role: schedulerRole.id,
      policy: pulumi
        .all([args.functionArn, args.deadLetterQueueArn, args.dataKeyArn])
        .apply(([functionArn, deadLetterQueueArn, dataKeyArn]) => renderPolicy(schedulerPolicy({ functionArn, deadLetterQueueArn, dataKeyArn, region: settings.aws.region }))),
    },
    { parent },
  );
  return specs.map(
    (spec) =>
      new aws.scheduler.Schedule(
        `${name}-${spec.id}`,
        {
          name: spec.physicalName,
          description: spec.description,
          scheduleExpression: spec.expression,
          scheduleExpressionTimezone: "UTC",
          flexibleTimeWindow: { mode: "OFF" },
          state: "ENABLED",
          target: {
            arn: args.functionArn,
            roleArn: schedulerRole.arn,
            input: JSON.stringify(spec.event),
            retryPolicy: { ...spec.retry },
            deadLetterConfig: { arn: args.deadLetterQueueArn },
          },
        },
        { parent, dependsOn: [policy] },
      ),
  );
}

/**
 * EventBridge Scheduler invokes the export function: daily (settings.exportSchedule, UTC) to export
 * the previous day, and every few minutes to run exports agents requested.
 */
export class ExportSchedule extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: ScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:ExportSchedule", name, {}, opts);
    const { prefix, exportSchedule } = args.settings;
    const [daily] = scheduledInvocations(this, name, args, { name: `${prefix}-export-scheduler`, description: "EventBridge Scheduler: invokes the export function, nothing else" }, [
      { id: "schedule", physicalName: `${prefix}-export`, description: "Daily export of the previous day's tickets to the GCS archive", expression: exportSchedule, event: EXPORT_EVENTS.daily, retry: SCHEDULE_RETRY },
      { id: "pending", physicalName: `${prefix}-export-pending`, description: "Runs exports requested through the API, and retries failed ones", expression: PENDING_EXPORTS_SCHEDULE, event: EXPORT_EVENTS.pending, retry: SCHEDULE_RETRY },
    ]);
    this.name = (daily as aws.scheduler.Schedule).name;
    this.registerOutputs({ name: this.name });
  }
}

/**
 * EventBridge Scheduler invokes the outbox function every minute to send the replies the Slack and
 * Meta webhooks queued, with a role of its own that may invoke only that function.
 */
export class OutboxSchedule extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: ScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:OutboxSchedule", name, {}, opts);
    const { prefix } = args.settings;
    const [schedule] = scheduledInvocations(this, name, args, { name: `${prefix}-outbox-scheduler`, description: "EventBridge Scheduler: invokes the outbox function, nothing else" }, [
      { id: "schedule", physicalName: `${prefix}-outbox`, description: "Sends the replies the Slack and Meta webhooks queued", expression: OUTBOX_SCHEDULE, event: OUTBOX_EVENT, retry: OUTBOX_SCHEDULE_RETRY },
    ]);
    this.name = (schedule as aws.scheduler.Schedule).name;
    this.registerOutputs({ name: this.name });
  }
}
