import { strict as assert } from "node:assert";
import fc from "fast-check";
import { buildPlatformRequest, DEFAULT_BASE_URLS } from "../../../runtime/outbound/platformRequests";
import type { ReplyTarget } from "../../../runtime/outbound/replyIntent";
import { discordFollowUpBody, discordResponse } from "../../../runtime/platforms/discord";
import { DISCORD_MAX_CONTENT, discordMessage, MESSENGER_MAX_TEXT, messengerText, slackText, TELEGRAM_MAX_TEXT, telegramText, WHATSAPP_MAX_TEXT, whatsappText } from "../../../runtime/platforms/outgoingText";
import { slackCommandResponse, slackEphemeral, slackUnescape } from "../../../runtime/platforms/slack";
import { telegramResponse } from "../../../runtime/platforms/telegram";

/** Mentions in every syntax the four platforms know, as a user could type them into a ticket subject. */
const MENTIONS = [
  "@everyone",
  "@here",
  "@channel",
  "<@123456789012345678>",
  "<@!123456789012345678>",
  "<@&987654321098765432>",
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "<!subteam^S0614TZR7|@team>",
  "<@U0LAN0Z89>",
  "<#C024BE7LR|general>",
  "<https://evil.example|click me>",
  "@someone_else",
  "a & b < c > d",
];
const answer = (text: string) => ({ kind: "text" as const, text, private: true });

/** Slack: no control sequence survives (`<` and `>` never appear raw) and every `&` starts an entity. */
function assertSlackInert(text: string): void {
  assert.doesNotMatch(text, /[<>]/);
  assert.doesNotMatch(text, /&(?!amp;|lt;|gt;)/);
}

/** Telegram: no `@` directly followed by a username character (Telegram's mention entity). */
function assertTelegramInert(text: string): void {
  assert.doesNotMatch(text, /@[A-Za-z0-9_]/);
}

