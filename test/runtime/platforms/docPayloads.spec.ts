import { strict as assert } from "node:assert";
import { parseDiscordInteraction } from "../../../runtime/platforms/discord";
import { type MetaBatch, parseMetaPayload } from "../../../runtime/platforms/meta";
import { isSlackSslCheck, parseSlackRequest } from "../../../runtime/platforms/slack";
import { parseTelegramUpdate } from "../../../runtime/platforms/telegram";
import { type DocPlatform, docFixture, docFixtures, docForm } from "../support/platformFixtures";

/**
 * Every platform parser against the platforms' own documentation examples
 * (test/fixtures/platforms/<platform>/*.json, each naming its page). Each fixture must have an
 * expectation here, so a fixture added later cannot go untested.
 */
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const OFFICIAL: Readonly<Record<DocPlatform, RegExp>> = {
  meta: /^https:\/\/developers\.facebook\.com\//,
  slack: /^https:\/\/docs\.slack\.dev\//,
  discord: /^https:\/\/discord\.com\/developers\/docs\//,
  telegram: /^https:\/\/core\.telegram\.org\//,
};

function expectEvery(platform: DocPlatform, expectations: Readonly<Record<string, () => void>>): void {
  describe(`${platform}: documented payloads`, () => {
    it("every fixture names the platform's own documentation page and has an expectation", () => {
      const fixtures = docFixtures(platform);
      assert.ok(fixtures.length >= 5, `${platform} has its documented payloads`);
      for (const { name, sources } of fixtures) {
        assert.ok(sources.length > 0 && sources.some((s) => OFFICIAL[platform].test(s)), `${platform}/${name}.json: _source must cite the platform's docs`);
        assert.ok(name in expectations, `${platform}/${name}.json has no expectation in this spec`);
      }
    });
    for (const [name, check] of Object.entries(expectations)) it(name, check);
  });
}

const meta = (name: string): MetaBatch => parseMetaPayload(bytes(docFixture("meta", name)));
const skippedOnly = (name: string, kind: string) => () => {
  const batch = meta(name);
  assert.deepEqual(batch.messages, []);
  assert.deepEqual(
    batch.skipped.map((s) => [s.kind, s.expected]),
    [[kind, true]],
  );
};

expectEvery("meta", {
  whatsapp_text: () => {
    const { messages, skipped } = meta("whatsapp_text");
    assert.deepEqual(skipped, []);
    assert.deepEqual(messages, [
      {
        address: "whatsapp:106540352242922:16505551234",
        inbound: {
          user: { platform: "meta", userId: "wa:16505551234" },
          deliveryKey: "meta:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
          text: "Does it come in another color?",
          sentAt: 1739321024000,
        },
      },
    ]);
  },
  whatsapp_text_username: () => {
    // No `from`, no wa_id: the BSUID is the user and the reply address.
    const [message] = meta("whatsapp_text_username").messages;
    assert.equal(message?.inbound.user.userId, "wa:US.13491208655302741918");
    assert.equal(message?.address, "whatsapp:106540352242922:US.13491208655302741918");
  },
  whatsapp_text_parent_bsuid: () => {
    // Phone and BSUID both present: the BSUID (stable whether or not the phone is shown) keys the user.
    const [message] = meta("whatsapp_text_parent_bsuid").messages;
    assert.equal(message?.inbound.user.userId, "wa:US.13491208655302741918");
  },
  whatsapp_status: skippedOnly("whatsapp_status", "whatsapp.status"),
  whatsapp_reaction: skippedOnly("whatsapp_reaction", "whatsapp.message.reaction"),
  whatsapp_image: skippedOnly("whatsapp_image", "whatsapp.message.image"),
  whatsapp_system: skippedOnly("whatsapp_system", "whatsapp.message.system"),
  whatsapp_unsupported: skippedOnly("whatsapp_unsupported", "whatsapp.message.unsupported"),
  whatsapp_group_text: skippedOnly("whatsapp_group_text", "whatsapp.group"),
  messenger_text: () => {
    const { messages, skipped } = meta("messenger_text");
    assert.deepEqual(skipped, []);
    assert.deepEqual(messages, [
      {
        address: "messenger:1234567890123456:24000000000000001",
        inbound: { user: { platform: "meta", userId: "ms:24000000000000001" }, deliveryKey: "meta:mid.1457764197618:41d102a3e1ae206a38", text: "hello, world!", sentAt: 1458692752478 },
      },
    ]);
  },
  messenger_attachment: skippedOnly("messenger_attachment", "messenger.message.attachment"),
  messenger_echo: skippedOnly("messenger_echo", "messenger.echo"),
  messenger_delivery: skippedOnly("messenger_delivery", "messenger.delivery"),
  messenger_read: skippedOnly("messenger_read", "messenger.read"),
  messenger_optin_user_ref: skippedOnly("messenger_optin_user_ref", "messenger.optin"),
  messenger_postback_user_ref: skippedOnly("messenger_postback_user_ref", "messenger.postback"),
  messenger_reaction: skippedOnly("messenger_reaction", "messenger.reaction"),
});

