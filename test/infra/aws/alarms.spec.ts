import { strict as assert } from "node:assert";
import { existingHandlers } from "../../../infra/aws/handlers";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, arnPrefix, one, ofType, policyOf } from "./resources";

for (const stack of STACKS) {
  describe(`aws alarms: ${stack} stack`, () => {
    let run: ProgramRun;
    let topicArn: string;
    before(async () => {
      run = await stackRun(stack);
      topicArn = `${arnPrefix(run, "sns")}:${run.settings.prefix}-alarms`;
    });

    it("notifies a KMS-encrypted topic with the settings' e-mail subscribed", () => {
      const topic = one(run, "aws:sns/topic:Topic", "backend-alarms-topic").inputs;
      assert.equal(topic.kmsMasterKeyId, `${arnPrefix(run, "kms")}:key/backend-keys-data-id`);
      const subscription = one(run, "aws:sns/topicSubscription:TopicSubscription", "backend-alarms-email").inputs;
      assert.deepEqual([subscription.protocol, subscription.endpoint, subscription.topic], ["email", run.settings.alarmEmail, topicArn]);
    });

    it("lets only this account's CloudWatch publish, and only over TLS", () => {
      const policy = policyOf(one(run, "aws:sns/topicPolicy:TopicPolicy", "backend-alarms-topic-policy").inputs.policy);
      const allow = policy.Statement.filter((s) => s.Effect === "Allow");
      assert.deepEqual(allow.map((s) => [s.Principal, s.Condition]), [
        [{ Service: "cloudwatch.amazonaws.com" }, { StringEquals: { "aws:SourceAccount": run.settings.aws.accountId } }],
      ]);
      assert.ok(policy.Statement.some((s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === false));
    });

    it("alarms on the first error, throttle, dead letter and API 5xx", () => {
      const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
      const watched = alarms.map((a) => `${String(a.namespace)} ${String(a.metricName)} ${JSON.stringify(a.dimensions)}`).sort();
      const fnName = (h: string) => `${run.settings.prefix}-${h}`;
      const expected = [
        ...existingHandlers().flatMap((h) => [
          `AWS/Lambda Errors ${JSON.stringify({ FunctionName: fnName(h) })}`,
          `AWS/Lambda Throttles ${JSON.stringify({ FunctionName: fnName(h) })}`,
        ]),
        ...["replies", "async", "schedule"].map((q) => `AWS/SQS ApproximateNumberOfMessagesVisible ${JSON.stringify({ QueueName: `${run.settings.prefix}-${q}-dlq` })}`),
        `AWS/ApiGateway 5xx ${JSON.stringify({ ApiId: "backend-http-api-id", Stage: "$default" })}`,
      ].sort();
      assert.deepEqual(watched, expected);
      for (const alarm of alarms) {
        assert.equal(alarm.comparisonOperator, "GreaterThanThreshold", String(alarm.name));
        assert.equal(alarm.threshold, 0, String(alarm.name));
        assert.deepEqual(alarm.alarmActions, [topicArn], String(alarm.name));
      }
    });
  });
}
