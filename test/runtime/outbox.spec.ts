import { strict as assert } from "node:assert";
import { createLogger } from "../../runtime/adapters/logger";
import { ENV, LOCAL_SECRET_ENV } from "../../runtime/env";
import { createMetaHandler } from "../../runtime/handlers/meta";
import { createOutboxHandler, type OutboxHandlerDeps, outboxDepsFromEnv } from "../../runtime/handlers/outbox";
import { createSlackHandler } from "../../runtime/handlers/slack";
import { DeferredInteractions } from "../../runtime/adapters/deferred";
import { deliverReply, windowBefore } from "../../runtime/outbound/deliverReply";
import { startPlatformStandIn, type PlatformStandIn } from "../../tools/local/platformStandIn";
import { testBot, type TestBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { fixture, httpEvent, metaHeaders, SECRETS, slackHeaders } from "./support/events";
import { OUTBOX_REPLY_RESERVE_MS } from "../../runtime/timeBudgets";

const OUTBOX = { kind: "outbox" } as const;
let nextEvent = 1;

function slackDm(text: string, channel = "D0001") {
  const base = fixture<Record<string, unknown>>("slack", "message_im");
  return { ...base, event_id: `EvOutbox${nextEvent++}`, event: { ...(base.event as object), channel, text } };
}

/**
 * The outbox function end to end: replies queued by the real Slack and Meta webhook handlers
 * (dynalite), sent by the real outbox handler built from its environment (outboxDepsFromEnv, local
 * mode) to the platform stand-in. Runs inside runAsHandler("outbox"), so the least-privilege
 * check sees every call it makes.
 */
describe("outbox function (scheduled: sends the replies Slack and Meta webhooks queued)", () => {
  let db: LocalDynamo;
  let platform: PlatformStandIn;
  let bot: TestBot & { tableName: string };
  let deps: OutboxHandlerDeps;
  let logLines: string[];

  const slack = (body: unknown) => {
    const raw = JSON.stringify(body);
    return createSlackHandler(bot.deps)(httpEvent({ method: "POST", path: "/webhooks/slack", headers: slackHeaders(raw, Math.floor(bot.now / 1000)), body: raw }));
  };
  const meta = (body: unknown) => {
    const raw = JSON.stringify(body);
    return createMetaHandler(bot.deps)(httpEvent({ method: "POST", path: "/webhooks/meta", headers: metaHeaders(raw), body: raw }));
  };
  const outbox = (overrides: Partial<OutboxHandlerDeps> = {}) => createOutboxHandler(() => Promise.resolve({ ...deps, ...overrides }));
  const replies = async () => (await db.items(bot.tableName)).filter((item) => item.type === "reply");
  /** Failures retried at once: the retry policy is tested in sendWithRetry's own spec, not here. */
  const fastRetries = (): Partial<OutboxHandlerDeps> => ({
    outbound: { ...deps.outbound, policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 100 }, send: { ...deps.outbound.send, sleep: () => Promise.resolve() } },
  });

  before(async () => {
    [db, platform] = await Promise.all([startDynalite(), startPlatformStandIn()]);
  });
  after(async () => {
    await platform.stop();
    await db.close();
  });
  /** The outbox function's environment in local mode (the platforms' secrets as the local stack sets them). */
  const outboxEnv = (): Record<string, string> => ({
    [ENV.mode]: "local",
    [ENV.tableName]: bot.tableName,
    [ENV.dynamodbEndpoint]: db.endpoint,
    [ENV.slackApiUrl]: platform.baseUrls.slack,
    [ENV.metaGraphApiUrl]: platform.baseUrls.meta,
    [LOCAL_SECRET_ENV.slackSigningSecret]: SECRETS.slack,
    [LOCAL_SECRET_ENV.slackBotToken]: "xoxb-outbox-test",
    [LOCAL_SECRET_ENV.metaAppSecret]: SECRETS.metaApp,
    [LOCAL_SECRET_ENV.metaVerifyToken]: SECRETS.metaVerify,
    [LOCAL_SECRET_ENV.metaAccessToken]: "meta-outbox-test",
  });

  beforeEach(async () => {
    platform.clear();
    platform.clearFailures();
    bot = await testBot(db, { settings: { rateLimit: { capacity: 100, refillPerMinute: 60 } } });
    logLines = [];
    deps = await outboxDepsFromEnv(outboxEnv(), createLogger({}, (line) => logLines.push(line)));
  });

  it("delivers a Slack DM reply and WhatsApp and Messenger replies exactly once, then finds nothing pending", async () => {
    const dm = slackDm("/ticket Printer on fire");
    assert.equal((await slack(dm)).statusCode, 200);
    assert.equal((await slack(dm)).statusCode, 200, "Slack's redelivery of the same event");
    assert.equal((await meta(fixture("meta", "whatsapp_text"))).statusCode, 200);
    assert.equal((await meta(fixture("meta", "messenger_text"))).statusCode, 200);
    assert.deepEqual((await replies()).map((r) => r.status), ["pending", "pending", "pending"]);
    assert.equal(platform.received.length, 0, "the webhooks only queue");

    const summary = await outbox()(OUTBOX);
    assert.deepEqual(summary, { delivered: 3, failed: 0, duplicates: 0, batches: 1, budgetSpent: false });
    const sent = platform.accepted();
    assert.deepEqual(sent.map((r) => r.platform).sort(), ["messenger", "slack", "whatsapp"]);
    const toSlack = sent.find((r) => r.platform === "slack");
    assert.equal(toSlack?.headers.authorization, "Bearer xoxb-outbox-test");
    assert.equal((toSlack?.body as { channel?: string }).channel, "D0001");
    assert.match(String((toSlack?.body as { text?: string }).text), /Ticket [0-9a-z]{26} opened/);
    const toWhatsapp = sent.find((r) => r.platform === "whatsapp");
    assert.match(toWhatsapp?.path ?? "", /\/106540352242922\/messages$/, "from the number the user wrote to");
    assert.equal((toWhatsapp?.body as { to?: string }).to, "16505551234");
    assert.equal(toWhatsapp?.headers.authorization, "Bearer meta-outbox-test");
    assert.deepEqual((await replies()).map((r) => r.status), ["sent", "sent", "sent"]);

    assert.deepEqual(await outbox()(OUTBOX), { delivered: 0, failed: 0, duplicates: 0, batches: 1, budgetSpent: false });
    assert.equal(platform.received.length, 3, "nothing sent twice");
    const invocation = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === "outbox invocation");
    assert.equal(invocation[0]?.delivered, 3);
    assert.ok(!logLines.some((line) => line.includes("Printer on fire") || line.includes("xoxb-outbox-test")), "no message text or token in logs");
  });

  it("retries a failing platform, then settles the reply as failed and dead-letters it, never sending it again", async () => {
    await slack(slackDm("/ticket Cannot log in", "D0002"));
    await meta(fixture("meta", "whatsapp_text"));
    platform.failNext(1, { status: 429, retryAfterSeconds: 0 }); // the first send is retried and then goes out
    const first = await outbox(fastRetries())(OUTBOX);
    assert.equal(first.delivered, 2);
    assert.equal(platform.accepted().length, 2);

    platform.clear();
    platform.clearFailures();
    await slack(slackDm("/ticket Still broken", "D0003"));
    platform.failAlways({ status: 503 });
    const failing = await outbox(fastRetries())(OUTBOX);
    assert.deepEqual(failing, { delivered: 0, failed: 1, duplicates: 0, batches: 1, budgetSpent: false });
    assert.equal(platform.received.length, 3, "three attempts");
    platform.clearFailures();
    const items = await db.items(bot.tableName);
    const failedReply = items.find((i) => i.type === "reply" && i.address === "D0003");
    assert.equal(failedReply?.status, "failed");
    assert.equal(failedReply?.gsi1pk, undefined, "out of the pending index");
    const deadLetters = items.filter((i) => String(i.pk).startsWith("DEADLETTER#REPLY#"));
    assert.equal(deadLetters.length, 1, "the local stand-in for the replies DLQ");

    assert.deepEqual(await outbox(fastRetries())(OUTBOX), { delivered: 0, failed: 0, duplicates: 0, batches: 1, budgetSpent: false });
    assert.equal(platform.accepted().length, 0, "a failed reply is not sent again");
  });

  it("throws when the store fails after a send (Lambda retries), and the next run settles that reply without sending it twice", async () => {
    await slack(slackDm("/ticket Crash after send", "D0004"));
    // The worker's own Query and settle go through the fault-injecting client; the ledger does not.
    db.throttleNext(1, "UpdateItem");
    await assert.rejects(outbox({ documents: db.client })(OUTBOX), { name: "ProvisionedThroughputExceededException" });
    assert.equal(platform.accepted().length, 1, "sent before the store failed");
    assert.equal((await replies())[0]?.status, "pending");
    assert.ok(logLines.some((line) => line.includes("outbox invocation failed")));

    assert.deepEqual(await outbox()(OUTBOX), { delivered: 0, failed: 0, duplicates: 1, batches: 1, budgetSpent: false });
    assert.equal(platform.accepted().length, 1, "the ledger knew it was delivered");
    assert.equal((await replies())[0]?.status, "sent");
  });

  it("throws when a platform's secret is missing, leaving the reply pending instead of failed", async () => {
    await slack(slackDm("/ticket No token yet", "D0301"));
    const { [LOCAL_SECRET_ENV.slackSigningSecret]: _unset, ...withoutSlackSecret } = outboxEnv();
    const misconfigured = await outboxDepsFromEnv(withoutSlackSecret, createLogger({}, (line) => logLines.push(line)));
    await assert.rejects(createOutboxHandler(() => Promise.resolve(misconfigured))(OUTBOX), { name: "ConfigError" });
    assert.equal(platform.received.length, 0);
    assert.equal((await replies())[0]?.status, "pending", "a later run (after the claim's lease) sends it");
  });

  it("drains batch after batch, and starts no reply without the time for it left in the invocation", async () => {
    for (const channel of ["D0101", "D0102", "D0103"]) await slack(slackDm(`/ticket Batch ${channel}`, channel));
    const almostOver = { getRemainingTimeInMillis: () => OUTBOX_REPLY_RESERVE_MS - 1 };
    assert.deepEqual(await outbox({ batchSize: 1 })(OUTBOX, almostOver), { delivered: 0, failed: 0, duplicates: 0, batches: 0, budgetSpent: true });
    assert.equal(platform.received.length, 0);
    assert.deepEqual(await outbox({ batchSize: 1 })(OUTBOX), { delivered: 3, failed: 0, duplicates: 0, batches: 4, budgetSpent: false });
    assert.equal(platform.accepted().length, 3);
  });

  it("finishes what others left: agents' replies the API had no time to send (Telegram, a Discord DM) and a deferred Discord /tickets", async () => {
    const env = {
      ...outboxEnv(),
      [ENV.telegramApiUrl]: platform.baseUrls.telegram,
      [ENV.discordApiUrl]: platform.baseUrls.discord,
      [LOCAL_SECRET_ENV.telegramWebhookSecret]: SECRETS.telegram,
      [LOCAL_SECRET_ENV.telegramBotToken]: "123:telegram-outbox-test",
      [LOCAL_SECRET_ENV.discordPublicKey]: "ab".repeat(32),
      [LOCAL_SECRET_ENV.discordBotToken]: "discord-outbox-test",
    };
    deps = await outboxDepsFromEnv(env, createLogger({}, (line) => logLines.push(line)));
    // The API's side: claimed and listed, but its invocation ended before sending (lease already over).
    const ended = windowBefore(Date.now() - 10_000, { listForOutbox: true, agentMessage: { agent: "agent-ann", platform: "telegram", userId: "5550001" } });
    const api = { ...deps.outbound, send: { ...deps.outbound.send, now: Date.now } };
    assert.deepEqual(await deliverReply({ replyId: "agent-telegram-1", ticketId: "t0outbox", target: { platform: "telegram", chatId: "5550001" }, text: "From an agent" }, api, ended), { status: "pending" });
    assert.deepEqual(await deliverReply({ replyId: "agent-discord-1", ticketId: "t0outbox", target: { platform: "discord", recipientId: "900000000000000001" }, text: "From an agent" }, api, ended), { status: "pending" });
    // A Discord webhook's side: /tickets deferred.
    await new DeferredInteractions(db.client, bot.tableName).put({
      inbound: { user: { platform: "discord", userId: "900000000000000001" }, deliveryKey: "discord:interaction:1308000000000009999", text: "/tickets", sentAt: Date.now() },
      followUp: { kind: "discord", applicationId: "1200000000000000000", token: "deferred-token" },
      deferredAt: Date.now(),
      usableUntil: Date.now() + 15 * 60_000,
    });
    const summary = await outbox()(OUTBOX);
    assert.equal(summary.delivered, 3);
    assert.deepEqual(platform.accepted().map((r) => r.platform).sort(), ["discord", "discord-dm", "discord-followup", "telegram"]);
    assert.match(String((platform.accepted().find((r) => r.platform === "discord-followup")?.body as { content: string }).content), /no tickets yet/);
    const messages = (await db.items(bot.tableName)).filter((i) => i.type === "message" && i.author === "agent");
    assert.equal(messages.length, 2, "each agent reply recorded on its ticket once");
    assert.deepEqual(await outbox()(OUTBOX), { delivered: 0, failed: 0, duplicates: 0, batches: 1, budgetSpent: false });
  });

  it("refuses an event that is not {kind:\"outbox\"} without reading or sending anything", async () => {
    await slack(slackDm("/ticket Not yet", "D0201"));
    for (const event of [{ kind: "pending" }, { kind: "outbox", extra: 1 }, "outbox", null]) {
      await assert.rejects(outbox()(event), { name: "BadRequestError" });
    }
    assert.equal(platform.received.length, 0);
    assert.equal((await replies())[0]?.status, "pending");
  });
});
