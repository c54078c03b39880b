import { strict as assert } from "node:assert";
import fc from "fast-check";
import { createDiscordHandler } from "../../runtime/handlers/discord";
import { TEXT } from "../../runtime/domain/conversation";
import type { HttpResult } from "../../runtime/http/event";
import { snowflakeTime } from "../../runtime/platforms/discord";
import { testBot, type TestBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { type DiscordKeys, discordHeaders, discordKeys, fixture, httpEvent } from "./support/events";
import { docFixture } from "./support/platformFixtures";
import type { DeferralPorts } from "../../runtime/platforms/deferral";
import { startPlatformStandIn, type PlatformStandIn } from "../../tools/local/platformStandIn";
import { startLambdaStandIn, type LambdaStandIn } from "../support/lambdaStandIn";
import { deferralPorts, OUTBOX_FUNCTION, runOutbox } from "./support/deferredInteractions";

type Handler = ReturnType<typeof createDiscordHandler>;
let nextId = 1308000000000000100n;

function command(name: string, value?: string, userId = "900000000000000001") {
  const base = fixture<Record<string, unknown>>("discord", "ticket_command");
  const option = name === "ticket" ? "subject" : "id";
  return {
    ...base,
    id: String(nextId++),
    member: { user: { id: userId } },
    data: { id: "1", name, type: 1, ...(value === undefined ? {} : { options: [{ name: option, type: 3, value }] }) },
  };
}

interface Reply {
  type: number;
  data: { content: string; flags?: number; allowed_mentions?: unknown };
}

describe("discord webhook", () => {
  let db: LocalDynamo;
  let bot: TestBot & { tableName: string };
  let keys: DiscordKeys;
  let handler: Handler;

  const post = (body: unknown, headers?: Record<string, string>) => {
    const raw = JSON.stringify(body);
    return handler(httpEvent({ method: "POST", path: "/webhooks/discord", headers: headers ?? discordHeaders(raw, keys, Math.floor(bot.now / 1000)), body: raw }));
  };
  const reply = (r: HttpResult): Reply => {
    assert.equal(r.statusCode, 200, r.body);
    return JSON.parse(r.body) as Reply;
  };

  before(async () => {
    db = await startDynalite();
    keys = discordKeys();
  });
  after(async () => db.close());
  beforeEach(async () => {
    bot = await testBot(db, { discord: keys, settings: { rateLimit: { capacity: 100, refillPerMinute: 60 } } });
    handler = createDiscordHandler(bot.deps);
  });

  it("answers PING with PONG", async () => {
    assert.deepEqual(reply(await post(fixture("discord", "ping"))), { type: 1 });
    assert.equal((await db.items(bot.tableName)).length, 0);
  });

  it("opens a ticket from a slash command with a type 4 answer, and lists tickets privately", async () => {
    const opened = reply(await post(command("ticket", "Printer on fire")));
    assert.equal(opened.type, 4);
    assert.equal(opened.data.flags, 64, "every answer is ephemeral: in a server channel others would read it");
    assert.deepEqual(opened.data.allowed_mentions, { parse: [] });
    const id = /Ticket ([0-9a-z]{26}) opened/.exec(opened.data.content)?.[1];
    assert.ok(id);
    const list = reply(await post(command("tickets")));
    assert.equal(list.data.flags, 64, "ephemeral");
    assert.match(list.data.content, new RegExp(id));
    assert.equal(reply(await post(command("close", id))).data.content, TEXT.closed(id));
    assert.equal(reply(await post(command("status", id, "900000000000000002"))).data.content, TEXT.notFound);
  });

  it("verifies the signature over the decoded bytes of a base64-encoded body", async () => {
    const raw = JSON.stringify(command("ticket", "Base64 ✓ ünïcode"));
    const r = await handler(httpEvent({ method: "POST", path: "/webhooks/discord", headers: discordHeaders(raw, keys, Math.floor(bot.now / 1000)), body: raw, base64: true }));
    assert.match(reply(r).data.content, /opened: Base64 ✓ ünïcode/);
  });

  it("takes the ticket's creation time from the interaction's snowflake", async () => {
    const body = command("ticket", "When?");
    reply(await post(body));
    const [ticket] = (await db.items(bot.tableName)).filter((i) => i.type === "ticket");
    assert.equal(ticket?.createdAt, snowflakeTime(body.id));
  });

  it("handles 20 concurrent copies of one interaction once", async () => {
    const body = command("ticket", "Twenty");
    const raw = JSON.stringify(body);
    const headers = discordHeaders(raw, keys, Math.floor(bot.now / 1000));
    const results = await Promise.all(Array.from({ length: 20 }, () => post(body, headers)));
    assert.ok(results.every((r) => r.statusCode === 200));
    assert.equal(new Set(results.map((r) => r.body)).size, 1);
    assert.equal((await db.items(bot.tableName)).filter((i) => i.type === "ticket").length, 1);
  });

  describe("within Discord's 3 seconds: deferred answer and follow-up when the work may not fit", () => {
    let platform: PlatformStandIn;
    let lambda: LambdaStandIn;
    let ports: DeferralPorts;
    before(async () => {
      [platform, lambda] = await Promise.all([startPlatformStandIn(), startLambdaStandIn()]);
    });
    after(async () => {
      await Promise.all([platform.stop(), lambda.stop()]);
    });
    beforeEach(() => {
      platform.clear();
      lambda.invocations.length = 0;
      ports = deferralPorts(db, bot.tableName, lambda);
      handler = createDiscordHandler(bot.deps, ports);
    });

    /** A request API Gateway received `ageMs` ago (a cold start, a slow network): little of Discord's 3 s is left. */
    const postAged = (body: unknown, ageMs: number) => {
      const raw = JSON.stringify(body);
      const event = httpEvent({ method: "POST", path: "/webhooks/discord", headers: discordHeaders(raw, keys, Math.floor(bot.now / 1000)), body: raw });
      return handler({ ...event, requestContext: { ...event.requestContext, timeEpoch: Date.now() - ageMs } });
    };
    const deferredItems = async () => (await db.items(bot.tableName)).filter((i) => i.type === "deferred");

    it("answers with type 4 when the work is done in time: nothing deferred, nothing invoked", async () => {
      assert.equal(reply(await post(command("ticket", "Quick one"))).type, 4);
      assert.equal((await deferredItems()).length, 0);
      assert.equal(lambda.invocations.length, 0);
    });

    it("answers type 5 (ephemeral) when time is short, hands the work to the outbox and wakes it; the outbox edits the original response once", async () => {
      const body = command("ticket", "Cold start <@&1> @everyone");
      const deferred = reply(await postAged(body, 2_500));
      assert.deepEqual(deferred, { type: 5, data: { flags: 64 } });
      const [work] = await deferredItems();
      assert.equal(work?.status, "pending");
      assert.equal(work?.gsi1pk, "OUTBOX#pending");
      assert.deepEqual(lambda.invocations, [{ functionName: OUTBOX_FUNCTION, invocationType: "Event", payload: { kind: "outbox" } }]);
      assert.equal((await db.items(bot.tableName)).filter((i) => i.type === "ticket").length, 0, "nothing ran past the answer");

      await runOutbox(db, bot.tableName, platform);
      const [followUp] = platform.accepted();
      assert.equal(followUp?.platform, "discord-followup");
      assert.equal(followUp?.method, "PATCH");
      assert.equal(followUp?.path, `/discord/webhooks/${String((body as Record<string, unknown>).application_id)}/<token>/messages/@original`);
      assert.match(String((followUp?.body as { content: string }).content), /Ticket [0-9a-z]{26} opened: Cold start <@&1> @everyone/);
      assert.deepEqual((followUp?.body as { allowed_mentions: unknown }).allowed_mentions, { parse: [] });
      assert.equal((await db.items(bot.tableName)).filter((i) => i.type === "ticket").length, 1);
      assert.equal((await deferredItems())[0]?.status, "answered");

      await runOutbox(db, bot.tableName, platform);
      assert.equal(platform.accepted().length, 1, "answered once");
    });

    it("defers instead of failing when the store fails in the webhook: the outbox finishes the same delivery", async () => {
      db.throttleNext(1, "GetItem");
      const deferred = reply(await post(command("ticket", "Store hiccup")));
      assert.equal(deferred.type, 5);
      await runOutbox(db, bot.tableName, platform);
      assert.match(String((platform.accepted()[0]?.body as { content: string }).content), /opened: Store hiccup/);
      assert.equal((await db.items(bot.tableName)).filter((i) => i.type === "ticket").length, 1);
    });

    it("still answers type 5 when waking the outbox fails: its schedule answers within a minute", async () => {
      lambda.failNext(1);
      assert.equal(reply(await postAged(command("tickets"), 2_500)).type, 5);
      assert.equal((await deferredItems()).length, 1);
      assert.ok(bot.logLines.some((line) => line.includes("outbox wake-up failed")));
    });

    it("answers 503 when even the hand-off cannot be written (Discord shows the failure; nothing half done)", async () => {
      db.throttleNext(1, "PutItem");
      const result = await postAged(command("ticket", "Nothing works"), 2_500);
      assert.equal(result.statusCode, 503);
      assert.equal((await deferredItems()).length, 0);
    });

    it("drops a deferred answer whose interaction token has expired instead of sending it", async () => {
      assert.equal(reply(await postAged(command("ticket", "Too late"), 16 * 60_000)).type, 5);
      await runOutbox(db, bot.tableName, platform);
      assert.equal(platform.received.length, 0);
      assert.equal((await deferredItems())[0]?.status, "expired");
    });
  });

  describe("every interaction type gets an answer Discord accepts", () => {
    it("answers the documented autocomplete, component, modal and user-command interactions without recording anything", async () => {
      assert.deepEqual(JSON.parse((await post(docFixture("discord", "autocomplete"))).body), { type: 8, data: { choices: [] } });
      assert.deepEqual(JSON.parse((await post(docFixture("discord", "message_component"))).body), { type: 6 });
      for (const name of ["modal_submit", "user_command"]) {
        const answer = reply(await post(docFixture("discord", name)));
        assert.equal(answer.type, 4);
        assert.equal(answer.data.flags, 64);
      }
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("answers the documented slash command (not one of ours) privately", async () => {
      const answer = reply(await post(docFixture("discord", "slash_command")));
      assert.equal(answer.data.content, TEXT.unknown("cardsearch"));
      assert.equal(answer.data.flags, 64);
    });

    it("echoes mentions in a subject without pinging: user, role, @everyone, @here", async () => {
      const answer = reply(await post(command("ticket", "<@123456789012345678> <@&987654321098765432> @everyone @here")));
      assert.match(answer.data.content, /opened: <@123456789012345678> <@&987654321098765432> @everyone @here/);
      assert.deepEqual(answer.data.allowed_mentions, { parse: [] });
    });
  });

  describe("rejects bad input", () => {
    const status = (r: HttpResult) => r.statusCode;

    it("rejects a forged signature (one flipped byte) without writing", async () => {
      const body = command("ticket", "forged");
      const raw = JSON.stringify(body);
      const headers = discordHeaders(raw, keys, Math.floor(bot.now / 1000));
      const sig = Buffer.from(headers["x-signature-ed25519"] as string, "hex");
      sig[10] = (sig[10] as number) ^ 0x01;
      assert.equal(status(await post(body, { ...headers, "x-signature-ed25519": sig.toString("hex") })), 401);
      assert.equal(status(await post(body, discordHeaders(raw, discordKeys(), Math.floor(bot.now / 1000)))), 401, "another key");
      const { "x-signature-ed25519": _s, ...unsigned } = headers;
      assert.equal(status(await post(body, unsigned)), 401, "missing signature");
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("property: any single-byte change to a signed request's body, signature or timestamp answers 401 and writes nothing", async () => {
      const raw = Buffer.from(JSON.stringify(command("ticket", "mutated")));
      const headers = discordHeaders(raw, keys, Math.floor(bot.now / 1000));
      const send = (body: Buffer, h: Record<string, string>) => handler(httpEvent({ method: "POST", path: "/webhooks/discord", headers: h, body }));
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom("body", "x-signature-ed25519", "x-signature-timestamp"), async (index, xor, target) => {
          let body = raw;
          const h = { ...headers };
          if (target === "body") {
            body = Buffer.from(raw);
            body[index % body.length] = (body[index % body.length] as number) ^ xor;
          } else {
            const value = Buffer.from(h[target] as string, "latin1");
            value[index % value.length] = (value[index % value.length] as number) ^ xor;
            h[target] = value.toString("latin1");
            // Hex is case-insensitive: "a" → "A" is the same signature, not a change.
            fc.pre(h[target]?.toLowerCase() !== headers[target]?.toLowerCase());
          }
          const result = await send(body, h);
          assert.equal(result.statusCode, 401, result.body);
        }),
        { numRuns: 60 },
      );
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("a forged copy of an interaction already answered gets 401, never the remembered answer (the signature is checked while the state is read)", async () => {
      const opened = reply(await post(command("ticket", "Private matter")));
      const id = /Ticket ([0-9a-z]{26}) opened/.exec(opened.data.content)?.[1];
      assert.ok(id);
      const listed = command("tickets");
      assert.match(reply(await post(listed)).data.content, new RegExp(id));
      const raw = JSON.stringify(listed);
      const headers = discordHeaders(raw, keys, Math.floor(bot.now / 1000));
      const sig = Buffer.from(headers["x-signature-ed25519"] as string, "hex");
      sig[0] = (sig[0] as number) ^ 0x80;
      const itemsBefore = await db.items(bot.tableName);
      const callsBefore = db.calls.length;
      const forged = await post(listed, { ...headers, "x-signature-ed25519": sig.toString("hex") });
      assert.equal(forged.statusCode, 401);
      assert.doesNotMatch(forged.body, new RegExp(id));
      // Whatever was started for the forged copy runs on after the 401: it only ever reads.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(
        db.calls
          .slice(callsBefore)
          .map((c) => c.operation)
          .filter((op) => op !== "GetItem" && op !== "Query"),
        [],
      );
      assert.deepEqual(await db.items(bot.tableName), itemsBefore);
    });

    it("a forged request with a body that is not an interaction gets 401, not 400: nothing about the body is answered before the signature", async () => {
      const raw = JSON.stringify({ type: "two" });
      const headers = discordHeaders(raw, discordKeys(), Math.floor(bot.now / 1000));
      assert.equal(status(await post({ type: "two" }, headers)), 401);
      assert.equal(status(await post({ type: 1 }, headers)), 401, "a forged PING gets no PONG");
    });

    it("rejects a signed body that was altered", async () => {
      const body = command("ticket", "original");
      const headers = discordHeaders(JSON.stringify(body), keys, Math.floor(bot.now / 1000));
      assert.equal(status(await post({ ...body, data: { ...body.data, options: [{ name: "subject", type: 3, value: "changed" }] } }, headers)), 401);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("rejects a stale or future timestamp even with a valid signature", async () => {
      const body = command("ticket", "stale");
      const raw = JSON.stringify(body);
      assert.equal(status(await post(body, discordHeaders(raw, keys, Math.floor(bot.now / 1000) - 301))), 401);
      assert.equal(status(await post(body, discordHeaders(raw, keys, Math.floor(bot.now / 1000) + 301))), 401);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("answers 400 to a validly signed body that is not an interaction", async () => {
      assert.equal(status(await post({ id: "x", type: 2 })), 400);
      assert.equal(status(await post({ type: "two" })), 400);
      assert.equal(status(await post({})), 400);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });
  });
});
