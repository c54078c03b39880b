import { strict as assert } from "node:assert";
import { deliveryDepsOn } from "../../../runtime/app/deps";
import { type DynamoStore, type Store } from "../../../runtime/adapters/store";
import { deliver, type DeliveryDeps } from "../../../runtime/app/delivery";
import { writesAfter } from "../../../runtime/app/writesAfter";
import type { ConversationSettings, Inbound } from "../../../runtime/domain/types";
import { UnauthorizedError } from "../../../runtime/errors";
import { type LocalDynamo, storeSuiteOnDynalite } from "../support/dynalite";

/**
 * A delivery whose signature is still being checked (the Discord webhook verifies off the thread)
 * runs on the real store (dynalite) with its writes held: what reaches the store before the check
 * settles, and after it fails.
 */
const T0 = Date.UTC(2026, 10, 22, 9);
const TABLE = "writes-after";
const SETTINGS: ConversationSettings = { rateLimit: { capacity: 10, refillPerMinute: 6 }, conversationTtlMinutes: 30, dedupeTtlHours: 48, ticketOpensPerHour: 5 };
const READS = new Set(["GetItem", "Query"]);

/** A check that settles when the test says so. */
function pendingCheck(): { promise: Promise<void>; pass(): void; fail(error: Error): void } {
  let pass!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    pass = resolve;
    fail = reject;
  });
  promise.catch(() => undefined);
  return { promise, pass, fail };
}

/** Lets the store answer whatever it was asked (dynalite answers over loopback within milliseconds). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("writes held until the request is authentic (runtime/app/writesAfter.ts)", () => {
  let db: LocalDynamo;
  let store: DynamoStore;
  let users = 0;

  storeSuiteOnDynalite(TABLE, (local) => ({ db, store } = local));

  const deps = (target: Store = store): DeliveryDeps => deliveryDepsOn(target, () => T0, SETTINGS);
  /** The store calls other than reads made since `before` calls had been made. */
  const writesSince = (before: number) =>
    db.calls
      .slice(before)
      .map((c) => c.operation)
      .filter((op) => !READS.has(op));
  const inbound = (text: string): Inbound => ({ user: { platform: "discord", userId: `9000000000000${++users}` }, deliveryKey: `discord:interaction:${users}`, text, sentAt: T0 });

  it("reads the user's state at once, writes nothing until the check passes, then completes the delivery", async () => {
    const check = pendingCheck();
    const before = db.calls.length;
    const delivered = deliver(writesAfter(deps(), check.promise), inbound("/ticket Printer on fire"));
    await settle();
    const early = db.calls.slice(before).map((c) => c.operation);
    assert.ok(early.includes("GetItem"), `the state is read while the check runs: ${early.join(", ")}`);
    assert.deepEqual(writesSince(before), [], "no write before the check");
    check.pass();
    const { answer } = await delivered;
    assert.equal(answer.kind, "text");
    assert.match(answer.kind === "text" ? answer.text : "", /Ticket [0-9a-z]{26} opened: Printer on fire/);
    assert.equal((await db.items(TABLE)).filter((i) => i.type === "ticket").length, 1);
  });

  it("a failed check fails the delivery with the check's error, and nothing reaches the store but reads", async () => {
    const itemsBefore = (await db.items(TABLE)).length;
    const check = pendingCheck();
    const before = db.calls.length;
    const delivered = deliver(writesAfter(deps(), check.promise), inbound("/ticket Forged"));
    await settle();
    check.fail(new UnauthorizedError("discord signature invalid"));
    await assert.rejects(delivered, UnauthorizedError);
    await settle();
    assert.deepEqual(writesSince(before), []);
    assert.equal((await db.items(TABLE)).length, itemsBefore);
  });

  it("holds a user's earlier unapplied intent too: a forged request never finishes someone's half-done delivery", async () => {
    // A delivery that won its commit and stopped before its effects: its intent is in the state.
    const user = inbound("/ticket Half done");
    const crashing: Store = Object.assign(Object.create(store) as Store, {
      createTicket: () => Promise.reject(new Error("crashed after the commit")),
    });
    await assert.rejects(deliver(deps(crashing), user), /crashed after the commit/);
    assert.ok((await store.loadUser(user.user))?.intent, "the intent is left for the next delivery");

    const check = pendingCheck();
    const before = db.calls.length;
    const forged = deliver(writesAfter(deps(), check.promise), { ...user, deliveryKey: "discord:interaction:forged", text: "/tickets" });
    await settle();
    check.fail(new UnauthorizedError("discord signature invalid"));
    await assert.rejects(forged, UnauthorizedError);
    await settle();
    assert.deepEqual(writesSince(before), []);
    assert.equal((await db.items(TABLE)).filter((i) => i.type === "ticket" && i.subject === "Half done").length, 0);
  });

  it("holds every call that is not a listed read, including one a port gains later", async () => {
    const check = pendingCheck();
    const calls: string[] = [];
    const later = Object.assign(Object.create(store) as Store, { purgeEverything: () => Promise.resolve(calls.push("purgeEverything")) });
    const held = writesAfter(deps(later), check.promise).store as Store & { purgeEverything(): Promise<unknown> };
    const purge = held.purgeEverything();
    const reply = writesAfter(deps(later), check.promise).outbound.send({ platform: "meta", address: "whatsapp:1:2", deliveryKey: "k", text: "hi" });
    await settle();
    assert.deepEqual(calls, [], "a method not known as a read waits for the check");
    check.pass();
    await purge;
    await reply;
    assert.deepEqual(calls, ["purgeEverything"]);
  });
});
