import { strict as assert } from "node:assert";
import { DynamoStore, KEYS, USER_STATE_TTL_DAYS } from "../../runtime/adapters/store";
import { newUserState } from "../../runtime/domain/conversation";
import { DEDUPE_WINDOW_DAYS, deliveryHash, MAX_APPENDS_PER_DAY, utcDay } from "../../runtime/domain/deliveryMemory";
import type { Ticket, UserKey, UserState } from "../../runtime/domain/types";
import { StoreUnavailableError } from "../../runtime/errors";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type LocalDynamo, startDynalite } from "./support/dynalite";

const settings = { rateLimit: { capacity: 10, refillPerMinute: 6 }, conversationTtlMinutes: 30, dedupeTtlHours: 48 };
const T0 = Date.UTC(2026, 10, 22, 6);
const ada: UserKey = { platform: "slack", userId: "T1:U1" };
const bob: UserKey = { platform: "slack", userId: "T1:U2" };
const ticket = (id: string, owner: UserKey, createdAt: number): Ticket => ({ id: id.padEnd(26, "0"), owner, subject: `s-${id}`, status: "open", createdAt, updatedAt: createdAt });

describe("DynamoStore on dynalite", () => {
  let db: LocalDynamo;
  let store: DynamoStore;
  let table = 0;
  before(async () => {
    db = await startDynalite();
  });
  after(async () => db.close());
  beforeEach(async () => {
    const name = `store-${++table}`;
    await db.createTable(name);
    store = new DynamoStore(db.client, name, 48);
  });

  const commit = (before: UserState, after: UserState, delivery = "d", now = T0) => store.commitUser(ada, { before, after, delivery, now });
  const claim = (key: string, now = T0, sentAt = now) => store.claimAppend(ada, { delivery: deliveryHash(key), deliveryKey: key, sentAt, now });
  const withTicket = async (openTicketId: string): Promise<UserState> => {
    const fresh = newUserState("salt", T0, settings);
    assert.equal(await commit(fresh, { ...fresh, openTicketId }), true);
    return (await store.loadUser(ada)) as UserState;
  };

  it("commits user state only from the version it was read at", async () => {
    const fresh = newUserState("salt", T0, settings);
    assert.equal(await commit(fresh, fresh), true);
    assert.equal(await commit(fresh, fresh), false, "a second first-contact create loses");
    const v1 = await store.loadUser(ada);
    assert.equal(v1?.version, 1);
    assert.equal(await commit(v1!, { ...v1!, openTicketId: "x" }), true);
    assert.equal(await commit(v1!, { ...v1!, openTicketId: "y" }), false, "stale version");
    assert.equal((await store.loadUser(ada))?.openTicketId, "x");
  });

  it("round-trips every field of the state, and removes what the decision dropped", async () => {
    const fresh = newUserState("salt", T0, settings);
    const full: UserState = {
      ...fresh,
      openTicketId: "t1",
      flow: { step: "awaitingSubject", expiresAt: T0 + 5 },
      lastOpened: { id: "t1", subject: "s", at: T0 },
      handled: { h1: { at: T0, answer: { kind: "text", text: "hi", private: true } }, h2: { at: T0 } },
      intent: { delivery: "h1", effects: [{ type: "reopenTicket", ticketId: "t1", owner: ada, at: T0 }], reply: { deliveryKey: "k", platform: "meta", address: "whatsapp:1:2", text: "x" } },
    };
    assert.equal(await commit(fresh, full), true);
    const read = (await store.loadUser(ada)) as UserState;
    assert.deepEqual({ ...read, appended: {}, appendedSentAt: {} }, { ...full, version: 1, appended: {}, appendedSentAt: {} });
    assert.deepEqual(Object.keys(read.appended).map(Number), [utcDay(T0), utcDay(T0) + 1], "today's and tomorrow's append maps exist for the fast path");
    assert.deepEqual(read.appendedSentAt, { [utcDay(T0)]: {}, [utcDay(T0) + 1]: {} }, "and the maps of their sentAt");
    const { openTicketId: _o, flow: _f, intent: _i, lastOpened: _l, ...bare } = read;
    assert.equal(await commit(read, bare), true);
    const stripped = (await store.loadUser(ada)) as UserState;
    for (const field of ["openTicketId", "flow", "intent", "lastOpened"] as const) assert.equal(stripped[field], undefined, field);
  });

  it("claims a plain text for the open ticket once, atomically with the checks, and never for a delivery already remembered", async () => {
    assert.equal(await claim("m0"), undefined, "no state yet");
    const state = await withTicket("t1");
    assert.equal(await claim("m1"), "t1");
    assert.equal(await claim("m1"), undefined, "a copy finds it claimed");
    assert.equal(await claim("m1", T0 + 3 * 86_400_000), undefined, "three days later too");
    // A decision committed for a delivery makes its fast-path claim fail, and a claim makes its commit fail.
    const handled = { ...state, handled: { [deliveryHash("m2")]: { at: T0 } } };
    assert.equal(await commit(state, handled, deliveryHash("m2")), true);
    assert.equal(await claim("m2"), undefined);
    const v2 = (await store.loadUser(ada)) as UserState;
    assert.equal(await claim("m3"), "t1");
    assert.equal(await commit(v2, v2, deliveryHash("m3")), false, "m3 was appended meanwhile");
    assert.equal(await commit(v2, v2, deliveryHash("m4")), true, "other claims do not conflict with a commit");
    const v3 = (await store.loadUser(ada)) as UserState;
    assert.deepEqual(Object.values(v3.appended).flatMap((m) => Object.keys(m)).sort(), [deliveryHash("m1"), deliveryHash("m3")].sort(), "the commit kept the claims");
  });

  it("records the claimer's sentAt with the claim; a claim of the previous layout gets one pinned, first writer wins", async () => {
    await withTicket("t1");
    assert.equal(await claim("m1", T0, T0 - 7_000), "t1");
    assert.equal(await claim("m1", T0, T0 - 5_000), undefined, "a copy with another sentAt finds it claimed");
    const day = utcDay(T0);
    assert.equal((await store.loadUser(ada))?.appendedSentAt?.[day]?.[deliveryHash("m1")], T0 - 7_000);
    assert.equal(await store.recordAppendSentAt(ada, { day, delivery: deliveryHash("m1"), sentAt: T0 }), T0 - 7_000, "a recorded sentAt is never replaced");
    // The previous layout: claims without the sentAt maps.
    assert.equal(await claim("m2"), "t1");
    await db.client.send(new UpdateCommand({ TableName: `store-${table}`, Key: KEYS.user(ada), UpdateExpression: "REMOVE #s", ExpressionAttributeNames: { "#s": `s${day}` } }));
    assert.equal(await claim("m3"), undefined, "no sentAt map today: decide instead (its commit adds the map)");
    assert.equal(await store.recordAppendSentAt(ada, { day, delivery: deliveryHash("m2"), sentAt: T0 + 1 }), T0 + 1, "the first pin creates the day's map");
    assert.equal(await store.recordAppendSentAt(ada, { day, delivery: deliveryHash("m2"), sentAt: T0 + 2 }), T0 + 1);
    assert.equal(await store.recordAppendSentAt(ada, { day, delivery: deliveryHash("m1"), sentAt: T0 + 3 }), T0 + 3, "into the map once it exists");
    assert.equal(await store.recordAppendSentAt(ada, { day, delivery: deliveryHash("never-claimed"), sentAt: T0 }), undefined, "nothing for a delivery not claimed");
    const sentAts = (await store.loadUser(ada))?.appendedSentAt?.[day];
    assert.deepEqual(sentAts, { [deliveryHash("m2")]: T0 + 1, [deliveryHash("m1")]: T0 + 3 });
  });

  it("across midnight: a copy a moment after a claim made before it is refused, and so is a commit of the same delivery", async () => {
    const midnight = Date.UTC(2026, 10, 23);
    const before = await withTicket("t1");
    assert.equal(await claim("late", midnight - 1), "t1");
    assert.equal(await claim("late", midnight + 1), undefined);
    assert.equal(await commit(before, before, deliveryHash("late"), midnight + 1), false);
    // and a claim by a function whose clock already passed midnight is found by one whose clock has not
    assert.equal(await claim("early", midnight + 1), "t1");
    assert.equal(await claim("early", midnight - 1), undefined);
  });

  it("honours deliveries the previous state layout remembered (by raw id), then drops them", async () => {
    const state = await withTicket("t1");
    await db.client.send(
      new UpdateCommand({
        TableName: `store-${table}`,
        Key: KEYS.user(ada),
        UpdateExpression: "SET #recent = :recent",
        ExpressionAttributeNames: { "#recent": "recent" },
        ExpressionAttributeValues: { ":recent": { "meta:wamid.old": { at: T0, answer: { kind: "silent" } } } },
      }),
    );
    assert.equal(await claim("meta:wamid.old"), undefined, "a redelivery of a delivery handled before the upgrade");
    const read = (await store.loadUser(ada)) as UserState;
    assert.deepEqual(read.legacy, { "meta:wamid.old": { at: T0, answer: { kind: "silent" } } });
    const { legacy: _expired, ...without } = read;
    assert.equal(await commit(read, without), true);
    assert.equal((await db.items(`store-${table}`))[0]?.recent, undefined);
    void state;
  });

  it("claims nothing while a question waits, an intent is unapplied, or the day is full", async () => {
    const state = await withTicket("t1");
    assert.equal(await commit(state, { ...state, flow: { step: "awaitingSubject", expiresAt: T0 + 60_000 } }), true);
    assert.equal(await claim("q1"), undefined, "awaiting a subject");
    assert.equal(await claim("q1", T0 + 60_000), "t1", "the question expired");
    const read = (await store.loadUser(ada)) as UserState;
    const { flow: _answered, ...v2 } = read;
    assert.equal(await commit(read, { ...v2, intent: { delivery: "x", effects: [] } }), true);
    assert.equal(await claim("q2"), undefined, "an intent waits");
    await store.clearIntent(ada, "not-x");
    assert.equal(await claim("q2"), undefined, "clearIntent only removes its own delivery's intent");
    await store.clearIntent(ada, "x");
    assert.equal(await claim("q2"), "t1");
    const v3 = (await store.loadUser(ada)) as UserState;
    const full = Object.fromEntries(Array.from({ length: MAX_APPENDS_PER_DAY }, (_, i) => [`f${i}`, "t1"]));
    await db.client.send(
      new UpdateCommand({ TableName: `store-${table}`, Key: KEYS.user(ada), UpdateExpression: "SET #d = :full", ExpressionAttributeNames: { "#d": `a${utcDay(T0)}` }, ExpressionAttributeValues: { ":full": full } }),
    );
    assert.equal(await claim("q3"), undefined, "the day's map is full: decide instead");
    assert.equal(v3.version, (await store.loadUser(ada))?.version, "claims do not bump the version");
  });

  it("a claim drops days that left the dedupe window; a commit drops the days the decision forgot", async () => {
    const state = await withTicket("t1");
    const old = utcDay(T0) - DEDUPE_WINDOW_DAYS - 1;
    await db.client.send(
      new UpdateCommand({
        TableName: `store-${table}`,
        Key: KEYS.user(ada),
        UpdateExpression: "SET #d = :m, #e = :m, #sd = :s, #se = :s",
        ExpressionAttributeNames: { "#d": `a${old}`, "#e": `a${old - 20}`, "#sd": `s${old}`, "#se": `s${old - 20}` },
        ExpressionAttributeValues: { ":m": { h: "t0" }, ":s": { h: T0 } },
      }),
    );
    assert.equal(await claim("r1"), "t1");
    assert.ok(!Object.prototype.hasOwnProperty.call((await store.loadUser(ada))?.appended, old));
    const read = (await store.loadUser(ada)) as UserState;
    const { [old - 20]: _gone, ...kept } = read.appended;
    assert.equal(await commit(read, { ...read, appended: kept }), true);
    assert.deepEqual(Object.keys((await store.loadUser(ada))?.appended ?? {}).map(Number).sort(), [utcDay(T0), utcDay(T0) + 1]);
    assert.deepEqual(Object.keys((await store.loadUser(ada))?.appendedSentAt ?? {}).map(Number).sort(), [utcDay(T0), utcDay(T0) + 1], "the sentAt maps go with their days");
    void state;
  });

  it("stores the user state with a TTL, and a fast-path claim extends it", async () => {
    await commit(newUserState("salt", T0, settings), newUserState("salt", T0, settings));
    const [item] = await db.items(`store-${table}`);
    assert.equal(item?.expiresAt, Math.floor(T0 / 1000) + USER_STATE_TTL_DAYS * 86_400);
    const read = (await store.loadUser(ada)) as UserState;
    assert.equal(await commit(read, { ...read, openTicketId: "t1" }), true);
    assert.equal(await claim("ttl", T0 + 86_400_000), "t1");
    const [later] = await db.items(`store-${table}`);
    assert.equal(later?.expiresAt, Math.floor((T0 + 86_400_000) / 1000) + USER_STATE_TTL_DAYS * 86_400);
  });

  it("creates a ticket once, lists a user's tickets newest first, and never another user's", async () => {
    await store.createTicket(ticket("a", ada, T0));
    await store.createTicket({ ...ticket("a", ada, T0), subject: "changed" });
    await store.createTicket(ticket("b", ada, T0 + 1000));
    await store.createTicket(ticket("c", bob, T0 + 2000));
    assert.equal((await store.getTicket("a".padEnd(26, "0")))?.subject, "s-a");
    assert.deepEqual((await store.ticketsOf(ada, 10)).map((t) => t.subject), ["s-b", "s-a"]);
    assert.deepEqual((await store.ticketsOf(ada, 1)).map((t) => t.subject), ["s-b"]);
  });

  it("changes a ticket's status only for its owner, moving it between status lists", async () => {
    const t = ticket("d", ada, T0);
    await store.createTicket(t);
    await store.setTicketStatus({ ...t, owner: bob }, "closed", T0 + 5);
    assert.equal((await store.getTicket(t.id))?.status, "open");
    await store.setTicketStatus(t, "closed", T0 + 5);
    const item = (await db.items(`store-${table}`)).find((i) => i.pk === KEYS.ticket(t.id).pk);
    assert.equal(item?.status, "closed");
    assert.equal(item?.gsi1pk, "TICKETS#closed");
    assert.equal(item?.updatedAt, T0 + 5);
  });

  it("never lets an older status change (a late re-applied intent) undo a newer one", async () => {
    const t = ticket("e", ada, T0);
    await store.createTicket(t);
    await store.setTicketStatus(t, "closed", T0 + 10);
    await store.setTicketStatus(t, "open", T0 + 20);
    await store.setTicketStatus(t, "closed", T0 + 10);
    assert.equal((await store.getTicket(t.id))?.status, "open");
    await store.setTicketStatus(t, "closed", T0 + 20);
    assert.equal((await store.getTicket(t.id))?.status, "closed", "the same instant is a re-application: applied again");
  });

  it("forgets the open-ticket pointer only while it still names that ticket", async () => {
    await withTicket("t1");
    await store.clearOpenTicket(ada, "t2");
    assert.equal((await store.loadUser(ada))?.openTicketId, "t1");
    await store.clearOpenTicket(ada, "t1");
    const state = await store.loadUser(ada);
    assert.equal(state?.openTicketId, undefined);
    assert.equal(state?.version, 2, "bumps the version so a concurrent commit re-reads");
  });

  it("queues a reply once per delivery, pending, with a TTL", async () => {
    const reply = { deliveryKey: "slack:event:Ev1", platform: "slack" as const, address: "D1", text: "hi" };
    await store.enqueueReply(reply, T0);
    await store.enqueueReply({ ...reply, text: "again" }, T0 + 1);
    const items = await db.items(`store-${table}`);
    assert.equal(items.length, 1);
    assert.equal(items[0]?.text, "hi");
    assert.equal(items[0]?.gsi1pk, "OUTBOX#pending");
    assert.equal(items[0]?.expiresAt, Math.floor(T0 / 1000) + 48 * 3600);
  });

  it("turns store errors into StoreUnavailableError (5xx), with the SDK error as the cause", async () => {
    db.throttleNext(1, "GetItem");
    await assert.rejects(store.loadUser(ada), (e: unknown) => e instanceof StoreUnavailableError && e.status === 503 && (e.cause as Error).name === "ProvisionedThroughputExceededException");
  });
});
