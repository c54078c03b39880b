import { strict as assert } from "node:assert";
import fc from "fast-check";
import { BotfleetError } from "../../../runtime/errors";
import { parseDiscordInteraction, verifyDiscord } from "../../../runtime/platforms/discord";
import { parseMetaPayload, verifyMeta } from "../../../runtime/platforms/meta";
import { parseSlackRequest, verifySlack } from "../../../runtime/platforms/slack";
import { parseTelegramUpdate, verifyTelegram } from "../../../runtime/platforms/telegram";
import { discordHeaders, discordKeys, fixture, metaHeaders, SECRETS, slackHeaders, telegramHeaders } from "../support/events";

/**
 * Property tests over real crypto: a valid signed request verifies; any single-byte change to its
 * body or signature, and any random body/headers, never verify and never throw anything but our
 * own 4xx errors.
 */
const NOW = Date.UTC(2026, 10, 22, 6);
const keys = discordKeys();

function rejects(fn: () => unknown, status: number): void {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BotfleetError, `unexpected ${String(error)}`);
    assert.equal(error.status, status);
    return;
  }
  assert.fail("verified");
}

async function rejectsAsync(fn: () => Promise<unknown>, status: number): Promise<void> {
  await assert.rejects(fn, (error: unknown) => {
    assert.ok(error instanceof BotfleetError, `unexpected ${String(error)}`);
    assert.equal(error.status, status);
    return true;
  });
}

function onlyOurErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BotfleetError, `unexpected ${String(error)}`);
    assert.ok(error.status >= 400 && error.status < 500);
  }
}

function mutate(bytes: Buffer, index: number, xor: number): Buffer {
  const copy = Buffer.from(bytes);
  const i = index % copy.length;
  copy[i] = (copy[i] as number) ^ xor;
  return copy;
}

const mutation = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }));
const headerRecord = fc.dictionary(fc.constantFrom("x-signature-ed25519", "x-signature-timestamp", "x-slack-signature", "x-slack-request-timestamp", "x-hub-signature-256", "x-telegram-bot-api-secret-token", "content-type"), fc.string());

describe("platform verifiers (property-based, real crypto)", () => {
  it("discord: the valid request verifies; any single-byte mutation of body or signature does not", async () => {
    const body = Buffer.from(JSON.stringify(fixture("discord", "ticket_command")));
    const headers = discordHeaders(body, keys, NOW / 1000);
    await verifyDiscord(headers, body, keys.publicKeyHex, NOW);
    await fc.assert(
      fc.asyncProperty(mutation, async ([i, x]) => {
        await rejectsAsync(() => verifyDiscord(headers, mutate(body, i, x), keys.publicKeyHex, NOW), 401);
        const sig = mutate(Buffer.from(headers["x-signature-ed25519"] as string, "hex"), i, x).toString("hex");
        await rejectsAsync(() => verifyDiscord({ ...headers, "x-signature-ed25519": sig }, body, keys.publicKeyHex, NOW), 401);
      }),
    );
  });

  it("discord: a failed header check is a rejection too, never a throw (the handler awaits one promise)", async () => {
    const body = Buffer.from("{}");
    let thrown: unknown;
    let settled: Promise<void> | undefined;
    try {
      settled = verifyDiscord({}, body, keys.publicKeyHex, NOW);
    } catch (error) {
      thrown = error;
    }
    assert.equal(thrown, undefined);
    await rejectsAsync(() => settled ?? Promise.resolve(), 401);
    await rejectsAsync(() => verifyDiscord(discordHeaders(body, keys, NOW / 1000 - 301), body, keys.publicKeyHex, NOW), 401);
  });

  it("slack: the valid request verifies; any single-byte mutation does not", () => {
    const body = Buffer.from(JSON.stringify(fixture("slack", "message_im")));
    const headers = slackHeaders(body, NOW / 1000);
    verifySlack(headers, body, SECRETS.slack, NOW);
    fc.assert(
      fc.property(mutation, ([i, x]) => {
        rejects(() => verifySlack(headers, mutate(body, i, x), SECRETS.slack, NOW), 401);
        const sig = headers["x-slack-signature"] as string;
        const flipped = mutate(Buffer.from(sig), 3 + (i % (sig.length - 3)), x).toString("latin1");
        if (flipped !== sig) rejects(() => verifySlack({ ...headers, "x-slack-signature": flipped }, body, SECRETS.slack, NOW), 401);
      }),
    );
  });

  it("meta: the valid request verifies; any single-byte mutation does not", () => {
    const body = Buffer.from(JSON.stringify(fixture("meta", "whatsapp_text")));
    const headers = metaHeaders(body);
    verifyMeta(headers, body, SECRETS.metaApp);
    fc.assert(fc.property(mutation, ([i, x]) => rejects(() => verifyMeta(headers, mutate(body, i, x), SECRETS.metaApp), 401)));
  });

  it("telegram: any other secret token is refused", () => {
    verifyTelegram(telegramHeaders(), SECRETS.telegram);
    fc.assert(
      fc.property(fc.string(), (token) => {
        fc.pre(token !== SECRETS.telegram);
        rejects(() => verifyTelegram(telegramHeaders(token), SECRETS.telegram), 401);
      }),
    );
  });

  it("random bodies and headers never verify and never crash a verifier or parser", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), headerRecord, async (bytes, headers) => {
        const body = Buffer.from(bytes);
        await rejectsAsync(() => verifyDiscord(headers, body, keys.publicKeyHex, NOW), 401);
        rejects(() => verifySlack(headers, body, SECRETS.slack, NOW), 401);
        rejects(() => verifyMeta(headers, body, SECRETS.metaApp), 401);
        onlyOurErrors(() => parseTelegramUpdate(body));
        onlyOurErrors(() => parseDiscordInteraction(body));
        onlyOurErrors(() => parseMetaPayload(body));
        onlyOurErrors(() => parseSlackRequest(body, headers["content-type"], NOW));
        onlyOurErrors(() => parseSlackRequest(body, "application/x-www-form-urlencoded", NOW));
      }),
      { numRuns: 300 },
    );
  });

  it("random JSON values never crash a parser", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const body = Buffer.from(JSON.stringify(value) ?? "null");
        onlyOurErrors(() => parseTelegramUpdate(body));
        onlyOurErrors(() => parseDiscordInteraction(body));
        onlyOurErrors(() => parseMetaPayload(body));
        onlyOurErrors(() => parseSlackRequest(body, "application/json", NOW));
      }),
      { numRuns: 300 },
    );
  });

  it("a misconfigured Discord public key is a configuration error, not a failed signature", async () => {
    const body = Buffer.from("{}");
    await assert.rejects(() => verifyDiscord(discordHeaders(body, keys, NOW / 1000), body, "zz", NOW), (e: unknown) => e instanceof BotfleetError && e.status === 500);
  });
});

