import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseCommand } from "../../../runtime/domain/commands";
import { decide, MAX_REMEMBERED_DELIVERIES, newUserState, recordedAnswer, TEXT } from "../../../runtime/domain/conversation";
import { base32, TICKET_ID, ticketIdFor } from "../../../runtime/domain/ids";
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

  it("records every delivery with its answer and keeps at most the recent ones", () => {
    let state: UserState = { ...fresh(), bucket: { tokens: 1000, at: T0, noticeSent: false } };
    const settingsBig = { ...settings, rateLimit: { capacity: 1000, refillPerMinute: 1000 } };
    let lastKey = "";
    for (let i = 0; i < MAX_REMEMBERED_DELIVERIES + 10; i++) {
      const input = inbound("/help");
      lastKey = input.deliveryKey;
      state = decide({ state, inbound: input, command: parseCommand("/help"), now: T0 + i, settings: settingsBig }).state;
    }
    assert.equal(Object.keys(state.recent).length, MAX_REMEMBERED_DELIVERIES);
    assert.deepEqual(recordedAnswer(state, lastKey), { kind: "text", text: TEXT.help, private: false });
    assert.equal(recordedAnswer(state, "__proto__"), undefined);
    // and forgets deliveries older than the dedupe TTL
    const later = decide({ state, inbound: inbound("/help"), command: parseCommand("/help"), now: T0 + 49 * 3_600_000, settings: settingsBig }).state;
    assert.equal(Object.keys(later.recent).length, 1);
  });

  it("a rate-limited delivery has no effect, whatever it asked for", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const state = { ...fresh(), bucket: { tokens: 0, at: T0, noticeSent: true } };
        const d = step(state, text);
        assert.equal(d.effects.length, 0);
        assert.deepEqual(d.answer, { kind: "silent" });
      }),
    );
  });
});
