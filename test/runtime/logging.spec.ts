import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createLogger, stdoutSink } from "../../runtime/adapters/logger";
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

describe("the standard output sink", () => {
  const eagain = () => Object.assign(new Error("write EAGAIN"), { code: "EAGAIN" });
  const collector = () => {
    const chunks: Buffer[] = [];
    return { chunks, text: () => Buffer.concat(chunks).toString("utf8"), stream: () => ({ write: (chunk: Buffer | string) => chunks.push(Buffer.from(chunk)) }) };
  };

  it("writes each line whole and synchronously to the descriptor", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-log-"));
    const file = path.join(dir, "out.log");
    const fd = fs.openSync(file, "w");
    try {
      const queued = collector();
      const logger = createLogger({ handler: "test" }, stdoutSink((bytes) => fs.writeSync(fd, bytes), queued.stream));
      logger.info("first", { n: 1 });
      logger.child({ reference: "r1" }).warn("second");
      // Synchronous: on disk before anything else runs, nothing queued.
      const lines = fs.readFileSync(file, "utf8").split("\n");
      assert.equal(lines.length, 3);
      assert.equal(lines[2], "");
      assert.deepEqual(
        lines.slice(0, 2).map((l) => { const { level, message, n, reference } = JSON.parse(l) as Record<string, unknown>; return { level, message, n, reference }; }),
        [{ level: "info", message: "first", n: 1, reference: undefined }, { level: "warn", message: "second", n: undefined, reference: "r1" }],
      );
      assert.deepEqual(queued.chunks, []);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands the line and every later one to the stream once the descriptor refuses (EAGAIN), in order", () => {
    const direct: string[] = [];
    let full = false;
    const queued = collector();
    const sink = stdoutSink((bytes) => {
      if (full) throw eagain();
      direct.push(bytes.toString());
      return bytes.length;
    }, queued.stream);
    sink("a");
    full = true;
    sink("b");
    full = false; // the pipe drained, but the stream may still hold "b": "c" must not overtake it
    sink("c");
    assert.deepEqual(direct, ["a\n"]);
    assert.equal(queued.text(), "b\nc\n");
    assert.equal(queued.chunks.length, 2);
  });

  it("queues the rest of a line the descriptor took only in part (multi-byte text kept whole)", () => {
    const direct: Buffer[] = [];
    const queued = collector();
    const sink = stdoutSink((bytes) => {
      direct.push(bytes.subarray(0, 2)); // "h" and the first byte of "é"
      return 2;
    }, queued.stream);
    sink("héllo wörld");
    sink("next");
    assert.equal(direct.length, 1);
    assert.equal(Buffer.concat([...direct, ...queued.chunks]).toString("utf8"), "héllo wörld\nnext\n");
  });
});
