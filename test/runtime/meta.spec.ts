import { strict as assert } from "node:assert";
import { createMetaHandler } from "../../runtime/handlers/meta";
import { testBot, type TestBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { fixture, httpEvent, metaHeaders, SECRETS } from "./support/events";

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

  it("answers 400 to a signed payload that does not match the schema", async () => {
    assert.equal((await post({ object: "whatsapp_business_account" })).statusCode, 400);
    const bad = whatsapp([{ id: "wamid.z", text: "x" }]);
    (bad.entry[0]?.changes[0]?.value as Record<string, unknown>).metadata = {};
    assert.equal((await post(bad)).statusCode, 400);
    assert.equal((await db.items(bot.tableName)).length, 0);
  });
});