const slack = (name: string) => parseSlackRequest(bytes(docFixture("slack", name)), "application/json", 0);
const slackForm = (name: string) => parseSlackRequest(Buffer.from(docForm(name)), "application/x-www-form-urlencoded", 1_700_000_000_000);

expectEvery("slack", {
  url_verification: () => assert.deepEqual(slack("url_verification"), { kind: "urlVerification", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" }),
  app_rate_limited: () => assert.deepEqual(slack("app_rate_limited"), { kind: "ignored", reason: "app_rate_limited" }),
  message_im: () =>
    assert.deepEqual(slack("message_im"), {
      kind: "message",
      channel: "D024BE91L",
      inbound: { user: { platform: "slack", userId: "T123ABC456:U2147483697" }, deliveryKey: "slack:event:Ev123ABC456", text: "Hello hello can you hear me?", sentAt: 1355517523000 },
    }),
  message_changed: () => assert.deepEqual(slack("message_changed"), { kind: "ignored", reason: "bot or edited message" }),
  app_mention: () => assert.deepEqual(slack("app_mention"), { kind: "ignored", reason: "not a message" }),
  slash_command: () => assert.deepEqual(slackForm("slash_command"), { kind: "unknownCommand" }, "/weather is not ours"),
  ssl_check: () => {
    assert.equal(isSlackSslCheck(Buffer.from(docForm("ssl_check")), "application/x-www-form-urlencoded"), true);
    assert.equal(isSlackSslCheck(Buffer.from(docForm("slash_command")), "application/x-www-form-urlencoded"), false);
    assert.equal(isSlackSslCheck(Buffer.from(JSON.stringify({ ssl_check: "1" })), "application/json"), false, "only the form Slack sends");
  },
  block_actions: () => assert.deepEqual(slackForm("block_actions"), { kind: "ignored", reason: "interactivity payload" }),
});

const telegram = (name: string) => parseTelegramUpdate(bytes(docFixture("telegram", name)));
const textMessage = (name: string, text: string) => () =>
  assert.deepEqual(telegram(name), {
    kind: "message",
    updateId: 10000,
    chatId: 1111111,
    inbound: { user: { platform: "telegram", userId: "1111111" }, deliveryKey: "telegram:update:10000", text, sentAt: 1441645532000 },
  });
const ignoredUpdate = (name: string, reason: string) => () => assert.deepEqual(telegram(name), { kind: "ignored", updateId: 10000, reason });

expectEvery("telegram", {
  message_text_untyped_chat: textMessage("message_text_untyped_chat", "/start"),
  message_text: textMessage("message_text", "/start"),
  forwarded_message: textMessage("forwarded_message", "/start"),
  message_reply: textMessage("message_reply", "/start"),
  message_entities: textMessage("message_entities", "Bold and italics"),
  edited_message: ignoredUpdate("edited_message", "edited_message"),
  message_audio: ignoredUpdate("message_audio", "message without text"),
  message_voice: ignoredUpdate("message_voice", "message without text"),
  message_document: ignoredUpdate("message_document", "message without text"),
  inline_query: ignoredUpdate("inline_query", "inline_query"),
  chosen_inline_result: ignoredUpdate("chosen_inline_result", "chosen_inline_result"),
  callback_query: ignoredUpdate("callback_query", "callback_query"),
});

const discord = (name: string) => parseDiscordInteraction(bytes(docFixture("discord", name)));
const unsupported = (name: string, response: unknown) => () => {
  const parsed = discord(name);
  assert.equal(parsed.kind, "unsupported");
  if (parsed.kind !== "unsupported") return;
  assert.equal(parsed.response.statusCode, 200);
  assert.deepEqual(JSON.parse(parsed.response.body), response);
};
const privateHint = { type: 4, data: { content: "This app only has slash commands: try /help.", allowed_mentions: { parse: [] }, flags: 64 } };

expectEvery("discord", {
  ping: () => assert.deepEqual(discord("ping"), { kind: "ping" }),
  slash_command: () =>
    assert.deepEqual(discord("slash_command"), {
      kind: "command",
      interactionId: "786008729715212338",
      token: "A_UNIQUE_TOKEN",
      inbound: { user: { platform: "discord", userId: "53908232506183680" }, deliveryKey: "discord:interaction:786008729715212338", text: "/cardsearch The Gitrog Monster", sentAt: 1607469484500 },
    }),
  user_command: unsupported("user_command", privateHint),
  message_component: unsupported("message_component", { type: 6 }),
  modal_submit: unsupported("modal_submit", privateHint),
  autocomplete: unsupported("autocomplete", { type: 8, data: { choices: [] } }),
});
