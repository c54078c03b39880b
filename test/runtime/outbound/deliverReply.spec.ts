import { strict as assert } from "node:assert";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { StoreDeadLetters } from "../../../runtime/outbound/deadLetters";
import { DeliveryLedger } from "../../../runtime/outbound/deliveryLedger";
import { deliverReply, type OutboundDependencies } from "../../../runtime/outbound/deliverReply";
import { type ReplyIntent } from "../../../runtime/outbound/replyIntent";
import { startPlatformStandIn, type PlatformStandIn } from "../../../tools/local/platformStandIn";
import { startDynalite, type LocalDynamo } from "../support/dynalite";

/** A window as wide as the test needs: the deadline logic has its own specs. */
const WINDOW = { leaseUntil: Number.MAX_SAFE_INTEGER, sendUntil: Number.POSITIVE_INFINITY };
const TOKENS = { telegram: "123456:telegram-secret", discord: "discord-secret", slack: "xoxb-slack-secret", whatsapp: "wa-secret", messenger: "page-secret", discord_followup: "", slack_response: "" };

describe("outbound replies", () => {
  let dynamo: LocalDynamo;
  const tableName = "botfleet-test";
  let platform: PlatformStandIn;
  let sleeps: number[];
  let failures: { replyId: string; reason: string }[];
  let deps: OutboundDependencies;
  let sequence = 0;

  before(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable(tableName);
    platform = await startPlatformStandIn();
  });
  after(async () => {
    await platform.stop();
    await dynamo.close();
  });
  beforeEach(() => {
    platform.clear();
    platform.clearFailures();
    sleeps = [];
    failures = [];
    deps = {
      ledger: new DeliveryLedger(dynamo.client, tableName),
      deadLetters: new StoreDeadLetters(dynamo.client, tableName),
      credential: (name) => Promise.resolve(TOKENS[name]),
      recordFailure: (intent, reason) => {
        failures.push({ replyId: intent.replyId, reason });
        return Promise.resolve();
      },
      recordAgentMessage: () => Promise.resolve(),
      baseUrls: platform.baseUrls,
      policy: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 10_000 },
      // Sleeps are recorded, not waited: the spec checks the delays chosen without wall-clock time.
      send: { fetch, sleep: (ms) => (sleeps.push(ms), Promise.resolve()), random: () => 0.5, now: () => Date.now(), timeoutMs: 5000 },
    };
  });

  const intent = (target: ReplyIntent["target"]): ReplyIntent => ({ replyId: `reply-${Date.now()}-${(sequence += 1)}`, ticketId: "t1", target, text: "Hello from an agent" });

  it("sends on each platform with the credential in a header (Telegram: in the path, by its API's design)", async () => {
    const targets: ReplyIntent["target"][] = [
      { platform: "telegram", chatId: "42" },
      { platform: "discord", channelId: "1234567890" },
      { platform: "discord", recipientId: "5550001" },
      { platform: "slack", channel: "D0123ABC", threadTs: "1700000000.000100" },
      { platform: "whatsapp", phoneNumberId: "1098765", to: "4915112345678" },
      { platform: "messenger", recipientId: "7777" },
    ];
    for (const target of targets) assert.equal((await deliverReply(intent(target), deps, WINDOW)).status, "delivered");
    const got = platform.accepted();
    assert.deepEqual(got.map((r) => r.platform), ["telegram", "discord", "discord-dm", "discord", "slack", "whatsapp", "messenger"]);
    assert.deepEqual(got[2]?.body, { recipient_id: "5550001" });
    assert.match(got[3]?.path ?? "", /^\/discord\/channels\/9\d+\/messages$/, "posts into the DM channel Discord returned");
    got.splice(2, 2);
    assert.deepEqual(got[0]?.body, { chat_id: "42", text: "Hello from an agent" });
    assert.equal(got[1]?.headers.authorization, "Bot discord-secret");
    assert.equal(got[2]?.headers.authorization, "Bearer xoxb-slack-secret");
    assert.deepEqual(got[2]?.body, { channel: "D0123ABC", text: "Hello from an agent", thread_ts: "1700000000.000100" });
    assert.equal(got[3]?.headers.authorization, "Bearer wa-secret");
    assert.equal(got[4]?.headers.authorization, "Bearer page-secret");
    for (const request of got.slice(1)) assert.ok(!request.path.includes("secret"), "no token in a URL");
  });

  it("retries 5xx with backoff and delivers exactly once", async () => {
    platform.failNext(2, { status: 503 });
    const reply = intent({ platform: "slack", channel: "C1" });
    const result = await deliverReply(reply, deps, WINDOW);
    assert.deepEqual(result, { status: "delivered", platformMessageId: result.status === "delivered" ? result.platformMessageId : "", attempts: 3 });
    assert.equal(platform.received.length, 3);
    assert.equal(platform.accepted().length, 1);
    // full jitter with random()=0.5: half of base*2^attempt
    assert.deepEqual(sleeps, [100, 200]);
  });

  it("honours 429 Retry-After before retrying", async () => {
    platform.failNext(1, { status: 429, retryAfterSeconds: 3 });
    const result = await deliverReply(intent({ platform: "telegram", chatId: "42" }), deps, WINDOW);
    assert.equal(result.status, "delivered");
    assert.deepEqual(sleeps, [3000]);
    assert.equal(platform.accepted().length, 1);
  });

  it("never sends a reply id twice: a re-run or a concurrent run is a duplicate", async () => {
    const reply = intent({ platform: "discord", channelId: "99" });
    const [first, second] = await Promise.all([deliverReply(reply, deps, WINDOW), deliverReply(reply, deps, WINDOW)]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, ["delivered", "duplicate"]);
    const again = await deliverReply(reply, deps, WINDOW);
    assert.equal(again.status, "duplicate");
    assert.equal(again.status === "duplicate" && again.previous.state, "delivered");
    assert.equal(platform.received.length, 1);
  });

  it("after the last attempt fails: ledger failed, ticket marked, dead letter stored, no resend on re-run", async () => {
    platform.failAlways({ status: 500 });
    const reply = intent({ platform: "whatsapp", phoneNumberId: "1", to: "2" });
    const result = await deliverReply(reply, deps, WINDOW);
    assert.deepEqual(result, { status: "failed", reason: "http_500", attempts: 4 });
    assert.equal(platform.received.length, 4);
    assert.deepEqual(failures, [{ replyId: reply.replyId, reason: "http_500" }]);
    const { Item: letter } = await dynamo.client.send(new GetCommand({ TableName: tableName, Key: { pk: `DEADLETTER#REPLY#${reply.replyId}`, sk: "DEADLETTER" } }));
    assert.equal(letter?.reason, "http_500");
    assert.deepEqual(letter?.intent, reply);
    platform.clearFailures();
    assert.equal((await deliverReply(reply, deps, WINDOW)).status, "duplicate");
    assert.equal(platform.received.length, 4);
  });

  it("does not retry a 4xx or an ok:false answer", async () => {
    platform.failNext(1, { status: 403 });
    assert.deepEqual(await deliverReply(intent({ platform: "discord", channelId: "5" }), deps, WINDOW), { status: "failed", reason: "http_403", attempts: 1 });
    platform.failNext(1, { status: 200, okFalse: true });
    assert.deepEqual(await deliverReply(intent({ platform: "slack", channel: "C2" }), deps, WINDOW), { status: "failed", reason: "slack_channel_not_found", attempts: 1 });
  });

  it("gives up at once when Retry-After exceeds the bound", async () => {
    platform.failNext(1, { status: 429, retryAfterSeconds: 3600 });
    assert.deepEqual(await deliverReply(intent({ platform: "messenger", recipientId: "8" }), deps, WINDOW), { status: "failed", reason: "rate_limited_too_long", attempts: 1 });
  });

  it("starts no retry that would end past the time budget", async () => {
    platform.failAlways({ status: 429, retryAfterSeconds: 4 });
    let clock = 0;
    const budgeted = {
      ...deps,
      policy: { ...deps.policy, budgetMs: 10_000 },
      send: { ...deps.send, now: () => clock, sleep: (ms: number) => ((clock += ms), sleeps.push(ms), Promise.resolve()) },
    };
    // 4 s wait + 5 s attempt timeout fits once (9 s), not twice (18 s).
    assert.deepEqual(await deliverReply(intent({ platform: "slack", channel: "C9" }), budgeted, WINDOW), { status: "failed", reason: "http_429", attempts: 2 });
    assert.deepEqual(sleeps, [4000]);
  });

  it("treats a refused connection as retryable and dead-letters after the bound", async () => {
    const unreachable = { ...deps, baseUrls: { telegram: "http://127.0.0.1:9", discord: "http://127.0.0.1:9", slack: "http://127.0.0.1:9", meta: "http://127.0.0.1:9" } };
    const result = await deliverReply(intent({ platform: "telegram", chatId: "1" }), unreachable, WINDOW);
    assert.deepEqual(result, { status: "failed", reason: "network_error", attempts: 4 });
    assert.equal(sleeps.length, 3);
  });
});
