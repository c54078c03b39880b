import { strict as assert } from "node:assert";
import fc from "fast-check";
import { deliveryDepsOn } from "../../../runtime/app/deps";
import { BatchGetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoStore, KEYS, type Store } from "../../../runtime/adapters/store";
import { deliver, type DeliveryDeps, type ReplyRoute } from "../../../runtime/app/delivery";
import { ticketIdFor } from "../../../runtime/domain/ids";
import type { Answer, ConversationSettings, Inbound, Ticket, UserKey } from "../../../runtime/domain/types";
import { StoreUnavailableError } from "../../../runtime/errors";
import { type LocalDynamo, startDynalite } from "../support/dynalite";
import { type Fault, faultyStore } from "../support/faultyStore";
import { messageKey, observable, permutations, runSerially, type SerialDelivery, type StoredMessage, subsets, type World } from "../support/serialOracle";

/**
 * Item 1 of the concurrency contract: whatever a set of deliveries from one user does — any
 * interleaving of their store calls, copies of the same delivery at once, a store fault before or
 * after any call (the write may have happened), a retry or none — the stored world and every answer
 * given equal those of SOME serial order of those deliveries (tests/runtime/support/serialOracle.ts).
 *
 * Real store (dynalite); fast-check's scheduler decides when each store call is issued and when its
 * result comes back, so the deliveries interleave at every await the engine has on the store.
 */

const NOW = Date.UTC(2026, 10, 22, 9);
const TABLE_NAME = "serialisable";
const TELEGRAM: UserKey = { platform: "telegram", userId: "4242" };
const META: UserKey = { platform: "meta", userId: "wa:4915550001" };
const META_ROUTE: ReplyRoute = { platform: "meta", address: "whatsapp:1098:4915550001" };

type Say =
  | { readonly kind: "text" }
  | { readonly kind: "ask" }
  | { readonly kind: "open"; readonly subject: string }
  | { readonly kind: "close" | "status"; readonly ref: number }
  | { readonly kind: "list" }
  | { readonly kind: "help" };

interface PlannedDelivery {
  readonly say: Say;
  readonly copies: 1 | 2;
  readonly fault: Fault | null;
  /** After a failure the platform sends it again (Telegram, Slack events, Meta) — or never (Discord, slash commands). */
  readonly retried: boolean;
  /**
   * The copy and the retry carry a later sentAt than the first attempt (a Messenger event without
   * its own timestamp takes its batch's `time`, and a redelivery may come in another batch).
   */
  readonly skewed: boolean;
}

interface Scenario {
  readonly setup: readonly string[];
  readonly deliveries: readonly PlannedDelivery[];
  readonly queued: boolean;
  readonly capacity: number;
  readonly opensPerHour: number;
}

