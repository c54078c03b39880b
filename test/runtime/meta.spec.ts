import { strict as assert } from "node:assert";
import { TEXT } from "../../runtime/domain/conversation";
import { createMetaHandler } from "../../runtime/handlers/meta";
import { testBot, type TestBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { fixture, httpEvent, metaHeaders, SECRETS } from "./support/events";
import { docFixture, docFixtures } from "./support/platformFixtures";
import { parseMetaPayload } from "../../runtime/platforms/meta";
import { MAX_BODY_BYTES } from "../../runtime/http/bodyLimits";

type Entry = Record<string, unknown>;
const entriesOf = (name: string) => docFixture<{ entry: Entry[] }>("meta", name).entry;

/** A WhatsApp batch: one change per message, `count` messages over `users` users, in order per user. */
function bigWhatsappBatch(users: number, perUser: number, marker = "") {
  const messages = [];
  for (let n = 0; n < perUser; n++) {
    for (let u = 0; u < users; u++) {
      const from = String(16505550000 + u);
      messages.push({ from, id: `wamid.big.${u}.${n}`, timestamp: String(1795334400 + n), type: "text", text: { body: n === 0 ? `/ticket Batch ${u}` : `detail ${n}${marker}` } });
    }
  }
  return {
    object: "whatsapp_business_account",
    entry: [{ id: "102290129340398", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: "106540352242922" }, messages } }] }],
  };
}

type Handler = ReturnType<typeof createMetaHandler>;

function whatsapp(messages: { id: string; text: string; from?: string }[]) {
  const base = fixture<{ entry: { changes: { value: Record<string, unknown> }[] }[] }>("meta", "whatsapp_text");
  const value = base.entry[0]?.changes[0]?.value as Record<string, unknown>;
  value.messages = messages.map((m) => ({ from: m.from ?? "16505551234", id: m.id, timestamp: "1795334400", type: "text", text: { body: m.text } }));
  return base;
}

