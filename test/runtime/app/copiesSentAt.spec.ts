import { strict as assert } from "node:assert";
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { deliveryDepsOn } from "../../../runtime/app/deps";
import { DynamoStore, KEYS, type Store } from "../../../runtime/adapters/store";
import { deliver, type Delivered, type DeliveryDeps } from "../../../runtime/app/delivery";
import { newUserState } from "../../../runtime/domain/conversation";
import { deliveryHash, MAX_APPENDS_PER_DAY, utcDay } from "../../../runtime/domain/deliveryMemory";
import type { ConversationSettings, Inbound, UserKey } from "../../../runtime/domain/types";
import { StoreUnavailableError } from "../../../runtime/errors";
import { type LocalDynamo, storeSuiteOnDynalite } from "../support/dynalite";
import { faultyStore } from "../support/faultyStore";

/**
 * Copies of one delivery need not carry the same sentAt: a Messenger event without its own
 * timestamp takes its batch's `time`, and a redelivery may come in another batch. A plain text's
 * message key includes sentAt, so whichever copy writes the message must write the one the first
 * claimer recorded. Two copies 1.5 s apart (straddling a second, as the load test once did) race
 * here in EVERY order of their store calls (each call runs alone; the driver enumerates which copy
 * goes next at each point both wait), over the real store (dynalite).
 */

const T0 = Date.UTC(2026, 10, 22, 23); // an hour before a UTC midnight
const MIDNIGHT = Date.UTC(2026, 10, 23);
const TABLE = "copies";
const SETTINGS: ConversationSettings = { rateLimit: { capacity: 50, refillPerMinute: 6 }, conversationTtlMinutes: 30, dedupeTtlHours: 48, ticketOpensPerHour: 5 };
const SKEW = 1_500;

interface Copy {
  readonly sentAt: number;
  readonly clock: number;
}