const sayArb: fc.Arbitrary<Say> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: "text" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "ask" as const }) },
  { weight: 3, arbitrary: fc.constantFrom("VPN down", "Printer").map((subject) => ({ kind: "open" as const, subject })) },
  { weight: 2, arbitrary: fc.nat(4).map((ref) => ({ kind: "close" as const, ref })) },
  { weight: 1, arbitrary: fc.nat(4).map((ref) => ({ kind: "status" as const, ref })) },
  { weight: 1, arbitrary: fc.constant({ kind: "list" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "help" as const }) },
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  setup: fc.constantFrom<readonly string[]>([], ["/ticket Initial"], ["/ticket"], ["/ticket Initial", "/ticket"]),
  deliveries: fc.array(
    fc.record({
      say: sayArb,
      copies: fc.constantFrom<1 | 2>(1, 1, 2),
      fault: fc.option(fc.record({ at: fc.nat(5), after: fc.boolean() }), { freq: 2 }),
      retried: fc.boolean(),
      skewed: fc.boolean(),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  queued: fc.boolean(),
  capacity: fc.constantFrom(3, 50),
  opensPerHour: fc.constantFrom(1, 5),
});

describe("deliveries from one user are serialisable (property, real store)", function () {
  let db: LocalDynamo;
  let runs = 0;
  const tableName = TABLE_NAME;
  before(async () => {
    db = await startDynalite();
    await db.createTable(tableName);
  });
  after(async () => db.close());

  it("ends in the state and answers of some serial order, whatever the interleaving, copies, faults and retries", async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.scheduler(), async (scenario, s) => {
        // One table for every run, a user of its own per run.
        const run = ++runs;
        const store = new DynamoStore(db.client, tableName, 48);
        const settings: ConversationSettings = {
          rateLimit: { capacity: scenario.capacity, refillPerMinute: 1 },
          conversationTtlMinutes: 30,
          dedupeTtlHours: 48,
          ticketOpensPerHour: scenario.opensPerHour,
        };
        const user = { ...(scenario.queued ? META : TELEGRAM), userId: `${(scenario.queued ? META : TELEGRAM).userId}${run}` };
        const route = scenario.queued ? META_ROUTE : undefined;
        const inboundOf = (key: string, text: string, sentAt: number): Inbound => ({ user, deliveryKey: `${user.platform}:${run}:${key}`, text, sentAt });
        const plainDeps = (target: Store): DeliveryDeps => deliveryDepsOn(target, () => NOW, settings);

        // Setup, one at a time: the user exists (salt), maybe with an open ticket and/or a pending question.
        const setup = ["/start", ...scenario.setup].map((text, i) => inboundOf(`setup${i}`, text, NOW - 100_000 + i * 1000));
        for (const inbound of setup) await deliver(plainDeps(store), inbound, route);
        const initial = await worldOf(db, store, user, setup.map((i) => i.deliveryKey));

        const planned = scenario.deliveries.map((d, i) => ({ ...d, inbound: inboundOf(`d${i}`, "", NOW + i * 1000) }));
        const textOf = (say: Say, i: number): string => {
          switch (say.kind) {
            case "text":
              return `message ${i}`;
            case "ask":
              return "/ticket";
            case "open":
              return `/ticket ${say.subject}`;
            case "list":
              return "/tickets";
            case "help":
              return "/help";
            case "close":
            case "status": {
              // A ticket one of the deliveries (or the setup) may open: which one exists depends on the order.
              const source = say.ref < planned.length ? planned[say.ref]?.inbound.deliveryKey : setup[1]?.deliveryKey;
              return `/${say.kind} ${ticketIdFor(initial.state.salt, source ?? "none")}`;
            }
          }
        };
        const deliveries = planned.map((d, i) => ({ ...d, inbound: { ...d.inbound, text: textOf(d.say, i) } }));

        // The concurrent phase: every copy and retry of every delivery, store calls under the scheduler.
        const answers = new Map<string, Answer[]>();
        const attempt = async (inbound: Inbound, fault: Fault | null, label: string): Promise<boolean> => {
          try {
            const { answer } = await deliver(plainDeps(scheduled(store, s, label, fault)), inbound, route);
            answers.set(inbound.deliveryKey, [...(answers.get(inbound.deliveryKey) ?? []), answer]);
            return true;
          } catch (error) {
            if (!(error instanceof StoreUnavailableError)) throw error;
            return false;
          }
        };
        // Skewed copies straddle a second (1.5 s and 2.5 s later), as copies built apart once did.
        const sentAtsOf = (d: (typeof deliveries)[number]) => [d.inbound.sentAt, ...(d.skewed ? [d.inbound.sentAt + 1_500, d.inbound.sentAt + 2_500] : [])];
        const tasks = deliveries.map(async (d, i) => {
          const [own, copySentAt = own, retrySentAt = own] = sentAtsOf(d) as [number, number?, number?];
          const copies = [attempt(d.inbound, d.fault, `d${i}`), ...(d.copies === 2 ? [attempt({ ...d.inbound, sentAt: copySentAt }, null, `d${i}'`)] : [])];
          const [first] = await Promise.all(copies);
          if (first === false && d.retried) await attempt({ ...d.inbound, sentAt: retrySentAt }, null, `d${i} retry`);
        });
        await s.waitFor(Promise.all(tasks));

        // A later delivery from the same user (what completes work a failed delivery left), observed too.
        const settle = inboundOf("settle", "/tickets", NOW + 99_000);
        const settled = await deliver(plainDeps(store), settle, route);
        const actual = await worldOf(db, store, user, [...setup, ...deliveries.map((d) => d.inbound), settle].map((i) => i.deliveryKey));

        // Deliveries with an answer must be in the order; a delivery that only failed may or may not be.
        // Each delivery happens once, carrying the sentAt of one of its attempts (whichever landed first).
        const answered = deliveries.filter((d) => answers.has(d.inbound.deliveryKey));
        const failed = deliveries.filter((d) => !answers.has(d.inbound.deliveryKey));
        const target = observable(actual, NOW);
        for (const sentAts of choices(deliveries.map(sentAtsOf))) {
          const carried = new Map(deliveries.map((d, i) => [d.inbound.deliveryKey, { ...d.inbound, sentAt: sentAts[i] as number }]));
          for (const extra of subsets(failed)) {
            for (const order of permutations([...answered, ...extra])) {
              const steps: SerialDelivery[] = [...order.map((d) => carried.get(d.inbound.deliveryKey) as Inbound), settle].map((inbound) => ({ inbound, route }));
              const serial = runSerially(initial, steps, NOW, settings);
              if (observable(serial.world, NOW) !== target) continue;
              const sameAnswers = order.every((d, i) => (answers.get(d.inbound.deliveryKey) ?? []).every((a) => sameAnswer(a, serial.answers[i])));
              if (sameAnswers && sameAnswer(settled.answer, serial.answers[order.length])) return;
            }
          }
        }
        const given = deliveries.map((d) => `${d.inbound.text} → ${JSON.stringify(answers.get(d.inbound.deliveryKey) ?? "failed")}`);
        assert.fail(`no serial order explains the outcome.\nanswers:\n  ${given.join("\n  ")}\n  settle → ${JSON.stringify(settled.answer)}\nstored:\n${target}`);
      }),
      // A fixed number of runs, never cut short by a time limit: an interrupted run would go on in the
      // background against a store the after hook closes. SERIAL_RUNS explores longer.
      { numRuns: Number(process.env.SERIAL_RUNS ?? 25) },
    );
  });
});

