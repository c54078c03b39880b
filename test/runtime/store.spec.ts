import { strict as assert } from "node:assert";
import { DynamoStore, KEYS, USER_STATE_TTL_DAYS } from "../../runtime/adapters/store";
import { newUserState } from "../../runtime/domain/conversation";
import type { Ticket, UserKey } from "../../runtime/domain/types";
import { StoreUnavailableError } from "../../runtime/errors";
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

  it("commits user state only from the version it was read at", async () => {
    const fresh = newUserState("salt", T0, settings);
    assert.equal(await store.commitUser(ada, fresh, T0), true);
    assert.equal(await store.commitUser(ada, fresh, T0), false, "a second first-contact create loses");
    const v1 = await store.loadUser(ada);
    assert.equal(v1?.version, 1);
    assert.equal(await store.commitUser(ada, { ...v1!, openTicketId: "x" }, T0), true);
    assert.equal(await store.commitUser(ada, { ...v1!, openTicketId: "y" }, T0), false, "stale version");
    assert.equal((await store.loadUser(ada))?.openTicketId, "x");
  });

  it("stores the user state with a TTL", async () => {
    await store.commitUser(ada, newUserState("salt", T0, settings), T0);
    const [item] = await db.items(`store-${table}`);
    assert.equal(item?.expiresAt, Math.floor(T0 / 1000) + USER_STATE_TTL_DAYS * 86_400);
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

  it("forgets the open-ticket pointer only while it still names that ticket", async () => {
    await store.commitUser(ada, { ...newUserState("salt", T0, settings), openTicketId: "t1" }, T0);
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
