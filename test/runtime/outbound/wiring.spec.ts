import { strict as assert } from "node:assert";
import { ConfigError } from "../../../runtime/errors";
import { backoffDelayMs, retryAfterMs } from "../../../runtime/outbound/retryPolicy";
import { fromStoredIntent, readOutboundSettings } from "../../../runtime/outbound/wiring";

describe("outbound settings and adapters", () => {
  it("defaults to the platforms' public APIs and needs the DLQ when deployed", () => {
    assert.throws(() => readOutboundSettings({}, "deployed"), ConfigError);
    const settings = readOutboundSettings({ BOTFLEET_DLQ_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/botfleet-dlq" }, "deployed");
    assert.equal(settings.baseUrls.telegram, "https://api.telegram.org");
    assert.equal(settings.deadLetterQueueUrl, "https://sqs.eu-west-1.amazonaws.com/123456789012/botfleet-dlq");
  });

  it("refuses plain-http platform URLs when deployed and allows them locally", () => {
    assert.throws(() => readOutboundSettings({ BOTFLEET_DLQ_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/q", BOTFLEET_SLACK_API_URL: "http://127.0.0.1:9/slack" }, "deployed"), ConfigError);
    assert.equal(readOutboundSettings({ BOTFLEET_SLACK_API_URL: "http://127.0.0.1:9/slack/" }, "local").baseUrls.slack, "http://127.0.0.1:9/slack");
    assert.throws(() => readOutboundSettings({ BOTFLEET_DLQ_URL: "https://evil.example/queue" }, "local"), ConfigError);
  });

  it("maps the webhooks' reply intents to platform targets with a stable reply id", () => {
    const slack = fromStoredIntent({ deliveryKey: "slack:Ev1", platform: "slack", address: "C0123", text: "hi" });
    assert.deepEqual(slack.target, { platform: "slack", channel: "C0123" });
    assert.equal(slack.replyId, fromStoredIntent({ deliveryKey: "slack:Ev1", platform: "slack", address: "C0123", text: "hi" }).replyId);
    assert.deepEqual(fromStoredIntent({ deliveryKey: "meta:1", platform: "meta", address: "whatsapp:1098:4915", text: "x" }).target, { platform: "whatsapp", phoneNumberId: "1098", to: "4915" });
    assert.deepEqual(fromStoredIntent({ deliveryKey: "meta:2", platform: "meta", address: "messenger:55:777", text: "x" }).target, { platform: "messenger", recipientId: "777" });
    assert.throws(() => fromStoredIntent({ deliveryKey: "meta:3", platform: "meta", address: "sms:1", text: "x" }), ConfigError);
  });

  it("reads Retry-After as seconds, an HTTP date, or the platform's JSON body", () => {
    const now = Date.parse("2026-11-22T06:00:00Z");
    assert.equal(retryAfterMs("2", undefined, now), 2000);
    assert.equal(retryAfterMs("Sun, 22 Nov 2026 06:00:05 GMT", undefined, now), 5000);
    assert.equal(retryAfterMs(null, { ok: false, parameters: { retry_after: 7 } }, now), 7000);
    assert.equal(retryAfterMs(null, { retry_after: 0.5 }, now), 500);
    assert.equal(retryAfterMs(null, {}, now), undefined);
  });

  it("keeps full-jitter delays within the exponential ceiling", () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
    assert.equal(backoffDelayMs(policy, 1, () => 0.999), 199);
    assert.equal(backoffDelayMs(policy, 6, () => 0.999), 999);
    assert.equal(backoffDelayMs(policy, 3, () => 0), 0);
  });
});
