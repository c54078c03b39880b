import { strict as assert } from "node:assert";
import { createTelegramHandler } from "../../runtime/handlers/telegram";
import { TEXT } from "../../runtime/domain/conversation";
import type { HttpResult } from "../../runtime/http/event";
import { MAX_BODY_BYTES } from "../../runtime/http/bodyLimits";
import { testBot, type TestBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { fixture, httpEvent, telegramHeaders } from "./support/events";
import { docFixture, docFixtures } from "./support/platformFixtures";
import { PRIVATE_CHAT_ONLY_TEXT } from "../../runtime/platforms/telegram";

const ADA = 5550001;
const BOB = 5550002;
let nextUpdate = 1;

function update(text: string, from = ADA, updateId = nextUpdate++) {
  return { update_id: updateId, message: { message_id: updateId, from: { id: from, is_bot: false, first_name: "x" }, chat: { id: from, type: "private" }, date: 1795334400 + updateId, text } };
}

type Handler = ReturnType<typeof createTelegramHandler>;
const post = (h: Handler, body: unknown, headers = telegramHeaders()) =>
  h(httpEvent({ method: "POST", path: "/webhooks/telegram", headers, body: typeof body === "string" ? body : JSON.stringify(body) }));

function reply(result: HttpResult): string {
  assert.equal(result.statusCode, 200, result.body);
  if (result.body === "") return "";
  const body = JSON.parse(result.body) as { method: string; text: string };
  assert.equal(body.method, "sendMessage");
  return body.text;
}

const ticketIdIn = (text: string) => /Ticket ([0-9a-z]{26}) opened/.exec(text)?.[1];

describe("telegram webhook", () => {
  let db: LocalDynamo;
  let bot: TestBot & { tableName: string };
  let handler: Handler;

  before(async () => {
    db = await startDynalite();
  });
  after(async () => db.close());
  beforeEach(async () => {
    // Generous bucket: the conversation tests send many messages in one instant (the rate-limit test sets its own).
    bot = await testBot(db, { settings: { rateLimit: { capacity: 100, refillPerMinute: 60 } } });
    handler = createTelegramHandler(bot.deps);
  });

  const itemsOfType = async (type: string) => (await db.items(bot.tableName)).filter((i) => i.type === type);

  describe("every update kind Telegram documents", () => {
    it("answers each documented example 200: text messages handled, other kinds acknowledged and skipped", async () => {
      for (const { name } of docFixtures("telegram")) {
        const body = docFixture<{ update_id: number }>("telegram", name);
        const result = await post(handler, { ...body, update_id: nextUpdate++ });
        assert.equal(result.statusCode, 200, `${name}: ${result.body}`);
      }
      // Text messages: /start (×4, incl. the untyped-chat example) and "Bold and italics".
      assert.equal((await itemsOfType("user")).length, 1);
    });

    it("acknowledges kinds outside the examples (channel posts, membership changes) without writing", async () => {
      for (const kind of ["channel_post", "edited_channel_post", "my_chat_member", "chat_member", "chat_join_request", "message_reaction", "poll", "business_message"]) {
        assert.equal((await post(handler, { update_id: nextUpdate++, [kind]: { chat: { id: -100123, type: "channel" }, date: 1 } })).statusCode, 200, kind);
      }
      assert.equal((await db.items(bot.tableName)).length, 0);
    });
  });

  describe("shared chats (groups, supergroups, channels)", () => {
    const inGroup = (text: string, type = "supergroup") => {
      const body = update(text);
      return { ...body, message: { ...body.message, chat: { id: -1001234567890, type, title: "Office" } } };
    };

    it("refuses commands with a hint to write privately, recording nothing, so no ticket is ever listed to the group", async () => {
      await post(handler, update("/ticket Salary question"));
      for (const command of ["/tickets", "/status abc", "/ticket Something", "/close x", "/help@SupportBot"]) {
        const result = await post(handler, inGroup(command, command === "/close x" ? "group" : "supergroup"));
        assert.equal(reply(result), PRIVATE_CHAT_ONLY_TEXT, command);
        assert.equal((JSON.parse(result.body) as { chat_id: number }).chat_id, -1001234567890);
      }
      assert.equal((await itemsOfType("ticket")).length, 1, "only the private chat's ticket");
      assert.doesNotMatch(PRIVATE_CHAT_ONLY_TEXT, /Salary/);
    });

    it("ignores plain text in a shared chat (not appended to anyone's ticket)", async () => {
      await post(handler, update("/ticket Private matter"));
      assert.equal(reply(await post(handler, inGroup("chatting with colleagues"))), "");
      assert.equal((await itemsOfType("message")).length, 0);
    });

    it("never echoes an @mention as a live mention", async () => {
      const text = reply(await post(handler, update("/ticket @all_staff @boss please look")));
      assert.match(text.replace(/\u2060/g, ""), /opened: @all_staff @boss please look/);
      assert.doesNotMatch(text, /@[A-Za-z0-9_]/);
    });
  });

  it("opens a ticket from the fixture update and answers in the webhook response", async () => {
    const result = await post(handler, fixture("telegram", "message"));
    const body = JSON.parse(result.body) as { method: string; chat_id: number; text: string };
    assert.equal(result.statusCode, 200);
    assert.equal(body.method, "sendMessage");
    assert.equal(body.chat_id, 5550001);
    const id = ticketIdIn(body.text);
    assert.ok(id, body.text);
    const tickets = await itemsOfType("ticket");
    assert.equal(tickets.length, 1);
    assert.equal(tickets[0]?.id, id);
    assert.equal(tickets[0]?.subject, "Printer on fire");
    assert.equal(tickets[0]?.status, "open");
    assert.equal(result.headers["x-content-type-options"], "nosniff");
  });

  it("runs the whole conversation: guided ticket, appended text, list, status, close", async () => {
    assert.equal(reply(await post(handler, update("/start"))), TEXT.welcome);
    assert.equal(reply(await post(handler, update("/help"))), TEXT.help);
    assert.equal(reply(await post(handler, update("hello?"))), TEXT.noOpenTicket);
    assert.equal(reply(await post(handler, update("/ticket"))), TEXT.askSubject);
    const id = ticketIdIn(reply(await post(handler, update("VPN drops every hour"))));
    assert.ok(id);
    assert.equal(reply(await post(handler, update("it started on Monday"))), "");
    assert.equal(reply(await post(handler, update("and again today"))), "");
    const messages = await itemsOfType("message");
    assert.deepEqual(messages.map((m) => m.text).sort(), ["and again today", "it started on Monday"]);
    assert.ok(messages.every((m) => m.ticketId === id));

    const second = ticketIdIn(reply(await post(handler, update("/ticket Second problem"))));
    assert.ok(second);
    const list = reply(await post(handler, update("/tickets")));
    assert.ok(list.indexOf(second) < list.indexOf(id), "newest first");
    assert.match(reply(await post(handler, update(`/status ${id}`))), /\[open\] VPN drops every hour/);
    assert.equal(reply(await post(handler, update(`/close ${second}`))), TEXT.closed(second));
    assert.match(reply(await post(handler, update(`/status ${second.toUpperCase()}`))), /\[closed\]/);
    assert.equal(reply(await post(handler, update(`/close ${second}`))), TEXT.alreadyClosed(second));
    assert.equal(reply(await post(handler, update("after close"))), TEXT.noOpenTicket);
    assert.equal(reply(await post(handler, update("/status"))), TEXT.usage("status"));
    assert.equal(reply(await post(handler, update("/frobnicate"))), TEXT.unknown("frobnicate"));
  });

  it("answers another user's ticket id exactly like a missing one", async () => {
    const id = ticketIdIn(reply(await post(handler, update("/ticket mine", ADA))));
    assert.ok(id);
    assert.equal(reply(await post(handler, update(`/status ${id}`, BOB))), TEXT.notFound);
    assert.equal(reply(await post(handler, update(`/close ${id}`, BOB))), TEXT.notFound);
    assert.equal(reply(await post(handler, update(`/status ${"a".repeat(26)}`, BOB))), TEXT.notFound);
    assert.equal((await itemsOfType("ticket"))[0]?.status, "open");
  });

  it("forgets the guided flow after the conversation TTL", async () => {
    assert.equal(reply(await post(handler, update("/ticket"))), TEXT.askSubject);
    bot.now += (bot.deps.settings.conversationTtlMinutes + 1) * 60_000;
    assert.equal(reply(await post(handler, update("too late"))), TEXT.noOpenTicket);
    assert.equal((await itemsOfType("ticket")).length, 0);
  });

  it("rate-limits per user: one notice, then silence, then served again after refill", async () => {
    bot = await testBot(db, { settings: { rateLimit: { capacity: 2, refillPerMinute: 1 } } });
    handler = createTelegramHandler(bot.deps);
    assert.equal(reply(await post(handler, update("/help"))), TEXT.help);
    assert.equal(reply(await post(handler, update("/help"))), TEXT.help);
    assert.equal(reply(await post(handler, update("/help"))), TEXT.slowDown(1));
    assert.equal(reply(await post(handler, update("/ticket not now"))), "");
    assert.equal(reply(await post(handler, update("/help", BOB))), TEXT.help, "other users are not affected");
    assert.equal((await itemsOfType("ticket")).length, 1, "the limit silences answers, never what the user wrote");
    bot.now += 61_000;
    assert.equal(reply(await post(handler, update("/help"))), TEXT.help);
  });

  it("acknowledges updates that are not text messages without writing", async () => {
    const result = await post(handler, fixture("telegram", "edited_message"));
    assert.equal(result.statusCode, 200);
    assert.equal(result.body, "");
    assert.equal((await db.items(bot.tableName)).length, 0);
  });

  it("accepts a base64-encoded body", async () => {
    const body = JSON.stringify(update("/ticket encoded"));
    const result = await handler(httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders(), body, base64: true }));
    assert.ok(ticketIdIn(reply(result)));
  });

  describe("rejects bad input", () => {
    const expectError = (result: HttpResult, status: number) => {
      assert.equal(result.statusCode, status, result.body);
      const body = JSON.parse(result.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ["error", "reference"]);
      assert.match(String(body.reference), /^[0-9a-z]{16}$/);
      assert.equal(result.headers["cache-control"], "no-store");
    };

    it("rejects a forged secret token without writing", async () => {
      expectError(await post(handler, update("/ticket forged"), telegramHeaders("not-the-secret")), 401);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("rejects a missing secret token without writing", async () => {
      expectError(await post(handler, update("/ticket forged"), { "content-type": "application/json" }), 401);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("answers 400 with a reference to malformed JSON and to a schema mismatch", async () => {
      expectError(await post(handler, "{not json"), 400);
      expectError(await post(handler, { update_id: "one" }), 400);
      expectError(await post(handler, { update_id: 1, message: { text: "no chat" } }), 400);
      assert.equal((await db.items(bot.tableName)).length, 0);
    });

    it("answers 413 to a body over 256 KB, plain or base64", async () => {
      const big = JSON.stringify({ ...update("x"), padding: "x".repeat(MAX_BODY_BYTES.telegram) });
      expectError(await post(handler, big), 413);
      expectError(await handler(httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders(), body: big, base64: true })), 413);
      // Before the signature: even a forged request over the limit is a 413.
      expectError(await post(handler, big, telegramHeaders("forged")), 413);
    });

    it("answers 404 to an unknown route and 405 with Allow to a wrong method", async () => {
      expectError(await handler(httpEvent({ method: "POST", path: "/webhooks/telegrams", headers: telegramHeaders(), body: "{}" })), 404);
      expectError(await handler(httpEvent({ method: "POST", path: "/webhooks/discord", headers: telegramHeaders(), body: "{}" })), 404);
      const wrong = await handler(httpEvent({ method: "GET", path: "/webhooks/telegram" }));
      expectError(wrong, 405);
      assert.equal(wrong.headers.allow, "POST");
    });
  });

  describe("exactly once", () => {
    it("processes a redelivered update once and answers it the same", async () => {
      const body = update("/ticket only once");
      const first = await post(handler, body);
      const second = await post(handler, body);
      assert.equal(second.body, first.body);
      assert.equal((await itemsOfType("ticket")).length, 1);
    });

    it("processes 20 concurrent copies once, answering every copy 200 with the same body", async () => {
      const body = update("/ticket twenty copies");
      const results = await Promise.all(Array.from({ length: 20 }, () => post(handler, body)));
      assert.ok(results.every((r) => r.statusCode === 200));
      assert.equal(new Set(results.map((r) => r.body)).size, 1);
      assert.equal((await itemsOfType("ticket")).length, 1);
    });

    it("appends 20 concurrent copies of a plain message once", async () => {
      const id = ticketIdIn(reply(await post(handler, update("/ticket appends"))));
      const body = update("only one of me");
      const results = await Promise.all(Array.from({ length: 20 }, () => post(handler, body)));
      assert.ok(results.every((r) => r.statusCode === 200));
      const messages = await itemsOfType("message");
      assert.equal(messages.length, 1);
      assert.equal(messages[0]?.ticketId, id);
    });

    it("answers 5xx while the store is stopped, leaves no ticket, and processes the retry once after restart", async () => {
      await post(handler, update("/start"));
      const body = update("/ticket during outage");
      await db.stop();
      try {
        const failed = await post(handler, body);
        assert.ok(failed.statusCode >= 500 && failed.statusCode < 600, String(failed.statusCode));
        assert.deepEqual(Object.keys(JSON.parse(failed.body) as object).sort(), ["error", "reference"]);
      } finally {
        await db.start();
      }
      assert.equal((await itemsOfType("ticket")).length, 0);
      const retried = await post(handler, body);
      assert.ok(ticketIdIn(reply(retried)));
      const again = await post(handler, body);
      assert.equal(again.body, retried.body);
      assert.equal((await itemsOfType("ticket")).length, 1);
    });

    it("answers 503 when the store throttles the ticket write (injected fault), then processes the retry once", async () => {
      await post(handler, update("/start"));
      const body = update("/ticket throttled");
      db.throttleNext(1, "PutItem");
      const failed = await post(handler, body);
      assert.equal(failed.statusCode, 503);
      assert.equal((await itemsOfType("ticket")).length, 0);
      assert.ok(ticketIdIn(reply(await post(handler, body))));
      assert.equal((await itemsOfType("ticket")).length, 1);
    });

    it("when the ticket write fails after the state committed, the retry writes that same ticket and answers the same", async () => {
      await post(handler, update("/start"));
      const body = update("/ticket commit throttled");
      db.throttleNext(1, "PutItem"); // the state commit (with its intent) passes, the ticket write is throttled
      assert.equal((await post(handler, body)).statusCode, 503);
      assert.equal((await itemsOfType("ticket")).length, 0);
      const id = ticketIdIn(reply(await post(handler, body)));
      const written = await itemsOfType("ticket");
      assert.equal(written.length, 1);
      assert.equal(id, written[0]?.id);
      for (const field of ["id", "subject", "status", "createdAt", "gsi1pk", "gsi2pk", "gsi3pk"]) assert.ok(written[0]?.[field] !== undefined, field);
    });
  });

  it("makes 2 store round trips for a plain message appended to an open ticket", async () => {
    await post(handler, update("/ticket counting"));
    const before = db.calls.length;
    assert.equal(reply(await post(handler, update("just text"))), "");
    // The fast-path claim in the user's state, then the message.
    assert.deepEqual(
      db.calls.slice(before).map((c) => c.operation),
      ["UpdateItem", "PutItem"],
    );
  });
});
