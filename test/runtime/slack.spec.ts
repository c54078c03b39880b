import { strict as assert } from "node:assert";
import { createSlackHandler } from "../../runtime/handlers/slack";
import { TEXT } from "../../runtime/domain/conversation";
import type { HttpResult } from "../../runtime/http/event";
import { slackText } from "../../runtime/platforms/outgoingText";
import { slashText } from "../../runtime/platforms/slack";
import { docFixture, docFixtures, docForm } from "./support/platformFixtures";
import { startPlatformStandIn, type PlatformStandIn } from "../../tools/local/platformStandIn";
import { startLambdaStandIn, type LambdaStandIn } from "../support/lambdaStandIn";
import { deferralPorts, OUTBOX_FUNCTION, runOutbox } from "./support/deferredInteractions";
import { testBot, type TestBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { fixture, httpEvent, slackHeaders } from "./support/events";

type Handler = ReturnType<typeof createSlackHandler>;
const FORM = "application/x-www-form-urlencoded";
let nextEvent = 1;

function dm(text: string, user = "U0001") {
  const base = fixture<Record<string, unknown>>("slack", "message_im");
  return { ...base, event_id: `Ev${nextEvent++}`, event: { ...(base.event as object), user, text } };
}

function slash(text: string, user = "U0001") {
  const fields = { ...fixture<Record<string, string>>("slack", "slash_ticket"), text, user_id: user, trigger_id: `${nextEvent++}.1.abc` };
  return new URLSearchParams(fields).toString();
}

describe("slack webhook", () => {
  let db: LocalDynamo;
  let bot: TestBot & { tableName: string };
  let handler: Handler;
  const ts = () => Math.floor(bot.now / 1000);

  const postJson = (body: unknown, headers?: Record<string, string>) => {
    const raw = JSON.stringify(body);
    return handler(httpEvent({ method: "POST", path: "/webhooks/slack", headers: headers ?? slackHeaders(raw, ts()), body: raw }));
  };
  const postForm = (raw: string, headers?: Record<string, string>) =>
    handler(httpEvent({ method: "POST", path: "/webhooks/slack", headers: headers ?? slackHeaders(raw, ts(), FORM), body: raw }));
  const ephemeral = (r: HttpResult) => {
    assert.equal(r.statusCode, 200, r.body);
    const body = JSON.parse(r.body) as { response_type: string; text: string };
    assert.equal(body.response_type, "ephemeral");
    return body.text;
  };
  const items = async (type: string) => (await db.items(bot.tableName)).filter((i) => i.type === type);

  before(async () => {
    db = await startDynalite();
  });
  after(async () => db.close());
  beforeEach(async () => {
    bot = await testBot(db, { settings: { rateLimit: { capacity: 100, refillPerMinute: 60 } } });
    handler = createSlackHandler(bot.deps);
  });

  it("answers url_verification with the challenge", async () => {
    const r = await postJson(fixture("slack", "url_verification"));
    assert.equal(r.statusCode, 200);
    assert.deepEqual(JSON.parse(r.body), { challenge: fixture<{ challenge: string }>("slack", "url_verification").challenge });
  });

  it("answers the /ticket slash command privately and opens the ticket", async () => {
    const text = ephemeral(await postForm(new URLSearchParams(fixture<Record<string, string>>("slack", "slash_ticket")).toString()));
    const id = /Ticket ([0-9a-z]{26}) opened/.exec(text)?.[1];
    assert.ok(id, text);
    assert.match(ephemeral(await postForm(slash("list"))), new RegExp(id));
    assert.match(ephemeral(await postForm(slash(`status ${id}`))), /\[open\]/);
    assert.equal(ephemeral(await postForm(slash(`close ${id}`))), TEXT.closed(id));
    // Shown as TEXT.help: Slack renders the escaped <subject> and <id> as typed.
    assert.equal(ephemeral(await postForm(slash("help"))), slackText(TEXT.help));
  });

  it("verifies and parses a base64-encoded form body (how API Gateway may deliver slash commands)", async () => {
    const raw = slash("Encoded subject");
    const r = await handler(httpEvent({ method: "POST", path: "/webhooks/slack", headers: slackHeaders(raw, ts(), FORM), body: raw, base64: true }));
    assert.match(ephemeral(r), /opened: Encoded subject/);
  });

  it("acknowledges a direct message at once and queues the reply for the outbound port", async () => {
    const r = await postJson(dm("/ticket From the DM"));
    assert.equal(r.statusCode, 200);
    assert.equal(r.body, "");
    const [reply] = await items("reply");
    assert.equal(reply?.platform, "slack");
    assert.equal(reply?.address, "D0001");
    assert.match(String(reply?.text), /opened: From the DM/);
    assert.equal(reply?.gsi1pk, "OUTBOX#pending");
    // plain text goes to the open ticket, silently: no second reply
    assert.equal((await postJson(dm("details here"))).statusCode, 200);
    assert.equal((await items("message"))[0]?.text, "details here");
    assert.equal((await items("reply")).length, 1);
  });

  it("hands the reply to an injected OutboundReplies port (what issue #7's sender implements)", async () => {
    const sent: { deliveryKey: string; platform: string; address: string; text: string }[] = [];
    handler = createSlackHandler({ ...bot.deps, outbound: { send: async (reply) => void sent.push(reply) } });
    const body = dm("/help");
    assert.equal((await postJson(body)).statusCode, 200);
    assert.deepEqual(sent, [{ platform: "slack", address: "D0001", deliveryKey: `slack:event:${body.event_id}`, text: TEXT.help }]);
    assert.equal((await postJson(dm("no ticket open, so this gets a hint"))).statusCode, 200);
    assert.equal(sent[1]?.text, TEXT.noOpenTicket);
    assert.equal((await items("reply")).length, 0, "the injected port replaces the store outbox");
  });

  it("deduplicates Slack's retries (X-Slack-Retry-Num) by event_id", async () => {
    const body = dm("/ticket retried");
    const raw = JSON.stringify(body);
    await postJson(body);
    const retry = await postJson(body, { ...slackHeaders(raw, ts()), "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    assert.equal(retry.statusCode, 200);
    const copies = await Promise.all(Array.from({ length: 20 }, () => postJson(body)));
    assert.ok(copies.every((c) => c.statusCode === 200));
    assert.equal((await items("ticket")).length, 1);
    assert.equal((await items("reply")).length, 1);
  });

  it("ignores the bot's own messages and messages outside direct messages", async () => {
    assert.equal((await postJson(fixture("slack", "message_bot"))).statusCode, 200);
    const inChannel = dm("/ticket in a channel");
    (inChannel.event as Record<string, unknown>).channel_type = "channel";
    assert.equal((await postJson(inChannel)).statusCode, 200);
    assert.equal((await db.items(bot.tableName)).length, 0);
  });

  describe("every envelope Slack sends is answered 200 (any other status counts against the app)", () => {
    it("answers ssl_check before the signature, unsigned, and reads nothing else from it", async () => {
      const unsigned = { "content-type": FORM };
      const r = await postForm(docForm("ssl_check"), unsigned);
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, "");
      // A command smuggled into an unsigned ssl_check is not run.
      const smuggled = `${docForm("ssl_check")}&${slash("/ticket smuggled").replace(/^/, "")}`;
      assert.equal((await postForm(smuggled, unsigned)).statusCode, 200);
      assert.equal((await db.items(bot.tableName)).length, 0);
      // Without ssl_check=1 an unsigned form is still refused.
      assert.equal((await postForm(slash("/ticket unsigned"), unsigned)).statusCode, 401);
    });

    it("acknowledges app_rate_limited (no inner event) with 200 and a warning", async () => {
      const r = await postJson(docFixture("slack", "app_rate_limited"));
      assert.equal(r.statusCode, 200);
      assert.ok(bot.logLines.some((line) => line.includes("rate limiting our event subscriptions")));
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("answers every documented payload (signed) with 200", async () => {
      for (const { name } of docFixtures("slack")) {
        const form = name === "slash_command" || name === "block_actions";
        if (name === "ssl_check") continue;
        const r = form ? await postForm(docForm(name)) : await postJson(docFixture("slack", name));
        assert.equal(r.statusCode, 200, `${name}: ${r.body}`);
      }
    });

    it("answers a slash command that is not /ticket privately with a hint, recording nothing", async () => {
      assert.equal(ephemeral(await postForm(docForm("slash_command"))), "This app answers /ticket only. Try /ticket help.");
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("acknowledges other envelope types, events and interactivity payloads", async () => {
      assert.equal((await postJson({ type: "some_future_envelope", token: "x" })).statusCode, 200);
      assert.equal((await postJson(docFixture("slack", "app_mention"))).statusCode, 200);
      assert.equal((await postForm(docForm("block_actions"))).statusCode, 200);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("stores what the user typed (Slack sends it escaped) and never echoes it as a mention", async () => {
      const text = ephemeral(await postForm(slash("&lt;!channel&gt; printer &amp; scanner")));
      assert.match(text, /opened: &lt;!channel&gt; printer &amp; scanner/);
      assert.equal((await items("ticket"))[0]?.subject, "<!channel> printer & scanner");
    });
  });

  describe("within Slack's 3 seconds: slash commands answered through response_url when the work may not fit", () => {
    let platform: PlatformStandIn;
    let lambda: LambdaStandIn;
    before(async () => {
      [platform, lambda] = await Promise.all([startPlatformStandIn(), startLambdaStandIn()]);
    });
    after(async () => {
      await Promise.all([platform.stop(), lambda.stop()]);
    });
    beforeEach(() => {
      platform.clear();
      lambda.invocations.length = 0;
      handler = createSlackHandler(bot.deps, deferralPorts(db, bot.tableName, lambda));
    });
    const withResponseUrl = (text: string, responseUrl: string) => {
      const form = new URLSearchParams(slash(text));
      form.set("response_url", responseUrl);
      return form.toString();
    };
    const postAged = (raw: string, ageMs: number) => {
      const event = httpEvent({ method: "POST", path: "/webhooks/slack", headers: slackHeaders(raw, ts(), FORM), body: raw });
      return handler({ ...event, requestContext: { ...event.requestContext, timeEpoch: Date.now() - ageMs } });
    };

    it("acknowledges with an empty 200, then the outbox posts the private answer to response_url once", async () => {
      const responseUrl = `${platform.baseUrls.slack}/response/T0001/1/abc`;
      const r = await postAged(withResponseUrl("<!here> Late printer", responseUrl), 2_500);
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, "");
      assert.equal(lambda.invocations[0]?.functionName, OUTBOX_FUNCTION);
      await runOutbox(db, bot.tableName, platform);
      await runOutbox(db, bot.tableName, platform);
      const sent = platform.accepted();
      assert.equal(sent.length, 1);
      assert.equal(sent[0]?.platform, "slack-response");
      const body = sent[0]?.body as { response_type: string; replace_original: boolean; text: string };
      assert.equal(body.response_type, "ephemeral");
      assert.equal(body.replace_original, true);
      assert.match(body.text, /opened: &lt;!here&gt; Late printer/);
      assert.equal((await items("ticket")).length, 1);
    });

    it("never uses a response_url that is not Slack's: such a command is answered in the response", async () => {
      const text = ephemeral(await postAged(withResponseUrl("Answered inline", "https://evil.example/hook"), 2_500));
      assert.match(text, /opened: Answered inline/);
      assert.equal((await db.items(bot.tableName)).filter((i) => i.type === "deferred").length, 0);
      assert.equal(lambda.invocations.length, 0);
    });
  });

  it("maps /ticket arguments to commands", () => {
    assert.equal(slashText(""), "/ticket");
    assert.equal(slashText("  List "), "/tickets");
    assert.equal(slashText("status abc"), "/status abc");
    assert.equal(slashText("close"), "/ticket close");
    assert.equal(slashText("Printer on fire"), "/ticket Printer on fire");
  });

  describe("rejects bad input", () => {
    it("rejects a forged or missing signature without writing", async () => {
      const body = dm("/ticket forged");
      const raw = JSON.stringify(body);
      assert.equal((await postJson(body, slackHeaders(raw, ts(), "application/json", "wrong-secret"))).statusCode, 401);
      const { "x-slack-signature": _sig, ...unsigned } = slackHeaders(raw, ts());
      assert.equal((await postJson(body, unsigned)).statusCode, 401);
      const v1 = slackHeaders(raw, ts());
      assert.equal((await postJson(body, { ...v1, "x-slack-signature": (v1["x-slack-signature"] as string).replace("v0=", "v1=") })).statusCode, 401);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("rejects a timestamp older than 5 minutes (replay) even when correctly signed", async () => {
      const raw = slash("replayed");
      assert.equal((await postForm(raw, slackHeaders(raw, ts() - 301, FORM))).statusCode, 401);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("answers 400 to a signed body of the wrong type or shape", async () => {
      const raw = "not json";
      assert.equal((await handler(httpEvent({ method: "POST", path: "/webhooks/slack", headers: slackHeaders(raw, ts()), body: raw }))).statusCode, 400);
      assert.equal((await handler(httpEvent({ method: "POST", path: "/webhooks/slack", headers: slackHeaders(raw, ts(), "text/plain"), body: raw }))).statusCode, 400);
      assert.equal((await postForm("command=%2Fother&text=x")).statusCode, 400);
      assert.equal((await postJson({ type: "event_callback" })).statusCode, 400);
    });
  });
});
