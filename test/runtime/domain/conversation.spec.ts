import { strict as assert } from "node:assert";
import fc from "fast-check";
import { clip, parseCommand } from "../../../runtime/domain/commands";
import { decide, newUserState, REPEAT_WINDOW_MS, TEXT } from "../../../runtime/domain/conversation";
import { DEDUPE_WINDOW_DAYS, deliveryHash, MAX_ANSWERS_KEPT, MAX_HANDLED, previousOutcome, utcDay } from "../../../runtime/domain/deliveryMemory";
import { base32, newReference, TICKET_ID, ticketIdFor } from "../../../runtime/domain/ids";
import { takeToken } from "../../../runtime/domain/rateLimit";
import type { Inbound, Ticket, UserState } from "../../../runtime/domain/types";

const settings = { rateLimit: { capacity: 3, refillPerMinute: 6 }, conversationTtlMinutes: 30, dedupeTtlHours: 48 };
const T0 = Date.UTC(2026, 10, 22);
const ada = { platform: "telegram" as const, userId: "1" };
let n = 0;
const inbound = (text: string, user = ada): Inbound => ({ user, deliveryKey: `d${n++}`, text, sentAt: T0 });
const step = (state: UserState, text: string, now = T0, extra: Partial<Parameters<typeof decide>[0]> = {}) => {
  const input = inbound(text);
  return decide({ state, inbound: input, command: parseCommand(text), now, settings, ...extra });
};

describe("domain: commands", () => {
  it("parses commands, @bot suffixes, arguments and plain text", () => {
    assert.deepEqual(parseCommand("/start"), { kind: "start" });
    assert.deepEqual(parseCommand("/HELP@support_bot"), { kind: "help" });
    assert.deepEqual(parseCommand("/ticket   Printer  on fire "), { kind: "ticket", subject: "Printer  on fire" });
    assert.deepEqual(parseCommand("/ticket"), { kind: "ticket" });
    assert.deepEqual(parseCommand("/status ABC def"), { kind: "status", ticketId: "abc" });
    assert.deepEqual(parseCommand("/close"), { kind: "close" });
    assert.deepEqual(parseCommand("/nope x"), { kind: "unknown", name: "nope" });
    assert.deepEqual(parseCommand("hello /ticket"), { kind: "text", text: "hello /ticket" });
  });

  it("never throws on any text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => typeof parseCommand(text).kind === "string"));
  });
});

describe("domain: ids", () => {
  it("ticket ids are 26 base32 characters (128 bits), deterministic per salt+delivery, distinct otherwise", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (salt, a, b) => {
        const id = ticketIdFor(salt, a);
        assert.match(id, TICKET_ID);
        assert.equal(ticketIdFor(salt, a), id);
        if (a !== b) assert.notEqual(ticketIdFor(salt, b), id);
      }),
    );
    assert.notEqual(ticketIdFor("salt-1", "d"), ticketIdFor("salt-2", "d"));
  });

  it("base32 encodes 5 bits per character", () => {
    assert.equal(base32(new Uint8Array([0xff])), "zw");
    assert.equal(base32(new Uint8Array(16)).length, 26);
  });

  it("references are 80 random bits in 16 base32 characters, never repeated across the random pool's refills", () => {
    const seen = new Set(Array.from({ length: 1000 }, () => newReference()));
    assert.equal(seen.size, 1000);
    for (const reference of seen) assert.match(reference, /^[0-9a-hjkmnp-tv-z]{16}$/);
  });

  it("clip cuts at characters, never inside a surrogate pair, and leaves shorter texts as they are", () => {
    assert.equal(clip("abc", 3), "abc");
    assert.equal(clip("abcd", 3), "abc");
    assert.equal(clip("a😀b", 2), "a😀");
    assert.equal(clip("😀😀😀", 2), "😀😀");
    // Four UTF-16 units but three characters: within a limit of 3.
    assert.equal(clip("a😀b", 3), "a😀b");
  });
});