describe("outgoing text: one formatting function per platform", () => {
  describe("Telegram", () => {
    it("breaks @mentions without changing what the user sees, and clips to 4096 characters", () => {
      const out = telegramText("ping @admin and @everyone, mail a@b.example");
      assertTelegramInert(out);
      assert.equal(out.replace(/\u2060/g, ""), "ping @admin and @everyone, mail a@b.example");
      assert.equal(Array.from(telegramText("x".repeat(5000))).length, TELEGRAM_MAX_TEXT);
    });

    it("answers as plain text: sendMessage without parse_mode", () => {
      const body = JSON.parse(telegramResponse(answer("*bold* @admin"), 42).body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ["chat_id", "method", "text"]);
      assertTelegramInert(String(body.text));
    });
  });

  describe("Discord", () => {
    it("makes every mention inert with allowed_mentions {parse: []}, users, roles, @everyone and @here alike", () => {
      for (const mention of MENTIONS) {
        const message = discordMessage(`Ticket opened: ${mention}`);
        assert.deepEqual(message.allowed_mentions, { parse: [] }, mention);
        assert.equal(message.content, `Ticket opened: ${mention}`, "the text itself is shown as typed");
      }
    });

    it("is ephemeral on request and clips to 2000 characters without splitting a surrogate pair", () => {
      assert.equal(discordMessage("x", { ephemeral: true }).flags, 64);
      assert.equal(discordMessage("x").flags, undefined);
      const clipped = discordMessage("😀".repeat(2100)).content;
      assert.equal(Array.from(clipped).length, DISCORD_MAX_CONTENT);
      assert.ok(!/[\ud800-\udbff]$/.test(clipped));
    });

    it("answers every interaction privately and without pings, in the response and in a follow-up", () => {
      const response = JSON.parse(discordResponse(answer("<@&1> @everyone")).body) as { type: number; data: Record<string, unknown> };
      assert.deepEqual(response, { type: 4, data: { content: "<@&1> @everyone", allowed_mentions: { parse: [] }, flags: 64 } });
      const silent = JSON.parse(discordResponse({ kind: "silent" }).body) as { data: { flags: number } };
      assert.equal(silent.data.flags, 64);
      assert.deepEqual(JSON.parse(discordFollowUpBody(answer("@here"))), { content: "@here", allowed_mentions: { parse: [] } });
    });
  });

  describe("Slack", () => {
    it("escapes &, < and > so no special mention, user, channel or link reaches Slack as markup", () => {
      for (const mention of MENTIONS) assertSlackInert(slackText(mention));
      assert.equal(slackText("<!channel> & <@U1>"), "&lt;!channel&gt; &amp; &lt;@U1&gt;");
    });

    it("round-trips: what Slack sends us (escaped) is stored as typed, and escaped again on the way out", () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom("<", ">", "&", "a", "!", "@", "#", "|", "^", ";", "l", "t", "g", "m", "p") }), (typed) => {
          assert.equal(slackUnescape(slackText(typed)), typed.slice(0, 4000));
          assertSlackInert(slackText(typed));
        }),
      );
    });

    it("answers slash commands ephemerally with the escaped text", () => {
      assert.deepEqual(slackEphemeral("<!here>"), { response_type: "ephemeral", text: "&lt;!here&gt;" });
      assert.deepEqual(JSON.parse(slackCommandResponse(answer("<!channel>")).body), { response_type: "ephemeral", text: "&lt;!channel&gt;" });
    });
  });

  describe("Meta", () => {
    it("sends plain text within each send API's limit", () => {
      assert.equal(Array.from(whatsappText("y".repeat(5000))).length, WHATSAPP_MAX_TEXT);
      assert.equal(Array.from(messengerText("y".repeat(5000))).length, MESSENGER_MAX_TEXT);
      assert.equal(whatsappText("@everyone <b>"), "@everyone <b>");
    });
  });

  describe("every outbound request (agents' replies, queued replies) goes through them", () => {
    const targets: ReplyTarget[] = [
      { platform: "telegram", chatId: "5550001" },
      { platform: "discord", channelId: "111" },
      { platform: "slack", channel: "D024BE91L" },
      { platform: "whatsapp", phoneNumberId: "106540352242922", to: "16505551234" },
      { platform: "messenger", recipientId: "24000000000000001" },
    ];
    it("property: whatever the text, no request carries a live mention or markup", () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...MENTIONS, " ", "text", "\n"), { minLength: 1, maxLength: 12 }), fc.constantFrom(...targets), (parts, target) => {
          const text = parts.join("");
          fc.pre(text.trim() !== "");
          const body = JSON.parse(buildPlatformRequest({ replyId: "reply-0001", ticketId: "", target, text }, "token", DEFAULT_BASE_URLS).body) as Record<string, unknown>;
          switch (target.platform) {
            case "telegram":
              assert.equal(body.parse_mode, undefined);
              assertTelegramInert(String(body.text));
              break;
            case "discord":
              assert.deepEqual(body.allowed_mentions, { parse: [] });
              break;
            case "slack":
              assertSlackInert(String(body.text));
              break;
            default:
              break;
          }
        }),
      );
    });

    it("addresses a WhatsApp user known only by a BSUID with `recipient`, a phone number with `to`", () => {
      const send = (to: string) =>
        JSON.parse(buildPlatformRequest({ replyId: "reply-0002", ticketId: "", target: { platform: "whatsapp", phoneNumberId: "106540352242922", to }, text: "hi" }, "t", DEFAULT_BASE_URLS).body) as Record<string, unknown>;
      const byBsuid = send("US.13491208655302741918");
      assert.equal(byBsuid.recipient, "US.13491208655302741918");
      assert.equal(byBsuid.to, undefined);
      const byPhone = send("16505551234");
      assert.equal(byPhone.to, "16505551234");
      assert.equal(byPhone.recipient, undefined);
    });
  });
});
