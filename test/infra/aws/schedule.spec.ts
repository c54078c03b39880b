import { strict as assert } from "node:assert";
import { existingHandlers } from "../../../infra/aws/handlers";
import { createRequire } from "node:module";
import * as path from "node:path";
import { EXPORT_EVENTS, OUTBOX_EVENT, OUTBOX_SCHEDULE, OUTBOX_SCHEDULE_RETRY, PENDING_EXPORTS_SCHEDULE, SCHEDULE_RETRY, schedulerPolicy } from "../../../infra/aws/schedule";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, arnPrefix, one, ofType, policyOf } from "./resources";

for (const stack of STACKS) {
  describe(`aws export schedule: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun(stack);
    });

    it("exists exactly when the export handler exists", () => {
      const schedules = ofType(run, "aws:scheduler/schedule:Schedule");
      assert.equal(schedules.length, (existingHandlers().includes("export") ? 2 : 0) + (existingHandlers().includes("outbox") ? 1 : 0));
    });

    const expected = [
      { resource: "backend-export-schedule-schedule", expression: () => run.settings.exportSchedule, event: EXPORT_EVENTS.daily },
      { resource: "backend-export-schedule-pending", expression: () => PENDING_EXPORTS_SCHEDULE, event: EXPORT_EVENTS.pending },
    ];
    for (const { resource, expression, event } of expected) {
      it(`invokes the export function with ${JSON.stringify(event)}, with retries and a dead-letter queue`, function () {
        if (!existingHandlers().includes("export")) this.skip();
        const schedule = one(run, "aws:scheduler/schedule:Schedule", resource).inputs;
        assert.equal(schedule.scheduleExpression, expression());
        assert.equal(schedule.scheduleExpressionTimezone, "UTC");
        assert.equal(schedule.state, "ENABLED");
        const target = schedule.target as { arn: string; roleArn: string; input: string; retryPolicy: unknown; deadLetterConfig: { arn: string } };
        assert.equal(target.arn, `${arnPrefix(run, "lambda")}:function:${run.settings.prefix}-export`);
        assert.deepEqual(JSON.parse(target.input), event);
        assert.deepEqual(target.retryPolicy, SCHEDULE_RETRY);
        assert.equal(target.deadLetterConfig.arn, `${arnPrefix(run, "sqs")}:${run.settings.prefix}-schedule-dlq`);
        assert.equal(target.roleArn, `arn:aws:iam::${run.settings.aws.accountId}:role/${run.settings.prefix}-export-scheduler`);
      });
    }

    it("sends events the export handler accepts", function () {
      if (!existingHandlers().includes("export")) this.skip();
      // A computed path: the handler may not exist yet in a checkout, and then this test is skipped.
      const entry = path.join(__dirname, "..", "..", "..", "runtime", "handlers", "export.ts");
      const { exportEvent } = createRequire(__filename)(entry) as { exportEvent: { safeParse(v: unknown): { success: boolean } } };
      for (const event of Object.values(EXPORT_EVENTS)) assert.ok(exportEvent.safeParse(event).success, JSON.stringify(event));
      assert.ok(!exportEvent.safeParse({ source: "botfleet.schedule" }).success, "and the check can fail");
    });

    it("runs with a role trusted only by the scheduler for this account, that may invoke only the export", function () {
      if (!existingHandlers().includes("export")) this.skip();
      const role = one(run, "aws:iam/role:Role", "backend-export-schedule-role").inputs;
      assert.deepEqual(policyOf(role.assumeRolePolicy).Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "scheduler.amazonaws.com" },
          Action: ["sts:AssumeRole"],
          Condition: { StringEquals: { "aws:SourceAccount": run.settings.aws.accountId } },
        },
      ]);
      const policy = policyOf(one(run, "aws:iam/rolePolicy:RolePolicy", "backend-export-schedule-access").inputs.policy);
      const invoke = policy.Statement.filter((s) => s.Action.includes("lambda:InvokeFunction"));
      assert.deepEqual(invoke.map((s) => s.Resource), [[`${arnPrefix(run, "lambda")}:function:${run.settings.prefix}-export`]]);
    });
  });
}

for (const stack of STACKS) {
  describe(`aws outbox schedule: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async function () {
      if (!existingHandlers().includes("outbox")) this.skip();
      run = await stackRun(stack);
    });

    it("invokes the outbox function every minute with {kind:\"outbox\"}, retried for at most a minute, then dead-lettered", () => {
      const schedule = one(run, "aws:scheduler/schedule:Schedule", "backend-outbox-schedule-schedule").inputs;
      assert.equal(schedule.scheduleExpression, OUTBOX_SCHEDULE);
      assert.equal(OUTBOX_SCHEDULE, "rate(1 minute)");
      assert.equal(schedule.state, "ENABLED");
      assert.deepEqual(schedule.flexibleTimeWindow, { mode: "OFF" });
      const target = schedule.target as { arn: string; roleArn: string; input: string; retryPolicy: unknown; deadLetterConfig: { arn: string } };
      assert.equal(target.arn, `${arnPrefix(run, "lambda")}:function:${run.settings.prefix}-outbox`);
      assert.deepEqual(JSON.parse(target.input), OUTBOX_EVENT);
      assert.deepEqual(target.retryPolicy, OUTBOX_SCHEDULE_RETRY);
      assert.equal(target.deadLetterConfig.arn, `${arnPrefix(run, "sqs")}:${run.settings.prefix}-schedule-dlq`);
      assert.equal(target.roleArn, `arn:aws:iam::${run.settings.aws.accountId}:role/${run.settings.prefix}-outbox-scheduler`);
    });

    it("sends the event the outbox handler accepts", () => {
      const entry = path.join(__dirname, "..", "..", "..", "runtime", "handlers", "outbox.ts");
      const { outboxEvent } = createRequire(__filename)(entry) as { outboxEvent: { safeParse(v: unknown): { success: boolean } } };
      assert.ok(outboxEvent.safeParse(OUTBOX_EVENT).success);
      assert.ok(!outboxEvent.safeParse(EXPORT_EVENTS.pending).success, "and the check can fail");
    });

    it("runs with its own role, trusted only by the scheduler for this account, that may invoke only the outbox", () => {
      const role = one(run, "aws:iam/role:Role", "backend-outbox-schedule-role").inputs;
      assert.equal(role.name, `${run.settings.prefix}-outbox-scheduler`);
      assert.deepEqual(policyOf(role.assumeRolePolicy).Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "scheduler.amazonaws.com" },
          Action: ["sts:AssumeRole"],
          Condition: { StringEquals: { "aws:SourceAccount": run.settings.aws.accountId } },
        },
      ]);
      const policy = policyOf(one(run, "aws:iam/rolePolicy:RolePolicy", "backend-outbox-schedule-access").inputs.policy);
      assert.deepEqual(
        policy.Statement.map((s) => [s.Action, s.Resource]),
        [
          [["lambda:InvokeFunction"], [`${arnPrefix(run, "lambda")}:function:${run.settings.prefix}-outbox`]],
          [["sqs:SendMessage"], [`${arnPrefix(run, "sqs")}:${run.settings.prefix}-schedule-dlq`]],
          [["kms:Decrypt", "kms:GenerateDataKey"], [policy.Statement[2]?.Resource?.[0]]],
        ],
      );
    });
  });
}

describe("aws scheduler policy", () => {
  const refs = {
    functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:f",
    deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:q",
    dataKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
    region: "eu-west-1",
  };
  it("grants invoke on the one function, send on the one queue, and the queue's key only through SQS", () => {
    const statements = schedulerPolicy(refs).Statement;
    assert.deepEqual(
      statements.map((s) => [s.Action, s.Resource]),
      [
        [["lambda:InvokeFunction"], [refs.functionArn]],
        [["sqs:SendMessage"], [refs.deadLetterQueueArn]],
        [["kms:Decrypt", "kms:GenerateDataKey"], [refs.dataKeyArn]],
      ],
    );
    assert.deepEqual(statements[2]?.Condition, { StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } });
  });
});