describe("domain: token bucket", () => {
  const limit = { capacity: 3, refillPerMinute: 6 };
  it("allows capacity in a burst, then one notice, then silence, then refills", () => {
    let bucket = { tokens: 3, at: T0, noticeSent: false };
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = takeToken(bucket, T0, limit);
      outcomes.push(d.outcome === "limited" ? (d.notify ? "notice" : "silent") : "ok");
      bucket = d.bucket;
    }
    assert.deepEqual(outcomes, ["ok", "ok", "ok", "notice", "silent"]);
    assert.equal(takeToken(bucket, T0 + 10_000, limit).outcome, "allowed"); // 6/min = one per 10 s
  });

  it("never holds more than capacity nor goes below zero, whatever the timing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_600_000 }), { maxLength: 60 }), (gaps) => {
        let bucket = { tokens: limit.capacity, at: T0, noticeSent: false };
        let now = T0;
        for (const gap of gaps) {
          now += gap;
          bucket = takeToken(bucket, now, limit).bucket;
          assert.ok(bucket.tokens >= 0 && bucket.tokens <= limit.capacity);
        }
      }),
    );
  });
});

describe("domain: conversation", () => {
  const fresh = () => ({ ...newUserState("salt", T0, settings), version: 1 });

  it("opens a ticket from /ticket <subject> and points the user's state at it", () => {
    const d = step(fresh(), "/ticket  VPN   down ");
    assert.equal(d.effects.length, 1);
    const effect = d.effects[0];
    assert.ok(effect?.type === "createTicket");
    assert.equal(effect.ticket.subject, "VPN down");
    assert.equal(d.state.openTicketId, effect.ticket.id);
    assert.equal(d.answer.kind, "text");
  });

  it("guided flow: /ticket asks, the next text becomes the subject; an expired flow does not", () => {
    const asked = step(fresh(), "/ticket");
    assert.deepEqual(asked.answer, { kind: "text", text: TEXT.askSubject, private: false });
    assert.ok(asked.state.flow);
    const opened = step(asked.state, "Email bounces", T0 + 60_000);
    assert.equal(opened.effects[0]?.type, "createTicket");
    assert.equal(opened.state.flow, undefined);
    const late = step(asked.state, "Email bounces", T0 + 31 * 60_000);
    assert.equal(late.effects.length, 0);
    assert.deepEqual(late.answer, { kind: "text", text: TEXT.noOpenTicket, private: false });
  });

  it("appends plain text to the open ticket, silently", () => {
    const opened = step(fresh(), "/ticket X");
    const d = step(opened.state, "more detail");
    assert.deepEqual(d.answer, { kind: "silent" });
    assert.ok(d.effects[0]?.type === "appendMessage" && d.effects[0].message.ticketId === opened.state.openTicketId);
  });

  it("checks ownership on /status and /close: another user's ticket is 'not found'", () => {
    const ticket: Ticket = { id: "a".repeat(26), owner: { platform: "telegram", userId: "2" }, subject: "s", status: "open", createdAt: T0, updatedAt: T0 };
    const other = step(fresh(), `/close ${ticket.id}`, T0, { ticket });
    assert.deepEqual(other.answer, { kind: "text", text: TEXT.notFound, private: true });
    assert.equal(other.effects.length, 0);
    const sameIdOtherPlatform = step(fresh(), `/status ${ticket.id}`, T0, { ticket: { ...ticket, owner: { platform: "slack", userId: "1" } } });
    assert.deepEqual(sameIdOtherPlatform.answer, { kind: "text", text: TEXT.notFound, private: true });
    const mine = step(fresh(), `/close ${ticket.id}`, T0, { ticket: { ...ticket, owner: ada } });
    assert.equal(mine.effects[0]?.type, "closeTicket");
  });

  it("remembers every delivery for the whole dedupe window, whatever came after; answers only for dedupeTtlHours", () => {
    const big = { ...settings, rateLimit: { capacity: 100_000, refillPerMinute: 1000 } };
    let state: UserState = fresh();
    const first = inbound("/help");
    state = decide({ state, inbound: first, command: parseCommand("/help"), now: T0, settings: big }).state;
    // 300 newer deliveries over the next three days (Meta redelivers for 7 days: the day-3 redelivery).
    for (let i = 1; i <= 300; i++) state = decide({ state, inbound: inbound("/start"), command: parseCommand("/start"), now: T0 + i * 864_000, settings: big }).state;
    const day3 = T0 + 3 * 86_400_000;
    assert.deepEqual(previousOutcome(state, first.deliveryKey, day3, settings.dedupeTtlHours), { kind: "handled", answer: { kind: "silent" } }, "recognised, its answer expired");
    const recent = Object.keys(state.handled).length;
    assert.equal(recent, 301);
    // Answers: at most MAX_ANSWERS_KEPT, all younger than dedupeTtlHours.
    assert.ok(Object.values(state.handled).filter((r) => r.answer !== undefined).length <= MAX_ANSWERS_KEPT);
    assert.equal(previousOutcome(state, "__proto__", day3, 48), undefined);
    // Past the window, records are forgotten.
    const later = decide({ state, inbound: inbound("/help"), command: parseCommand("/help"), now: T0 + (DEDUPE_WINDOW_DAYS + 1) * 86_400_000, settings: big }).state;
    assert.equal(previousOutcome(later, first.deliveryKey, T0 + (DEDUPE_WINDOW_DAYS + 1) * 86_400_000, 48), undefined);
  });

  it("keeps at most MAX_HANDLED records (the newest)", () => {
    const big = { ...settings, rateLimit: { capacity: 100_000, refillPerMinute: 1000 } };
    let state: UserState = fresh();
    for (let i = 0; i < MAX_HANDLED + 20; i++) state = decide({ state, inbound: inbound("/start"), command: parseCommand("/start"), now: T0 + i, settings: big }).state;
    assert.equal(Object.keys(state.handled).length, MAX_HANDLED);
  });

  it("cuts the oldest answers and records first, whatever order the stored map lists them in", () => {
    const big = { ...settings, rateLimit: { capacity: 100_000, refillPerMinute: 1000 } };
    const answer = { kind: "text" as const, text: "kept", private: false };
    // Stored records in no particular order (a DynamoDB map keeps none): MAX_ANSWERS_KEPT + 5 answers within dedupeTtlHours.
    const ages = Array.from({ length: MAX_ANSWERS_KEPT + 5 }, (_, i) => i).sort((a, b) => ((a * 37) % 11) - ((b * 37) % 11) || a - b);
    const handled = Object.fromEntries(ages.map((age) => [deliveryHash(`old${age}`), { at: T0 - 60_000 * (age + 1), answer }]));
    const state = decide({ state: { ...fresh(), handled }, inbound: inbound("/start"), command: parseCommand("/start"), now: T0, settings: big }).state;
    const answered = (age: number) => previousOutcome(state, `old${age}`, T0, big.dedupeTtlHours);
    // The new answer and the MAX_ANSWERS_KEPT - 1 youngest stored ones keep their text; the 6 oldest only their record.
    for (let age = 0; age < MAX_ANSWERS_KEPT - 1; age++) assert.deepEqual(answered(age), { kind: "handled", answer }, `age ${age}`);
    for (let age = MAX_ANSWERS_KEPT - 1; age < MAX_ANSWERS_KEPT + 5; age++) assert.deepEqual(answered(age), { kind: "handled", answer: { kind: "silent" } }, `age ${age}`);

    // Past MAX_HANDLED records, the oldest are forgotten.
    const many = Object.fromEntries(Array.from({ length: MAX_HANDLED + 3 }, (_, i) => MAX_HANDLED + 2 - i).map((age) => [deliveryHash(`r${age}`), { at: T0 - 1000 * (age + 1) }]));
    const trimmed = decide({ state: { ...fresh(), handled: many }, inbound: inbound("/start"), command: parseCommand("/start"), now: T0, settings: big }).state;
    assert.equal(Object.keys(trimmed.handled).length, MAX_HANDLED);
    for (const age of [0, 1, MAX_HANDLED - 2]) assert.notEqual(previousOutcome(trimmed, `r${age}`, T0, 48), undefined, `age ${age}`);
    for (const age of [MAX_HANDLED - 1, MAX_HANDLED, MAX_HANDLED + 2]) assert.equal(previousOutcome(trimmed, `r${age}`, T0, 48), undefined, `age ${age}`);
  });

  it("finds fast-path appends of any day of the window (and tomorrow's, for a clock past midnight) with their ticket", () => {
    const key = "meta:wamid.1";
    const day = utcDay(T0);
    const first = day - DEDUPE_WINDOW_DAYS;
    const state: UserState = {
      ...fresh(),
      appended: { [first]: { [deliveryHash(key)]: "t".repeat(26) } },
      appendedSentAt: { [first]: { [deliveryHash(key)]: T0 - 5_000 }, [day]: {} },
    };
    assert.deepEqual(previousOutcome(state, key, T0, 48), { kind: "appended", ticketId: "t".repeat(26), day: first, sentAt: T0 - 5_000 }, "with the sentAt its claim recorded");
    const ahead: UserState = { ...fresh(), appended: { [day + 1]: { [deliveryHash(key)]: "u".repeat(26) } } };
    assert.deepEqual(previousOutcome(ahead, key, T0, 48), { kind: "appended", ticketId: "u".repeat(26), day: day + 1 }, "a claim stored before sentAt was recorded has none");
    // and a decision forgets the days before the window, with their sentAt
    const next = step(state, "/help", T0 + 86_400_000).state;
    assert.deepEqual(next.appended, {});
    assert.deepEqual(next.appendedSentAt, { [day]: {} });
  });

  it("honours deliveries remembered by the previous state layout until they expire", () => {
    const state: UserState = { ...fresh(), legacy: { "telegram:update:7": { at: T0, answer: { kind: "text", text: "old", private: false } } } };
    assert.deepEqual(previousOutcome(state, "telegram:update:7", T0 + 1000, 48), { kind: "handled", answer: { kind: "text", text: "old", private: false } });
    assert.ok(step(state, "/help", T0 + 1000).state.legacy, "kept while younger than dedupeTtlHours");
    assert.equal(step(state, "/help", T0 + 49 * 3_600_000).state.legacy, undefined);
  });

  it("rate limits what the bot sends, never what the user wrote: every effect still happens", () => {
    fc.assert(
      fc.property(fc.constantFrom("/ticket Printer", "more detail", "/help", "/ticket", "/close x"), (text) => {
        const opened = step(fresh(), "/ticket Initial");
        const state = { ...opened.state, bucket: { tokens: 0, at: T0, noticeSent: true } };
        const limited = step(state, text);
        const unlimited = step({ ...opened.state, bucket: { tokens: 100, at: T0, noticeSent: false } }, text);
        assert.deepEqual(limited.answer, { kind: "silent" });
        assert.deepEqual(limited.effects.map((e) => e.type), unlimited.effects.map((e) => e.type));
      }),
    );
    const first = step({ ...fresh(), bucket: { tokens: 0, at: T0, noticeSent: false } }, "/help");
    assert.deepEqual(first.answer, { kind: "text", text: TEXT.slowDown(6), private: true }, "one notice per throttled stretch");
  });

  it("limits how many tickets a user opens; past it the text goes to the open ticket, or reopens the last one", () => {
    const limited = { ...settings, ticketOpensPerHour: 2 };
    const at = (state: UserState, text: string, now = T0) => decide({ state, inbound: inbound(text), command: parseCommand(text), now, settings: limited });
    const a = at(fresh(), "/ticket A");
    const b = at(a.state, "/ticket B");
    assert.equal(b.effects[0]?.type, "createTicket");
    const c = at(b.state, "/ticket C");
    assert.deepEqual(c.effects.map((e) => e.type), ["appendMessage"]);
    assert.ok(c.effects[0]?.type === "appendMessage" && c.effects[0].message.ticketId === b.state.openTicketId && c.effects[0].message.text === "C");
    assert.deepEqual(c.answer, { kind: "text", text: TEXT.openLimitAppended(b.state.openTicketId ?? "", 2), private: false });
    // No open ticket: the last one reopens and takes the text.
    const closedState = { ...c.state, openTicketId: undefined };
    const d = at(closedState, "/ticket D");
    assert.deepEqual(d.effects.map((e) => e.type), ["reopenTicket", "appendMessage"]);
    assert.equal(d.state.openTicketId, b.state.openTicketId);
    // An hour later the bucket has refilled.
    assert.equal(at(closedState, "/ticket E", T0 + 3_600_000).effects[0]?.type, "createTicket");
  });

  it("a repeated /ticket <same subject> within the window answers the ticket it opened, without a second one", () => {
    const opened = step(fresh(), "/ticket VPN down");
    const id = opened.state.openTicketId ?? "";
    const again = step(opened.state, "/ticket  vpn   DOWN", T0 + REPEAT_WINDOW_MS);
    assert.deepEqual(again.effects, []);
    assert.deepEqual(again.answer, opened.answer);
    assert.equal(step(opened.state, "/ticket VPN down", T0 + REPEAT_WINDOW_MS + 1).effects[0]?.type, "createTicket", "after the window: a new ticket");
    assert.equal(step(opened.state, "/ticket Other", T0 + 1).effects[0]?.type, "createTicket", "another subject: a new ticket");
    const closed = step(opened.state, `/close ${id}`, T0, { ticket: { id, owner: ada, subject: "VPN down", status: "open", createdAt: T0, updatedAt: T0 } });
    assert.equal(step(closed.state, "/ticket VPN down", T0 + 1).effects[0]?.type, "createTicket", "once closed: a new ticket");
  });
});
