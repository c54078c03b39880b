import { strict as assert } from "node:assert";
import { createDiscordHandler } from "../../runtime/handlers/discord";
import { createMetaHandler } from "../../runtime/handlers/meta";
import { createSlackHandler } from "../../runtime/handlers/slack";
import { createTelegramHandler } from "../../runtime/handlers/telegram";
import { testBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { discordHeaders, discordKeys, httpEvent, metaHeaders, SECRETS, slackHeaders, telegramHeaders } from "./support/events";

const SUBJECT = "Subject-Canary-7f3a";
const TEXT = "Message-Canary-91bd private words";

describe("logs", () => {
  let db: LocalDynamo;
  before(async () => {
    db = await startDynalite();
  });
  after(async () => db.close());

  it("are JSON lines without tokens, signatures or message text, through a run on every platform (good and bad requests)", async () => {
    const keys = discordKeys();
    const bot = await testBot(db, { discord: keys, origin: true });
    const origin = { "x-botfleet-origin-verify": SECRETS.origin };
    const ts = Math.floor(bot.now / 1000);
    const seen: string[] = [];
    const send = async (handler: (e: ReturnType<typeof httpEvent>) => Promise<unknown>, path: string, body: string, headers: Record<string, string>) => {
      for (const v of Object.values(headers)) if (v.length >= 16) seen.push(v);
      await handler(httpEvent({ method: "POST", path, headers: { ...origin, ...headers }, body }));
    };

    const telegram = createTelegramHandler(bot.deps);
    const tg = (id: number, text: string) => JSON.stringify({ update_id: id, message: { message_id: id, date: ts, chat: { id: 1, type: "private" }, from: { id: 1, is_bot: false }, text } });
    await send(telegram, "/webhooks/telegram", tg(1, `/ticket ${SUBJECT}`), telegramHeaders());
    await send(telegram, "/webhooks/telegram", tg(2, TEXT), telegramHeaders());
    await send(telegram, "/webhooks/telegram", tg(3, TEXT), telegramHeaders("wrong-token-value-123"));
    await send(telegram, "/webhooks/telegram", `{"update_id":"${TEXT}"}`, telegramHeaders());

    const discord = createDiscordHandler(bot.deps);
    const interaction = JSON.stringify({ id: "1308000000000000009", type: 2, token: "interaction-token-canary", member: { user: { id: "42" } }, data: { name: "ticket", options: [{ name: "subject", type: 3, value: SUBJECT }] } });
    await send(discord, "/webhooks/discord", interaction, discordHeaders(interaction, keys, ts));
    await send(discord, "/webhooks/discord", interaction, discordHeaders(interaction, discordKeys(), ts));

    const slack = createSlackHandler(bot.deps);
    const event = JSON.stringify({ type: "event_callback", event_id: "EvCanary", event_time: ts, team_id: "T1", event: { type: "message", channel_type: "im", channel: "D1", user: "U1", text: TEXT } });
    await send(slack, "/webhooks/slack", event, slackHeaders(event, ts));
    await send(slack, "/webhooks/slack", event, slackHeaders(event, ts, "application/json", "forged-signing-secret"));

    const meta = createMetaHandler(bot.deps);
    const wa = JSON.stringify({ object: "whatsapp_business_account", entry: [{ changes: [{ field: "messages", value: { metadata: { phone_number_id: "1" }, messages: [{ id: "wamid.canary", from: "2", timestamp: String(ts), type: "text", text: { body: TEXT } }] } }] }] });
    await send(meta, "/webhooks/meta", wa, metaHeaders(wa));
    await send(meta, "/webhooks/meta", wa, metaHeaders(wa, "forged-app-secret"));

    const lines = bot.logLines;
    assert.ok(lines.length >= 10, `only ${lines.length} log lines`);
    for (const line of lines) assert.equal(typeof JSON.parse(line), "object");
    const forbidden = [SUBJECT, "Message-Canary", "interaction-token-canary", ...Object.values(SECRETS), keys.publicKeyHex, ...seen];
    for (const needle of forbidden) {
      const leak = lines.find((l) => l.includes(needle));
      assert.equal(leak, undefined, `log leaks ${needle.slice(0, 12)}…: ${leak}`);
    }
    assert.ok(lines.some((l) => l.includes('"status":401')));
    assert.ok(lines.some((l) => l.includes('"status":400')));
  });
});