describe("copies of one delivery with different sentAt store one message, with the first claimer's sentAt (real store)", function () {
  let db: LocalDynamo;
  let store: DynamoStore;
  let users = 0;
  storeSuiteOnDynalite(TABLE, (local) => ({ db, store } = local));

  const deps = (target: Store, clock: number): DeliveryDeps => deliveryDepsOn(target, () => clock, SETTINGS);
  const newUser = (): UserKey => ({ platform: "meta", userId: `ms:copies${++users}` });
  const inboundOf = (user: UserKey, key: string, text: string, sentAt: number): Inbound => ({ user, deliveryKey: key, text, sentAt });
  /** A user with an open ticket (one commit at T0, as a decided `/ticket` leaves it); returns the ticket id. */
  const withOpenTicket = async (user: UserKey): Promise<string> => {
    const fresh = newUserState("salt", T0, SETTINGS);
    const ticketId = `ticket-of-${user.userId}`;
    assert.equal(await store.commitUser(user, { before: fresh, after: { ...fresh, openTicketId: ticketId }, delivery: "setup", now: T0 }), true);
    return ticketId;
  };
  const messagesOf = async (ticketId: string) => {
    const out = await db.client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: "pk = :pk AND begins_with(sk, :msg)", ExpressionAttributeValues: { ":pk": KEYS.ticket(ticketId).pk, ":msg": "MSG#" } }));
    return (out.Items ?? []).map((i) => ({ text: String(i.text), sentAt: Number(i.sentAt) }));
  };
  /** What the previous layout stored: today's claim maps without the sentAt maps. */
  const asPreviousLayout = async (user: UserKey, days: readonly number[]) => {
    const names = Object.fromEntries(days.map((day, i) => [`#s${i}`, `s${day}`]));
    await db.client.send(new UpdateCommand({ TableName: TABLE, Key: KEYS.user(user), UpdateExpression: `REMOVE ${Object.keys(names).join(", ")}`, ExpressionAttributeNames: names }));
  };
  /** Fills the UTC day's claim map: a claim that day falls back to deciding. */
  const fillDay = async (user: UserKey, day: number) => {
    const full = Object.fromEntries(Array.from({ length: MAX_APPENDS_PER_DAY }, (_, i) => [`f${i}`, "x"]));
    await db.client.send(new UpdateCommand({ TableName: TABLE, Key: KEYS.user(user), UpdateExpression: "SET #d = :full", ExpressionAttributeNames: { "#d": `a${day}` }, ExpressionAttributeValues: { ":full": full } }));
  };

  /**
   * Runs the two copies of `text` in every order of their store calls. `first(result)` names the
   * copy whose claim or commit of the delivery was the first to land; `prepare` sets each fresh
   * user up. Returns the number of orders explored.
   */
  const everyOrder = async (copies: readonly [Copy, Copy], prepare: (user: UserKey) => Promise<string>): Promise<number> => {
    const firsts = new Set<number>();
    const explored = await everyInterleaving(async (prefix) => {
      const user = newUser();
      const ticketId = await prepare(user);
      const key = `meta:m_${user.userId}`;
      const landed: number[] = [];
      const watch = (target: Store, copy: number): Store =>
        new Proxy(target, {
          get(t, property, receiver) {
            const value: unknown = Reflect.get(t, property, receiver);
            if (property !== "claimAppend" && property !== "commitUser") return value;
            return async (...args: unknown[]) => {
              const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
              if (result !== undefined && result !== false) landed.push(copy);
              return result;
            };
          },
        });
      const run = await interleave(
        copies.map((copy, i) => (gated: Store) => deliver(deps(watch(gated, i), copy.clock), inboundOf(user, key, "paper jam", copy.sentAt))),
        db.client,
        prefix,
      );
      const results = run.results.map((r) => (r.status === "fulfilled" ? (r.value as Delivered) : assert.fail(String(r.reason))));
      assert.deepEqual(results.map((r) => r.answer), [{ kind: "silent" }, { kind: "silent" }]);
      assert.deepEqual(results.map((r) => r.duplicate).sort(), [false, true], "one copy handled it, the other found it handled");
      const first = landed[0];
      assert.ok(first !== undefined && landed.length === 1, `exactly one claim or commit of the delivery landed: ${JSON.stringify(landed)}`);
      firsts.add(first);
      assert.deepEqual(await messagesOf(ticketId), [{ text: "paper jam", sentAt: copies[first]?.sentAt }], `order ${JSON.stringify(run.decisions)}`);
      return run.decisions;
    });
    assert.deepEqual([...firsts].sort(), [0, 1], "either copy was the first to land in some order");
    return explored;
  };

  it("fast path against fast path: every order", async () => {
    const explored = await everyOrder([{ sentAt: T0 + 1_000, clock: T0 + 2_000 }, { sentAt: T0 + 1_000 + SKEW, clock: T0 + 2_000 }], withOpenTicket);
    assert.ok(explored >= 2, `${explored} orders`);
  });

  it("fast path against the decide path (clocks either side of midnight, the earlier day full): every order", async () => {
    // The copy whose clock is before midnight cannot claim (its day holds MAX_APPENDS_PER_DAY) and
    // decides — its message in the committed intent; the other claims on the next day.
    const explored = await everyOrder([{ sentAt: MIDNIGHT - 2_000, clock: MIDNIGHT - 1 }, { sentAt: MIDNIGHT - 2_000 + SKEW, clock: MIDNIGHT + 1 }], async (user) => {
      const ticketId = await withOpenTicket(user);
      await fillDay(user, utcDay(MIDNIGHT - 1));
      return ticketId;
    });
    assert.ok(explored >= 3, `${explored} orders`);
  });

  it("decide path against decide path (the day full for both): every order", async () => {
    const explored = await everyOrder([{ sentAt: T0 + 1_000, clock: T0 + 2_000 }, { sentAt: T0 + 1_000 + SKEW, clock: T0 + 2_000 }], async (user) => {
      const ticketId = await withOpenTicket(user);
      await fillDay(user, utcDay(T0));
      return ticketId;
    });
    assert.ok(explored >= 3, `${explored} orders`);
  });

  for (const after of [false, true]) {
    it(`claim, then a crash ${after ? "after the claim landed (its answer lost)" : "before the message"}, then a retry with another sentAt: one message, the claimer's sentAt`, async () => {
      const user = newUser();
      const ticketId = await withOpenTicket(user);
      const first = inboundOf(user, "meta:m_crash", "paper jam", T0 + 1_000);
      await assert.rejects(deliver(deps(faultyStore(store, { at: after ? 0 : 1, after }), T0 + 2_000), first), StoreUnavailableError);
      assert.deepEqual(await messagesOf(ticketId), []);
      const retry = await deliver(deps(store, T0 + 60_000), { ...first, sentAt: first.sentAt + SKEW });
      assert.deepEqual(retry, { answer: { kind: "silent" }, duplicate: true });
      const again = await deliver(deps(store, T0 + 120_000), { ...first, sentAt: first.sentAt + 2 * SKEW });
      assert.equal(again.duplicate, true);
      assert.deepEqual(await messagesOf(ticketId), [{ text: "paper jam", sentAt: first.sentAt }]);
    });
  }

  describe("claims stored before claims recorded their sentAt", () => {
    it("two retries of such a claim with different sentAt, in every order: one message, the sentAt the first completion pinned", async () => {
      const explored = await everyInterleaving(async (prefix) => {
        const user = newUser();
        const ticketId = await withOpenTicket(user);
        const key = `meta:m_old_${user.userId}`;
        // The previous code's claim, which stopped before its message.
        await deliver(deps(faultyStore(store, { at: 1, after: false }), T0 + 1_000), inboundOf(user, key, "paper jam", T0)).catch(() => undefined);
        await asPreviousLayout(user, [utcDay(T0), utcDay(T0) + 1]);
        assert.equal((await store.loadUser(user))?.appendedSentAt?.[utcDay(T0)], undefined);
        const sentAts = [T0 + SKEW, T0 + 2 * SKEW];
        const run = await interleave(
          sentAts.map((sentAt) => (gated: Store) => deliver(deps(gated, T0 + 60_000), inboundOf(user, key, "paper jam", sentAt))),
          db.client,
          prefix,
          clearsIntentOrClaims,
        );
        for (const r of run.results) assert.equal(r.status, "fulfilled", r.status === "rejected" ? String(r.reason) : "");
        const pinned = (await store.loadUser(user))?.appendedSentAt?.[utcDay(T0)]?.[deliveryHash(key)];
        assert.ok(pinned !== undefined && sentAts.includes(pinned), `pinned ${pinned}`);
        assert.deepEqual(await messagesOf(ticketId), [{ text: "paper jam", sentAt: pinned }], `order ${JSON.stringify(run.decisions)}`);
        return run.decisions;
      });
      assert.ok(explored >= 3, `${explored} orders`);
    });

    it("a user stored by the previous code: the first plain text is decided once (which adds the sentAt maps), the next takes the 2-call fast path", async () => {
      const user = newUser();
      const ticketId = await withOpenTicket(user);
      await asPreviousLayout(user, [utcDay(T0), utcDay(T0) + 1]);
      const first = await deliver(deps(store, T0 + 1_000), inboundOf(user, "meta:m_up1", "first", T0 + 1_000));
      assert.deepEqual(first, { answer: { kind: "silent" }, duplicate: false });
      db.calls.length = 0;
      await deliver(deps(store, T0 + 2_000), inboundOf(user, "meta:m_up2", "second", T0 + 2_000));
      assert.deepEqual(db.calls.map((c) => c.operation), ["UpdateItem", "PutItem"]);
      assert.deepEqual((await messagesOf(ticketId)).map((m) => m.text), ["first", "second"]);
    });
  });
});