describe("meta webhook", () => {
  let db: LocalDynamo;
  let bot: TestBot & { tableName: string };
  let handler: Handler;
  const post = (body: unknown, headers?: Record<string, string>) => {
    const raw = JSON.stringify(body);
    return handler(httpEvent({ method: "POST", path: "/webhooks/meta", headers: headers ?? metaHeaders(raw), body: raw }));
  };
  const items = async (type: string) => (await db.items(bot.tableName)).filter((i) => i.type === type);

  before(async () => {
    db = await startDynalite();
  });
  after(async () => db.close());
  beforeEach(async () => {
    bot = await testBot(db, { settings: { rateLimit: { capacity: 100, refillPerMinute: 60 } } });
    handler = createMetaHandler(bot.deps);
  });

  describe("GET verification", () => {
    const get = (query: string) => handler(httpEvent({ method: "GET", path: "/webhooks/meta", query }));
    it("answers hub.challenge as plain text when the verify token matches", async () => {
      const r = await get(`hub.mode=subscribe&hub.verify_token=${SECRETS.metaVerify}&hub.challenge=1158201444`);
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, "1158201444");
      assert.match(r.headers["content-type"] ?? "", /^text\/plain/);
    });
    it("answers 403 to a wrong token, a wrong mode or a missing token", async () => {
      assert.equal((await get("hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1")).statusCode, 403);
      assert.equal((await get(`hub.mode=unsubscribe&hub.verify_token=${SECRETS.metaVerify}&hub.challenge=1`)).statusCode, 403);
      assert.equal((await get("hub.mode=subscribe&hub.challenge=1")).statusCode, 403);
      assert.equal((await get(`hub.mode=subscribe&hub.verify_token=${SECRETS.metaVerify}&hub.challenge=%3Cscript%3E`)).statusCode, 403);
    });
  });

  it("opens a ticket from a WhatsApp text and queues the reply to that number", async () => {
    const r = await post(fixture("meta", "whatsapp_text"));
    assert.equal(r.statusCode, 200);
    const [ticket] = await items("ticket");
    assert.equal(ticket?.subject, "Printer on fire");
    assert.equal(ticket?.userId, "wa:16505551234");
    const [reply] = await items("reply");
    assert.equal(reply?.address, "whatsapp:106540352242922:16505551234");
  });

  it("opens a ticket from a Messenger text", async () => {
    assert.equal((await post(fixture("meta", "messenger_text"))).statusCode, 200);
    assert.equal((await items("ticket"))[0]?.userId, "ms:24000000000000001");
    assert.equal((await items("reply"))[0]?.address, "messenger:1234567890:24000000000000001");
  });

  it("acknowledges status updates without writing", async () => {
    assert.equal((await post(fixture("meta", "whatsapp_status"))).statusCode, 200);
    assert.equal((await db.items(bot.tableName)).length, 0);
  });

  it("handles every message of a batch once, also when Meta redelivers it (20 copies at once)", async () => {
    const batch = whatsapp([
      { id: "wamid.a", text: "/ticket Batch" },
      { id: "wamid.b", text: "first detail" },
      { id: "wamid.c", text: "second detail" },
    ]);
    assert.equal((await post(batch)).statusCode, 200);
    const copies = await Promise.all(Array.from({ length: 20 }, () => post(batch)));
    assert.ok(copies.every((c) => c.statusCode === 200));
    assert.equal((await items("ticket")).length, 1);
    assert.equal((await items("message")).length, 2);
  });

  it("after a store failure mid-batch, the redelivered batch finishes without doubling the part already done", async () => {
    const batch = whatsapp([
      { id: "wamid.x1", text: "/ticket Mid-batch" },
      { id: "wamid.x2", text: "detail" },
    ]);
    // first message: GetItem, UpdateItem(commit + intent), PutItem(ticket), PutItem(reply), UpdateItem(clear intent); then the second's fast-path claim fails
    db.throttleNext(1, "UpdateItem", 2);
    assert.equal((await post(batch)).statusCode, 503);
    assert.equal((await items("ticket")).length, 1);
    assert.equal((await items("message")).length, 0);
    assert.equal((await post(batch)).statusCode, 200);
    assert.equal((await items("ticket")).length, 1);
    assert.equal((await items("message")).length, 1);
  });

  it("rejects a forged, malformed or missing X-Hub-Signature-256 without writing", async () => {
    const body = fixture("meta", "whatsapp_text");
    const raw = JSON.stringify(body);
    assert.equal((await post(body, metaHeaders(raw, "wrong-secret"))).statusCode, 401);
    assert.equal((await post(body, { "x-hub-signature-256": "sha1=abc" })).statusCode, 401);
    assert.equal((await post(body, {})).statusCode, 401);
    assert.equal((await db.items(bot.tableName)).length, 0);
  });

  it("answers 400 only to a signed body that is not a Meta notification at all", async () => {
    assert.equal((await post({ object: "whatsapp_business_account" })).statusCode, 400);
    assert.equal((await post({ entry: [] })).statusCode, 400);
    assert.equal((await post([1, 2])).statusCode, 400);
    assert.equal((await db.items(bot.tableName)).length, 0);
  });

  describe("every documented payload, in one batch", () => {
    it("WhatsApp: answers 200, processes each text (phone or username users) and skips statuses, reactions, media, system, unsupported and group messages", async () => {
      const names = docFixtures("meta").map((f) => f.name).filter((n) => n.startsWith("whatsapp_"));
      const batch = { object: "whatsapp_business_account", entry: names.flatMap(entriesOf) };
      assert.equal((await post(batch)).statusCode, 200);
      const deliveries = bot.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === "message handled");
      assert.equal(deliveries.length, 3, "the three text messages: phone, username (BSUID only), phone + parent BSUID");
      const skipped = bot.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === "meta event skipped");
      assert.deepEqual(skipped.map((l) => l.kind).sort(), ["whatsapp.group", "whatsapp.message.image", "whatsapp.message.reaction", "whatsapp.message.system", "whatsapp.message.unsupported", "whatsapp.status"]);
      assert.ok(skipped.every((l) => typeof l.skipReference === "string" && typeof l.path === "string"));
    });

    it("Messenger: receipts without timestamp, opt-ins and postbacks with only a user_ref, echoes and reactions never fail the batch", async () => {
      const names = docFixtures("meta").map((f) => f.name).filter((n) => n.startsWith("messenger_") && n !== "messenger_text");
      const text = entriesOf("messenger_text");
      // The text message last, after every kind of event that used to fail the whole batch.
      const batch = { object: "page", entry: [...names.flatMap(entriesOf), ...text] };
      assert.equal((await post(batch)).statusCode, 200);
      const [reply] = await items("reply");
      assert.equal(reply?.address, "messenger:1234567890123456:24000000000000001");
      assert.equal(reply?.text, TEXT.noOpenTicket);
    });
  });

  describe("users who adopted a username (business-scoped user id only)", () => {
    it("keys them by BSUID and queues the reply to the BSUID", async () => {
      const body = docFixture<{ entry: Entry[] }>("meta", "whatsapp_text_username");
      const value = ((body.entry[0]?.changes as Entry[])[0]?.value as { messages: { text: { body: string } }[] });
      value.messages[0]!.text.body = "/ticket Username user";
      assert.equal((await post(body)).statusCode, 200);
      const [ticket] = await items("ticket");
      assert.equal(ticket?.userId, "wa:US.13491208655302741918");
      assert.equal((await items("reply"))[0]?.address, "whatsapp:106540352242922:US.13491208655302741918");
    });
  });

  describe("batches as large as Meta sends", () => {
    it("reads 1,000 updates in one body, within the route's body limit", () => {
      const raw = Buffer.from(JSON.stringify(bigWhatsappBatch(100, 10)));
      assert.ok(raw.length < MAX_BODY_BYTES.meta, `${raw.length} bytes`);
      const { messages, skipped } = parseMetaPayload(raw);
      assert.equal(messages.length, 1000);
      assert.deepEqual(skipped, []);
    });

    it("processes every message once, in order per user, users side by side", async () => {
      assert.equal((await post(bigWhatsappBatch(12, 4))).statusCode, 200);
      const tickets = await items("ticket");
      const messages = await items("message");
      assert.equal(tickets.length, 12);
      assert.equal(messages.length, 36, "every detail appended to its user's ticket: order per user kept");
      const byTicket = new Map(tickets.map((t) => [t.id, t.userId]));
      assert.ok(messages.every((m) => byTicket.get(m.ticketId) === m.userId));
    });

    it("answers 503 when a message fails, keeps the user's later messages for the retry, and the retry completes without duplicates", async () => {
      // Content-based fault: the first write carrying this text fails, whatever the store's write plan.
      let armed = true;
      db.client.middlewareStack.add(
        (next) => async (args) => {
          if (armed && JSON.stringify((args as { input?: unknown }).input ?? {}).includes("detail 2 FAIL-ONCE")) {
            armed = false;
            const error = new Error("injected write failure");
            error.name = "InternalServerError";
            throw error;
          }
          return next(args);
        },
        { step: "initialize", name: "failOnceOnMarker", override: true },
      );
      try {
        const batch = bigWhatsappBatch(5, 4, " FAIL-ONCE");
        assert.equal((await post(batch)).statusCode, 503);
        assert.equal(armed, false, "the fault fired");
        assert.equal((await post(batch)).statusCode, 200, "Meta's redelivery");
        assert.equal((await items("ticket")).length, 5);
        assert.equal((await items("message")).length, 15, "3 details per user, each once");
        assert.equal((await items("reply")).length, 5);
      } finally {
        db.client.middlewareStack.remove("failOnceOnMarker");
      }
    });

    it("starts nothing past the invocation's deadline: 503, and the retry finishes the batch", async () => {
      const batch = bigWhatsappBatch(4, 3);
      const raw = JSON.stringify(batch);
      const tight = await handler(httpEvent({ method: "POST", path: "/webhooks/meta", headers: metaHeaders(raw), body: raw }), { getRemainingTimeInMillis: () => 1_000 });
      assert.equal(tight.statusCode, 503, "under the settle margin nothing may start");
      assert.equal((await db.items(bot.tableName)).length, 0);
      // Meta gives up after 20 s: a request received 19 s ago has no time left either.
      const late = httpEvent({ method: "POST", path: "/webhooks/meta", headers: metaHeaders(raw), body: raw });
      const aged = { ...late, requestContext: { ...late.requestContext, timeEpoch: Date.now() - 19_000 } };
      assert.equal((await handler(aged)).statusCode, 503);
      assert.equal((await post(batch)).statusCode, 200);
      assert.equal((await items("ticket")).length, 4);
      assert.equal((await items("message")).length, 8);
    });
  });

  it("skips an entry it cannot read, with a logged reference, and processes the rest of the batch", async () => {
    const good = whatsapp([{ id: "wamid.ok", text: "/ticket Still processed" }]);
    const bad = whatsapp([{ id: "wamid.z", text: "x" }]);
    (bad.entry[0]?.changes[0]?.value as Record<string, unknown>).metadata = {};
    const mixed = { ...good, entry: [...bad.entry, "not an entry", ...good.entry] };
    assert.equal((await post(mixed)).statusCode, 200);
    assert.equal((await items("ticket"))[0]?.subject, "Still processed");
    const warnings = bot.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === "meta event not understood, skipped");
    assert.deepEqual(warnings.map((w) => w.path).sort(), ["entry[0].changes[0].value", "entry[1]"]);
    assert.ok(warnings.every((w) => typeof w.skipReference === "string" && w.kind === "malformed"));
  });
});