describe("JSON bodies", () => {
  it("are strict UTF-8: an invalid or cut-off sequence is a 400, and the shared decoder reads the next body whole", () => {
    const valid = Buffer.from(JSON.stringify({ update_id: 5, message: { message_id: 1, date: 1, chat: { id: 7 }, from: { id: 7 }, text: "héllo" } }));
    rejects(() => parseTelegramUpdate(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])), 400);
    // A body ending inside a two-byte character: nothing of it may carry over into the next decode.
    rejects(() => parseTelegramUpdate(Buffer.concat([Buffer.from('{"update_id":1,"x":"'), Buffer.from([0xc3])])), 400);
    const update = parseTelegramUpdate(valid);
    assert.ok(update.kind === "message" && update.inbound.text === "héllo");
    // Discord reads its body once for the type and the command alike.
    rejects(() => parseDiscordInteraction(Buffer.from([0xc3, 0x28])), 400);
    assert.equal(parseDiscordInteraction(Buffer.from('{"type":1}')).kind, "ping");
    rejects(() => parseDiscordInteraction(Buffer.from('{"type":2}')), 400);
    // The type is an integer, or the body is refused before anything else is read.
    for (const body of ["null", "[]", "[1]", "{}", '{"type":"1"}', '{"type":1.5}', '{"type":9007199254740993}']) rejects(() => parseDiscordInteraction(Buffer.from(body)), 400);
  });

  it("checks a Discord command for what is read: the options' values, not their names or types", () => {
    const command = (options: unknown[], extra: Record<string, unknown> = {}) =>
      Buffer.from(JSON.stringify({ id: "1308000000000000000", type: 2, token: "t", member: { user: { id: "42" } }, data: { name: "ticket", options }, ...extra }));
    const parsed = parseDiscordInteraction(command([{ value: "Printer" }, { name: 7, value: 3 }]));
    assert.ok(parsed.kind === "command" && parsed.inbound.text === "/ticket Printer 3");
    rejects(() => parseDiscordInteraction(command([{ name: "subject", type: 3, value: { nested: true } }])), 400);
    rejects(() => parseDiscordInteraction(command([{ value: "x" }], { token: "bad token" })), 400);
    rejects(() => parseDiscordInteraction(command([{ value: "x" }], { id: "not-a-snowflake" })), 400);
  });
});