/**
 * Runs `actors`, each with its own store over a gated client: every round trip on the user's state
 * item (the one shared item whose order changes an outcome; every other write is a put-if-absent
 * under a key the delivery derives, so those commute) waits until the driver lets it go, and the
 * driver lets one go only when every unfinished actor waits at one — so they run one at a time, and
 * every order of them can be chosen. At each point where both wait, `prefix` says which goes first
 * (0: the lower index), then 0. Returns the choices made.
 */
async function interleave(
  actors: readonly ((store: Store) => Promise<unknown>)[],
  client: DynamoDBDocumentClient,
  prefix: readonly number[],
  commutes: (input: CommandInput) => boolean = clearsIntent,
): Promise<{ decisions: number[]; results: PromiseSettledResult<unknown>[] }> {
  const waiting = new Map<number, () => void>();
  const done = new Set<number>();
  let changed: () => void = () => undefined;
  const onState = (command: unknown) => {
    const input = (command as { input?: CommandInput }).input;
    return input !== undefined && String(input.Key?.pk ?? "").startsWith("USER#") && !commutes(input);
  };
  const gated = (actor: number): Store => {
    const send = async (command: unknown): Promise<unknown> => {
      if (onState(command)) {
        await new Promise<void>((release) => {
          waiting.set(actor, release);
          changed();
        });
      }
      return (client.send as (c: unknown) => Promise<unknown>)(command);
    };
    const own = new Proxy(client, { get: (target, property, receiver) => (property === "send" ? send : (Reflect.get(target, property, receiver) as unknown)) });
    return new DynamoStore(own, TABLE, 48);
  };
  const settled = Promise.allSettled(
    actors.map((run, i) =>
      run(gated(i)).finally(() => {
        done.add(i);
        changed();
      }),
    ),
  );
  const decisions: number[] = [];
  while (done.size < actors.length) {
    while (waiting.size + done.size < actors.length) await new Promise<void>((resolve) => (changed = resolve));
    const ready = [...waiting.keys()].sort((a, b) => a - b);
    if (ready.length === 0) continue;
    let pick = ready[0] as number;
    if (ready.length > 1) {
      const choice = prefix[decisions.length] ?? 0;
      decisions.push(choice);
      pick = ready[choice] as number;
    }
    const release = waiting.get(pick) as () => void;
    waiting.delete(pick);
    release();
  }
  return { decisions, results: await settled };
}