/** Every way of picking one value from each list. */
function* choices<T>(lists: readonly (readonly T[])[]): Generator<T[]> {
  const [head, ...rest] = lists;
  if (head === undefined) {
    yield [];
    return;
  }
  for (const value of new Set(head)) for (const tail of choices(rest)) yield [value, ...tail];
}

function sameAnswer(a: Answer, b: Answer | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The store as one attempt sees it: the scheduler decides when each call is issued and when its result returns. */
function scheduled(store: Store, s: fc.Scheduler, label: string, fault: Fault | null): Store {
  return faultyStore(store, fault, async (name, call) => {
    await s.schedule(Promise.resolve(), `${label} → ${name}`);
    const result = await call();
    return s.schedule(Promise.resolve(result), `${label} ← ${name}`);
  });
}

/**
 * The user's world as stored. Every key the engine can write for this user derives from their
 * deliveries: tickets (and their messages) from TICKET#ticketIdFor(salt, delivery), replies from
 * OUTBOX#hash(delivery) — so reading those partitions finds orphans too, without a Scan.
 */
async function worldOf(db: LocalDynamo, store: Store, user: UserKey, deliveryKeys: readonly string[]): Promise<World> {
  const state = await store.loadUser(user);
  assert.ok(state, "the user has a state");
  const tickets = new Map<string, Ticket>();
  const messages = new Map<string, StoredMessage>();
  const deliveries = new Set<string>();
  const replies = new Map<string, string>();
  for (const deliveryKey of deliveryKeys) {
    const partition = await db.client.send(
      new QueryCommand({ TableName: TABLE_NAME, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": KEYS.ticket(ticketIdFor(state.salt, deliveryKey)).pk } }),
    );
    for (const item of partition.Items ?? []) {
      if (item.type === "ticket") {
        tickets.set(String(item.id), {
          id: String(item.id),
          owner: { platform: item.platform as UserKey["platform"], userId: String(item.userId) },
          subject: String(item.subject),
          status: item.status === "closed" ? "closed" : "open",
          createdAt: Number(item.createdAt),
          updatedAt: Number(item.updatedAt),
        });
      } else if (item.type === "message") {
        const m = { ticketId: String(item.ticketId), text: String(item.text), sentAt: Number(item.sentAt) };
        assert.ok(!messages.has(messageKey(m)), `text stored twice: ${m.text}`);
        // The key ends with the delivery's hash: the same one twice is one delivery stored twice, whatever its sentAt.
        const delivery = String(item.sk).split("#").at(-1) ?? "";
        assert.ok(!deliveries.has(delivery), `one delivery stored twice, with different sentAt: ${m.text}`);
        deliveries.add(delivery);
        messages.set(messageKey(m), m);
      }
    }
  }
  const queued = await db.client.send(new BatchGetCommand({ RequestItems: { [TABLE_NAME]: { Keys: deliveryKeys.map((k) => KEYS.reply(k)), ConsistentRead: true } } }));
  for (const item of queued.Responses?.[TABLE_NAME] ?? []) replies.set(String(item.deliveryKey), String(item.text));
  db.calls.length = 0;
  return { state, tickets, messages, replies };
}
