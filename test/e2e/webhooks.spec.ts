import { strict as assert } from "node:assert";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { KEYS } from "../../runtime/adapters/store";
import { ORIGIN_VERIFY_HEADER } from "../../runtime/routes";
import { DEFAULT_USERS, type Platform, platformRequest, signingKeys } from "../../tools/send/platformRequest";
import { type Answer, type E2eStack, startE2eStack } from "./support/stack";

/** The bot's text in each platform's webhook answer (Telegram sendMessage, Discord type 4, Slack ephemeral). */
function answerText(platform: Platform, answer: Answer): string {
  assert.equal(answer.status, 200, answer.text);
  const body = answer.json<{ text?: string; data?: { content?: string } }>();
  const text = platform === "discord" ? body.data?.content : body.text;
  assert.equal(typeof text, "string", `no answer text in ${answer.text}`);
  return text as string;
}

const OPENED = /Ticket (\w+) opened: Printer on fire/;

describe("local stack end to end: webhooks over HTTP", function () {
  let e2e: E2eStack;
  before(async () => {
    e2e = await startE2eStack();
  });
  after(async () => {
    await e2e?.stop();
  });

  for (const platform of ["telegram", "discord", "slack"] as const) {
    it(`runs a whole ticket lifecycle on ${platform}, answered in the webhook response`, async () => {
      // Slack: /start and plain text are Events API messages (acknowledged empty, reply queued);
      // Discord has slash commands only, so there is no plain-text step there.
      const start = await e2e.send(platform, "/start");
      assert.equal(start.status, 200, start.text);
      if (platform !== "slack") assert.match(answerText(platform, start), /\S/);

      const opened = OPENED.exec(answerText(platform, await e2e.send(platform, "/ticket Printer on fire")));
      assert.ok(opened, "ticket id in the answer");
      const id = opened[1] as string;

      if (platform !== "discord") {
        const plain = await e2e.send(platform, "It is smoking now");
        assert.equal(plain.status, 200, plain.text);
        assert.ok((await e2e.ticketMessages(id)).includes("It is smoking now"), "plain text appended to the open ticket");
      }

      assert.match(answerText(platform, await e2e.send(platform, "/tickets")), new RegExp(`${id} \\[open\\] Printer on fire`));
      assert.match(answerText(platform, await e2e.send(platform, `/status ${id}`)), new RegExp(`Ticket ${id} \\[open\\]`));
      assert.equal(answerText(platform, await e2e.send(platform, `/close ${id}`)), `Ticket ${id} closed.`);
      assert.match(answerText(platform, await e2e.send(platform, `/status ${id}`)), new RegExp(`Ticket ${id} \\[closed\\]`));

      if (platform === "slack") {
        // The /start Events API message was acknowledged empty: its answer goes out through the outbox.
        const before = e2e.stack.standIn.accepted().length;
        assert.equal((await e2e.stack.runOutbox()).delivered, 1);
        const [reply] = e2e.stack.standIn.accepted().slice(before);
        assert.equal(reply?.platform, "slack");
        assert.match((reply?.body as { text?: string }).text ?? "", /\S/);
      }
    });
  }

  it("runs a whole ticket lifecycle on meta (WhatsApp), every answer queued for the send API", async () => {
    let n = 0;
    const say = async (text: string): Promise<string | undefined> => {
      const deliveryId = `${Date.now()}${++n}`;
      const answer = await e2e.send("meta", text, { deliveryId });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.text, "");
      return e2e.queuedReply(`meta:wamid.${deliveryId}`);
    };
    assert.match((await say("/start")) ?? "", /\S/);
    const opened = OPENED.exec((await say("/ticket Printer on fire")) ?? "");
    assert.ok(opened, "ticket id in the queued reply");
    const id = opened[1] as string;
    assert.equal(await say("It is smoking now"), undefined, "plain text is appended silently");
    assert.ok((await e2e.ticketMessages(id)).includes("It is smoking now"));
    assert.match((await say("/tickets")) ?? "", new RegExp(`${id} \\[open\\]`));
    assert.match((await say(`/status ${id}`)) ?? "", new RegExp(`Ticket ${id} \\[open\\]`));
    assert.equal(await say(`/close ${id}`), `Ticket ${id} closed.`);

    // The outbox function (every minute when deployed) sends the queued answers to WhatsApp, once each.
    const before = e2e.stack.standIn.accepted().length;
    assert.equal((await e2e.stack.runOutbox()).failed, 0);
    const sent = e2e.stack.standIn.accepted().slice(before).filter((request) => request.platform === "whatsapp");
    const texts = sent.map((request) => (request.body as { text: { body: string } }).text.body);
    assert.ok(texts.some((text) => OPENED.test(text)) && texts.includes(`Ticket ${id} closed.`), texts.join(" | "));
    assert.equal(texts.length, 5, "one message per answer (the plain text had none)");
    assert.equal((await e2e.stack.runOutbox()).delivered, 0, "nothing sent twice");
  });

  it("keeps one user's tickets apart from another's (--user)", async () => {
    const other = "100200399";
    assert.notEqual(other, DEFAULT_USERS.telegram);
    const listed = answerText("telegram", await e2e.send("telegram", "/tickets", { user: other }));
    assert.doesNotMatch(listed, /Printer on fire/);
  });

  it("answers a redelivered update once: same answer, one ticket", async () => {
    const first = await e2e.send("telegram", "/ticket Duplicate check", { deliveryId: "424242", user: "100200311" });
    const again = await e2e.send("telegram", "/ticket Duplicate check", { deliveryId: "424242", user: "100200311" });
    assert.equal(again.text, first.text);
    const listed = answerText("telegram", await e2e.send("telegram", "/tickets", { user: "100200311" }));
    assert.equal(listed.match(/Duplicate check/g)?.length, 1);
  });

  it("refuses a forged signature on every platform with 401 over HTTP and writes nothing", async () => {
    const keys = signingKeys(e2e.stack.settings);
    for (const platform of ["telegram", "discord", "slack", "meta"] as const) {
      const user = { telegram: "100200777", discord: "900000000000000777", slack: "U0FORGED", meta: "15550007777" }[platform];
      const signed = platformRequest(platform, "/ticket forged", keys, { user });
      // Telegram's header is a shared secret: change it; the others sign the body: change one byte after signing.
      const headers = platform === "telegram" ? { ...signed.headers, "x-telegram-bot-api-secret-token": "not-the-secret" } : signed.headers;
      const body = Buffer.from(signed.body);
      if (platform !== "telegram") body[body.indexOf("forged")] = "F".charCodeAt(0);
      const answer = await e2e.request("POST", signed.path, { headers, body });
      assert.equal(answer.status, 401, `${platform}: ${answer.text}`);
      assert.deepEqual(Object.keys(answer.json()).sort(), ["error", "reference"]);
      const stored = await e2e.documents.send(new GetCommand({ TableName: e2e.stack.dynamo.tableName, Key: KEYS.user({ platform, userId: platform === "slack" ? `T0LOCAL:${user}` : platform === "meta" ? `wa:${user}` : user }) }));
      assert.equal(stored.Item, undefined, `${platform}: nothing written for the forged sender`);
    }
  });

  it("answers API Gateway's 404 for unknown routes and methods, and the security headers on every handler answer", async () => {
    const unknown = await e2e.request("GET", "/nope");
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json(), { message: "Not Found" });
    assert.equal((await e2e.request("DELETE", "/webhooks/telegram")).status, 404);
    const health = await e2e.request("GET", "/health");
    assert.equal(health.status, 200);
    assert.deepEqual(health.json(), { status: "ok" });
    assert.equal(health.headers.get("x-content-type-options"), "nosniff");
    assert.equal(health.headers.get("cache-control"), "no-store");
  });

  it("refuses a request that did not come through the edge (origin lock on): 403, nothing written", async () => {
    const keys = signingKeys(e2e.stack.settings);
    const signed = platformRequest("telegram", "/ticket around the edge", keys, { user: "100200888" });
    const answer = await e2e.request("POST", signed.path, { headers: { ...signed.headers, [ORIGIN_VERIFY_HEADER]: "guessed-origin-value-000" }, body: signed.body });
    assert.equal(answer.status, 403);
    const stored = await e2e.documents.send(new GetCommand({ TableName: e2e.stack.dynamo.tableName, Key: KEYS.user({ platform: "telegram", userId: "100200888" }) }));
    assert.equal(stored.Item, undefined);
  });

  it("answers Meta's subscription check with the challenge only for the right verify token", async () => {
    const token = e2e.stack.settings.env.META_VERIFY_TOKEN ?? "";
    const ok = await e2e.request("GET", `/webhooks/meta?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    assert.equal(ok.status, 200);
    assert.equal(ok.text, "1158201444");
    const wrong = await e2e.request("GET", "/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444");
    assert.equal(wrong.status, 403);
  });
});