interface CommandInput {
  readonly Key?: { readonly pk?: unknown };
  readonly UpdateExpression?: unknown;
  readonly ReturnValues?: unknown;
}

/**
 * Round trips left out of the enumeration because their order cannot change the outcome. Clearing
 * the intent: its condition names this delivery, which both copies are, and the other copy ends the
 * same either way (its claim fails once the commit recorded the delivery; a load that still sees
 * the intent re-applies its idempotent effects and clears it itself).
 */
const clearsIntent = (input: CommandInput) => input.UpdateExpression === "REMOVE #intent";
/** And a fast-path claim (the one UPDATED_NEW update) of a delivery claimed before both copies: it fails in every order. */
const clearsIntentOrClaims = (input: CommandInput) => clearsIntent(input) || input.ReturnValues === "UPDATED_NEW";

/** Runs `run` once per distinct sequence of two-way choices (depth first), until every order was seen. */
async function everyInterleaving(run: (prefix: readonly number[]) => Promise<readonly number[]>): Promise<number> {
  let prefix: readonly number[] = [];
  for (let explored = 1; ; explored++) {
    const decisions = await run(prefix);
    let i = decisions.length - 1;
    while (i >= 0 && decisions[i] === 1) i--;
    if (i < 0) return explored;
    prefix = [...decisions.slice(0, i), 1];
  }
}
