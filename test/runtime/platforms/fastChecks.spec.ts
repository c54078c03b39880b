import { strict as assert } from "node:assert";
import fc from "fast-check";
import type * as z from "zod/mini";
import { commandInteractionFast, interactionSchema, parseDiscordInteraction } from "../../../runtime/platforms/discord";
import { parseTelegramUpdate, telegramUpdateFast, telegramUpdateSchema } from "../../../runtime/platforms/telegram";
import { docFixture } from "../support/platformFixtures";

/**
 * The webhooks' hand-written checks (parse.ts parseValueFast) against the zod schemas they stand in
 * for: over payloads grown from the platforms' documented examples — fields removed, retyped,
 * pushed past their bounds, keys added (prototype names among them) — a payload a check accepts is
 * one its schema accepts, with a deep-equal result. Whatever a check leaves, the schema decides.
 */

const DELETE = Symbol("delete");

/** Values a field may be swapped for: wrong types, the bounds of the schemas' patterns and numbers. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  // null is what the platforms send for an absent optional field; zod's optional() refuses it.
  { weight: 3, arbitrary: fc.constant(null) },
  fc.constantFrom(true, false, 0, -0, -1, 0.5, 1e21, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), -(2 ** 53) + 1, "", " ", "#", "a#b", "1".repeat(20), "1".repeat(21), "x".repeat(513), "😀", [], {}),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 30 }),
  fc.stringMatching(/^\d{0,22}$/),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxKeys: 2 }),
);

/** Keys an object may grow: prototype names, and the fields the schemas read, wherever they appear (a seed may lack one). */
const extraKeys = fc.dictionary(
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "extra", "id", "type", "is_bot", "text", "from", "chat", "message", "user", "member", "application_id", "options", "value"),
  fc.oneof(hostile, fc.constantFrom(true, false, "private", "12345")),
  { maxKeys: 2 },
);

/** `value` with each node kept (most often), swapped for a hostile value, or (in objects) removed; objects may grow keys, arrays elements. */
function variantsOf(value: unknown): fc.Arbitrary<unknown> {
  const swap = (kept: fc.Arbitrary<unknown>) => fc.oneof({ weight: 14, arbitrary: kept }, { weight: 1, arbitrary: hostile });
  if (Array.isArray(value)) {
    const element = value.length > 0 ? variantsOf(value[0]) : hostile;
    return swap(
      fc.oneof(
        { weight: 8, arbitrary: fc.tuple(...value.map(variantsOf)) },
        { weight: 1, arbitrary: fc.array(element, { maxLength: 3 }) },
        // Around the schemas' array bounds (Discord: 25 options).
        { weight: 1, arbitrary: fc.array(element, { minLength: 24, maxLength: 27 }) },
      ),
    );
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    const fields = entries.map(([key, field]) => fc.oneof({ weight: 20, arbitrary: variantsOf(field) }, { weight: 1, arbitrary: fc.constant(DELETE) }).map((v) => [key, v] as const));
    return swap(
      fc.tuple(fc.tuple(...fields), fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraKeys })).map(([kept, extra]) => {
        // As JSON.parse builds objects: own data properties, `__proto__` included.
        const out: Record<string, unknown> = {};
        for (const [key, v] of kept) if (v !== DELETE) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        for (const [key, v] of Object.entries(extra)) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        return out;
      }),
    );
  }
  if (typeof value === "string") return swap(fc.oneof({ weight: 4, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: fc.stringMatching(/^[\w.-]{0,24}$/) }));
  return swap(fc.constant(value));
}

/** As the handler sees it: the text of a JSON body, parsed. */
const asParsedJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

function holdsToSchema<S extends z.ZodMiniType>(name: string, fast: (value: unknown) => unknown, schema: () => S, seeds: unknown[]) {
  it(`${name}: what the hand-written check accepts, the schema accepts with a deep-equal result`, () => {
    let acceptedFast = 0;
    let leftToSchema = 0;
    fc.assert(
      fc.property(fc.oneof(...seeds.map(variantsOf)), (generated) => {
        const value = asParsedJson(generated);
        const quick = fast(value);
        const checked = schema().safeParse(value);
        if (quick === undefined) {
          leftToSchema++;
          return;
        }
        acceptedFast++;
        assert.ok(checked.success, `the schema refuses what the check accepted: ${JSON.stringify(value)}`);
        assert.deepStrictEqual(quick, checked.data);
      }),
      { numRuns: 5000 },
    );
    // Neither side vacuous: the generator reaches both the check's valid case and what it leaves.
    assert.ok(acceptedFast > 300, `check accepted ${acceptedFast}`);
    assert.ok(leftToSchema > 300, `left to the schema ${leftToSchema}`);
  });
}

describe("hand-written payload checks", () => {
  const slashCommand = docFixture("discord", "slash_command");
  const directMessageCommand = { ...slashCommand, member: undefined, user: { id: "53908232506183680", username: "Mason" }, application_id: "775799577604522054" };
  holdsToSchema("discord command interaction", commandInteractionFast, interactionSchema, [slashCommand, asParsedJson(directMessageCommand)]);

  const telegramSeeds = ["message_text", "message_text_untyped_chat", "message_entities", "message_reply", "edited_message", "callback_query"].map((name) => docFixture("telegram", name));
  holdsToSchema("telegram update", telegramUpdateFast, telegramUpdateSchema, telegramSeeds);

  it("the documented examples take the hand-written path", () => {
    assert.notEqual(commandInteractionFast(slashCommand), undefined);
    assert.notEqual(commandInteractionFast(asParsedJson(directMessageCommand)), undefined);
    for (const seed of telegramSeeds) assert.notEqual(telegramUpdateFast(seed), undefined);
  });

  it("a payload the check leaves is still refused by the schema, with its path", () => {
    const badUser = { ...slashCommand, member: { user: { id: "has#hash" } } };
    assert.equal(commandInteractionFast(badUser), undefined);
    assert.throws(() => parseDiscordInteraction(Buffer.from(JSON.stringify(badUser))), /schema mismatch at member\.user\.id/);
    const badDate = { update_id: 1, message: { message_id: 1, date: 1.5, chat: { id: 7 }, from: { id: 7 }, text: "hi" } };
    assert.equal(telegramUpdateFast(badDate), undefined);
    assert.throws(() => parseTelegramUpdate(Buffer.from(JSON.stringify(badDate))), /schema mismatch at message\.date/);
  });
});
