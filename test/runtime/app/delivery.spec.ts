import { strict as assert } from "node:assert";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { deliveryDepsOn } from "../../../runtime/app/deps";
import { type DynamoStore, KEYS, type Store } from "../../../runtime/adapters/store";
import { deliver, type DeliveryDeps, type ReplyRoute } from "../../../runtime/app/delivery";
import { TEXT } from "../../../runtime/domain/conversation";
import { ticketIdFor } from "../../../runtime/domain/ids";
import type { Answer, ConversationSettings, Inbound, UserKey } from "../../../runtime/domain/types";
import { StoreUnavailableError } from "../../../runtime/errors";
import { type LocalDynamo, storeSuiteOnDynalite } from "../support/dynalite";
import { type Fault, faultyStore } from "../support/faultyStore";

/**
 * The delivery engine against the real store (dynalite), case by case: every crash point of a
 * command, commands platforms never redeliver, redeliveries days later, the limits, first contact.
 * The property in serialisable.spec.ts covers interleavings; these pin down the documented contract.
 */

const T0 = Date.UTC(2026, 10, 22, 9);
const DAY = 86_400_000;
const TABLE = "delivery";
const DEFAULTS: ConversationSettings = { rateLimit: { capacity: 10, refillPerMinute: 6 }, conversationTtlMinutes: 30, dedupeTtlHours: 48, ticketOpensPerHour: 5 };
const ROUTE: ReplyRoute = { platform: "meta", address: "whatsapp:1098:4915550001" };

describe("delivery engine on the real store", () => {
  let db: LocalDynamo;
  let store: DynamoStore;
  let users = 0;
  let now = T0;
  let user: UserKey;
  let n = 0;

  storeSuiteOnDynalite(TABLE, (local) => ({ db, store } = local));
  beforeEach(() => {
    now = T0;
    user = { platform: "meta", userId: `wa:49155500${++users}` };
  });

  const deps = (target: Store = store, settings = DEFAULTS): DeliveryDeps => deliveryDepsOn(target, () => now, settings);
  const inbound = (text: string, key = `meta:wamid.${users}.${++n}`): Inbound => ({ user, deliveryKey: key, text, sentAt: now });
  const say = async (message: Inbound, route: ReplyRoute | undefined = ROUTE, settings = DEFAULTS): Promise<Answer> => (await deliver(deps(store, settings), message, route)).answer;
  const saltOf = async () => (await store.loadUser(user))?.salt ?? "";
  const ticketsOfUser = async () => store.ticketsOf(user, 100);
  const messagesOf = async (ticketId: string) => {
    const out = await db.client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: "pk = :pk AND begins_with(sk, :msg)", ExpressionAttributeValues: { ":pk": KEYS.ticket(ticketId).pk, ":msg": "MSG#" } }));
    return (out.Items ?? []).map((i) => String(i.text));
  };
  const queued = async (key: string) => (await db.client.send(new GetCommand({ TableName: TABLE, Key: KEYS.reply(key) }))).Item?.text as string | undefined;

  describe("a command that fails at any store call, then is retried", () => {
    // Each call of `/ticket Printer` for a known user, failing before it reaches the store and after.
    for (const after of [false, true]) {
      for (let at = 0; at < 5; at++) {
        it(`call ${at} fails ${after ? "after reaching" : "before reaching"} the store: one ticket, one queued answer, the same answer on the retry`, async () => {
          await say(inbound("/start"));
          const command = inbound("/ticket Printer");
          const failing = faultyStore(store, { at, after } satisfies Fault);
          const first = await deliver(deps(failing), command, ROUTE).then(
            (d) => d.answer,
            (error: unknown) => {
              assert.ok(error instanceof StoreUnavailableError, String(error));
              return undefined;
            },
          );
          if (first === undefined) assert.ok(at < failing.calls.length, "the fault happened");
          const retried = await say(command);
          const id = ticketIdFor(await saltOf(), command.deliveryKey);
          assert.deepEqual(retried, { kind: "text", text: TEXT.opened(id, "Printer"), private: false });
          if (first !== undefined) assert.deepEqual(first, retried);
          assert.deepEqual((await ticketsOfUser()).map((t) => t.id), [id]);
          assert.equal(await queued(command.deliveryKey), retried.kind === "text" ? retried.text : undefined);
          assert.equal((await store.loadUser(user))?.intent, undefined, "nothing left to apply");
        });
      }
    }
  });

  it("a plain text whose message write failed after the claim is completed by its retry, into the ticket it was claimed for", async () => {
    await say(inbound("/ticket First"));
    const first = (await store.loadUser(user))?.openTicketId ?? "";
    const text = inbound("it is still broken");
    await assert.rejects(deliver(deps(faultyStore(store, { at: 1, after: false })), text, ROUTE), StoreUnavailableError);
    // Meanwhile the user closes that ticket and opens another one.
    await say(inbound(`/close ${first}`));
    await say(inbound("/ticket Second"));
    assert.deepEqual(await deliver(deps(), text, ROUTE), { answer: { kind: "silent" }, duplicate: true });
    assert.deepEqual(await messagesOf(first), ["it is still broken"]);
    const second = (await store.loadUser(user))?.openTicketId ?? "";
    assert.deepEqual(await messagesOf(second), []);
  });

  describe("commands platforms never redeliver (Discord interactions, Slack slash commands)", () => {
    const noRoute = undefined;

    it("a /ticket whose ticket write failed after the commit is finished by the user's next delivery, even a plain text", async () => {
      await say(inbound("/start"), noRoute);
      const command = inbound("/ticket VPN down", "discord:interaction:1");
      await assert.rejects(deliver(deps(faultyStore(store, { at: 2, after: false })), command), StoreUnavailableError);
      assert.deepEqual(await ticketsOfUser(), [], "not visible yet");
      await say(inbound("hello?", "discord:interaction:2"), noRoute);
      const id = ticketIdFor(await saltOf(), command.deliveryKey);
      assert.deepEqual((await ticketsOfUser()).map((t) => t.id), [id]);
      assert.deepEqual(await messagesOf(id), ["hello?"]);
    });

    it("running the same /ticket again (a new interaction id) after a failure reuses the ticket the first one left", async () => {
      await say(inbound("/start"), noRoute);
      const first = inbound("/ticket VPN down", "discord:interaction:10");
      await assert.rejects(deliver(deps(faultyStore(store, { at: 2, after: false })), first), StoreUnavailableError);
      now += 60_000;
      const again = await say(inbound("/ticket VPN down", "discord:interaction:11"), noRoute);
      const id = ticketIdFor(await saltOf(), first.deliveryKey);
      assert.deepEqual(again, { kind: "text", text: TEXT.opened(id, "VPN down"), private: false });
      assert.deepEqual((await ticketsOfUser()).map((t) => t.id), [id]);
    });

    it("a failure before the commit leaves nothing: the repeat opens the one ticket", async () => {
      await say(inbound("/start"), noRoute);
      await assert.rejects(deliver(deps(faultyStore(store, { at: 1, after: false })), inbound("/ticket Printer", "discord:interaction:20")), StoreUnavailableError);
      assert.equal((await store.loadUser(user))?.lastOpened, undefined);
      const repeat = inbound("/ticket Printer", "discord:interaction:21");
      await say(repeat, noRoute);
      assert.deepEqual((await ticketsOfUser()).map((t) => t.id), [ticketIdFor(await saltOf(), repeat.deliveryKey)]);
    });
  });

  describe("delivery memory covers Meta's 7 days of redelivery", () => {
    it("recognises a redelivered text on day 3 after 60 newer deliveries, and a redelivered command on day 7", async () => {
      await say(inbound("/ticket Printer"));
      const text = inbound("paper jam");
      const command = inbound("/tickets");
      await say(text);
      const answer = await say(command);
      for (let i = 0; i < 60; i++) {
        now += 3_600_000;
        await say(inbound(i % 10 === 0 ? "/help" : `update ${i}`));
      }
      now = T0 + 3 * DAY;
      assert.deepEqual(await deliver(deps(), text, ROUTE), { answer: { kind: "silent" }, duplicate: true });
      const id = (await store.loadUser(user))?.openTicketId ?? "";
      assert.equal((await messagesOf(id)).filter((m) => m === "paper jam").length, 1);
      now = T0 + 7 * DAY;
      const redelivered = await deliver(deps(), command, ROUTE);
      assert.equal(redelivered.duplicate, true);
      assert.deepEqual(redelivered.answer, { kind: "silent" }, "its answer was kept for dedupeTtlHours only; it is not queued again");
      assert.equal(await queued(command.deliveryKey), answer.kind === "text" ? answer.text : undefined);
    });
  });

  describe("rate limits never lose what a user wrote", () => {
    it("a WhatsApp batch of 14 messages from one user, default bucket: all 14 stored", async () => {
      const batch = [inbound("/ticket Printer on fire"), ...Array.from({ length: 13 }, (_, i) => inbound(`line ${i}`))];
      for (const message of batch) await say(message);
      const id = (await store.loadUser(user))?.openTicketId ?? "";
      assert.equal((await messagesOf(id)).length, 13);
      assert.equal((await ticketsOfUser())[0]?.subject, "Printer on fire");
    });

    it("14 commands at once: every effect happens, the answers stop after the bucket's capacity with one notice", async () => {
      const answers: Answer[] = [];
      for (let i = 0; i < 14; i++) answers.push(await say(inbound(i % 2 === 0 ? "/help" : `/ticket Subject ${i}`)));
      const texts = answers.filter((a) => a.kind === "text");
      assert.equal(texts.length, DEFAULTS.rateLimit.capacity + 1);
      assert.deepEqual(texts.at(-1), { kind: "text", text: TEXT.slowDown(6), private: true });
      // 7 /ticket: 5 tickets (the hourly limit), the other two subjects appended to the open ticket.
      const tickets = await ticketsOfUser();
      assert.equal(tickets.length, 5);
      const open = (await store.loadUser(user))?.openTicketId ?? "";
      assert.deepEqual((await messagesOf(open)).sort(), ["Subject 11", "Subject 13"]);
    });
  });

  describe("the issue's races, forced: both deliveries read the state before either commits", () => {
    /** A store whose first `loadUser` of each delivery waits until every delivery has read. */
    const together = (count: number): Store => {
      let waiting: (() => void)[] = [];
      let reads = 0;
      return new Proxy(store, {
        get(target, property, receiver) {
          if (property !== "loadUser") return Reflect.get(target, property, receiver) as unknown;
          return async (key: UserKey) => {
            const state = await target.loadUser(key);
            if (++reads <= count) {
              await new Promise<void>((resolve) => {
                waiting.push(resolve);
                if (waiting.length === count) for (const release of waiting) release();
              });
              if (reads === count) waiting = [];
            }
            return state;
          };
        },
      });
    };

    it("two texts answering 'what is the subject?': one ticket, the other text appended to it, one 'opened' answer", async () => {
      await say(inbound("/ticket"));
      const shared = together(2);
      const [a, b] = await Promise.all([deliver(deps(shared), inbound("VPN down"), ROUTE), deliver(deps(shared), inbound("since Monday"), ROUTE)]);
      const tickets = await ticketsOfUser();
      assert.equal(tickets.length, 1);
      const id = tickets[0]?.id ?? "";
      const subject = tickets[0]?.subject ?? "";
      assert.deepEqual(await messagesOf(id), [subject === "VPN down" ? "since Monday" : "VPN down"]);
      assert.deepEqual([a.answer.kind, b.answer.kind].sort(), ["silent", "text"]);
    });

    it("/ticket racing a plain text with no ticket open: the text is either refused or appended, never both", async () => {
      const shared = together(2);
      const text = inbound("my laptop");
      const [, answered] = await Promise.all([deliver(deps(shared), inbound("/ticket Laptop"), ROUTE), deliver(deps(shared), text, ROUTE)]);
      const id = (await ticketsOfUser())[0]?.id ?? "";
      const appended = (await messagesOf(id)).includes("my laptop");
      assert.equal(answered.answer.kind === "text" && answered.answer.text === TEXT.noOpenTicket, !appended);
      assert.equal((await queued(text.deliveryKey)) === TEXT.noOpenTicket, !appended);
    });
  });

  it("first contact from two deliveries at once: both tickets derive from the one salt that was stored", async () => {
    const a = inbound("/ticket A");
    const b = inbound("/ticket B");
    await Promise.all([say(a), say(b)]);
    const salt = await saltOf();
    assert.deepEqual((await ticketsOfUser()).map((t) => t.id).sort(), [ticketIdFor(salt, a.deliveryKey), ticketIdFor(salt, b.deliveryKey)].sort());
  });

  it("/tickets right after /ticket lists the new ticket even while the index lags", async () => {
    const lagging = new Proxy(store, {
      get(target, property, receiver) {
        if (property === "ticketsOf") return async () => [];
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    await say(inbound("/ticket Printer"));
    const id = (await store.loadUser(user))?.openTicketId ?? "";
    const list = (await deliver(deps(lagging), inbound("/tickets"), ROUTE)).answer;
    assert.ok(list.kind === "text" && list.text.includes(`${id} [open] Printer`), JSON.stringify(list));
  });
});
