import { strict as assert } from "node:assert";
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { createLogger } from "../../../runtime/adapters/logger";
import { DynamoStore, KEYS } from "../../../runtime/adapters/store";
import { StoreDeadLetters } from "../../../runtime/outbound/deadLetters";
import { deliverReply, LEASE_MARGIN_MS, type OutboundDependencies, windowBefore } from "../../../runtime/outbound/deliverReply";
import { DeliveryLedger, ledgerKey, OUTCOME_UNKNOWN } from "../../../runtime/outbound/deliveryLedger";
import { processOutbox } from "../../../runtime/outbound/outboxWorker";
import { type ReplyIntent } from "../../../runtime/outbound/replyIntent";
import { recordAgentMessage, recordReplyFailure } from "../../../runtime/outbound/ticketRecords";
import { fromStoredIntent } from "../../../runtime/outbound/wiring";
import { startPlatformStandIn, type PlatformStandIn } from "../../../tools/local/platformStandIn";
import { startDynalite, type LocalDynamo } from "../support/dynalite";
import { MIN_SEND_MS } from "../../../runtime/timeBudgets";

/**
 * A Lambda invocation can end at any await: killed at its timeout, out of memory, its sandbox
 * recycled. Whatever was in flight stops and nothing after it runs. This spec kills a delivery at
 * every store call it makes — just before the call, and just after it (so also between the
 * platform's answer and its record) — then lets the invocation's lease run out and the outbox
 * function run, and checks the reply's end state: sent, or failed with its dead letter; never
 * still claimed, never sent twice. Kill points are found by recording a clean run first, so a
 * store call added later is covered without editing this spec.
 */
class Killed extends Error {
  override readonly name = "Killed";
}

interface KillPoint {
  readonly step: number;
  readonly when: "before" | "after";
}

/** A document client that dies at one store call (or only records the calls when `kill` is undefined). */
function killable(client: DynamoDBDocumentClient, kill: KillPoint | undefined, seen: string[]): DynamoDBDocumentClient {
  let step = 0;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== "send") return Reflect.get(target, property, receiver) as unknown;
      return async (command: { constructor: { name: string }; input: { Key?: Record<string, unknown>; Item?: Record<string, unknown> } }) => {
        const current = step++;
        const key = String(command.input.Key?.pk ?? command.input.Item?.pk ?? "query").replace(/#.*/, "#");
        seen.push(`${command.constructor.name.replace(/Command$/, "")} ${key}`);
        if (kill?.step === current && kill.when === "before") throw new Killed(`before ${seen.at(-1)}`);
        const dies = kill?.step === current && kill.when === "after";
        let result: unknown;
        try {
          result = await target.send(command as never);
        } catch (error) {
          // The call reached the store (and failed there, e.g. a condition): then the invocation dies.
          if (dies) throw new Killed(`after ${seen.at(-1)}`);
          throw error;
        }
        if (dies) throw new Killed(`after ${seen.at(-1)}`);
        return result;
      };
    },
  });
}

describe("a reply survives its invocation being killed at any step", () => {
  let dynamo: LocalDynamo;
  let platform: PlatformStandIn;
  let table: string;
  let tables = 0;
  let clock: number;
  const DEADLINE = () => clock + 10_000;

  before(async () => {
    [dynamo, platform] = await Promise.all([startDynalite(), startPlatformStandIn()]);
  });
  after(async () => {
    await platform.stop();
    await dynamo.close();
  });
  beforeEach(async () => {
    table = `killed-${++tables}`;
    await dynamo.createTable(table);
    platform.clear();
    platform.clearFailures();
    clock = Date.UTC(2026, 10, 22, 9, 0, 0);
  });

  function outbound(documents: DynamoDBDocumentClient): OutboundDependencies {
    const store = { documents, tableName: table };
    return {
      ledger: new DeliveryLedger(documents, table),
      deadLetters: new StoreDeadLetters(documents, table),
      credential: () => Promise.resolve("token"),
      recordFailure: (intent, reason, now) => recordReplyFailure(store, intent, reason, now),
      recordAgentMessage: (intent, ref, claimedAt) => recordAgentMessage(store, intent, ref, claimedAt),
      baseUrls: platform.baseUrls,
      policy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 100 },
      send: { fetch, sleep: () => Promise.resolve(), random: () => 0, now: () => clock, timeoutMs: 2000 },
    };
  }

  /** After the lease of the killed invocation: the outbox function runs once. */
  async function outboxRuns(): Promise<void> {
    clock = DEADLINE() + LEASE_MARGIN_MS + 1;
    const deps = { documents: dynamo.client, tableName: table, outbound: outbound(dynamo.client), logger: createLogger({}, () => undefined) };
    await processOutbox(deps, 25, () => windowBefore(clock + 30_000));
  }

  const get = async (key: Record<string, unknown>) => (await dynamo.client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const all = () => dynamo.items(table);

  /** The end state every kill must lead to. Returns what it found. */
  async function assertSettled(replyId: string, label: string): Promise<"delivered" | "failed" | "none"> {
    const ledger = await get(ledgerKey(replyId));
    const accepted = platform.accepted().length;
    assert.ok(accepted <= 1, `${label}: sent ${accepted} times`);
    if (ledger === undefined) {
      assert.equal(accepted, 0, `${label}: sent without a claim`);
      return "none";
    }
    assert.notEqual(ledger.status, "sending", `${label}: still claimed after the outbox ran`);
    assert.equal(ledger.gsi1pk, undefined, `${label}: still listed as pending`);
    if (ledger.status === "failed") {
      assert.equal(ledger.deadLettered, true, `${label}: failed without its dead letter`);
      assert.ok(await get({ pk: `DEADLETTER#REPLY#${replyId}`, sk: "DEADLETTER" }), `${label}: no dead letter`);
    } else {
      assert.equal(ledger.status, "delivered", label);
      assert.equal(accepted, 1, `${label}: delivered means sent once`);
    }
    return ledger.status as "delivered" | "failed";
  }

  describe("an agent's reply sent by the API", () => {
    const intent = (n: number): ReplyIntent => ({ replyId: `agent-reply-${n}`, ticketId: "t0ticket", target: { platform: "telegram", chatId: "5550001" }, text: "We are on it" });
    const window = () => windowBefore(DEADLINE(), { listForOutbox: true, agentMessage: { agent: "agent-ann", platform: "telegram", userId: "5550001" } });

    for (const platformFails of [false, true]) {
      it(`${platformFails ? "platform refuses it" : "platform accepts it"}: killed before or after each store call, the reply still ends sent or failed with a dead letter, once`, async () => {
        const steps: string[] = [];
        const fail = () => (platformFails ? platform.failAlways({ status: 403 }) : platform.clearFailures());
        fail();
        await deliverReply(intent(0), outbound(killable(dynamo.client, undefined, steps)), window());
        assert.ok(steps.length >= (platformFails ? 7 : 4), steps.join(", "));
        let n = 0;
        for (let step = 0; step < steps.length; step++) {
          for (const when of ["before", "after"] as const) {
            n += 1;
            platform.clear();
            fail();
            const label = `${when} ${steps[step]} (#${step})`;
            await assert.rejects(deliverReply(intent(n), outbound(killable(dynamo.client, { step, when }, [])), window()), Killed, label);
            platform.clearFailures();
            if (platformFails) platform.failAlways({ status: 403 });
            await outboxRuns();
            clock = Date.UTC(2026, 10, 22, 9, 0, 0) + n * 100_000;
            const end = await assertSettled(intent(n).replyId, label);
            const messages = (await all()).filter((i) => i.type === "message" && i.replyId === intent(n).replyId);
            if (end !== "none") assert.equal(messages.length, 1, `${label}: the agent's message is on the ticket once`);
            if (platformFails) assert.notEqual(end, "delivered", label);
          }
        }
      });
    }

    it("killed after the platform accepted it but before the outcome was recorded: not resent, settled as outcome unknown", async () => {
      const steps: string[] = [];
      await deliverReply(intent(100), outbound(killable(dynamo.client, undefined, steps)), window());
      const markDelivered = steps.findIndex((s, i) => i > 0 && s.startsWith("Update REPLY#") && steps.slice(0, i).filter((x) => x.startsWith("Update REPLY#")).length === 2);
      platform.clear();
      await assert.rejects(deliverReply(intent(101), outbound(killable(dynamo.client, { step: markDelivered, when: "before" }, [])), window()), Killed);
      assert.equal(platform.accepted().length, 1, "the platform has it");
      await outboxRuns();
      assert.equal(platform.accepted().length, 1, "and gets it once");
      const ledger = await get(ledgerKey(intent(101).replyId));
      assert.equal(ledger?.status, "failed");
      assert.equal(ledger?.reason, OUTCOME_UNKNOWN);
    });

    it("with no time left to send, leaves the claim for the outbox, which sends it once the lease is over", async () => {
      const tight = { ...window(), sendUntil: clock + MIN_SEND_MS - 1 };
      assert.deepEqual(await deliverReply(intent(200), outbound(dynamo.client), tight), { status: "pending" });
      assert.equal(platform.received.length, 0);
      const listed = await get(ledgerKey(intent(200).replyId));
      assert.equal(listed?.gsi1pk, "OUTBOX#pending");
      await outboxRuns();
      assert.equal(await assertSettled(intent(200).replyId, "pending"), "delivered");
    });
  });

  describe("a reply the webhooks queued, sent by the outbox function", () => {
    it("killed before or after each store call of the outbox run, the next runs settle it: sent once, or failed with a dead letter", async () => {
      const store = (name: string) => new DynamoStore(dynamo.client, name, 48);
      const queue = (n: number) => store(table).enqueueReply({ deliveryKey: `slack:event:EvKilled${n}`, platform: "slack", address: "D0001", text: "Ticket opened" }, clock);
      const replyIdOf = (n: number) => fromStoredIntent({ deliveryKey: `slack:event:EvKilled${n}`, platform: "slack", address: "D0001", text: "" }).replyId;
      const run = (client: DynamoDBDocumentClient) =>
        processOutbox({ documents: client, tableName: table, outbound: outbound(client), logger: createLogger({}, () => undefined) }, 25, () => windowBefore(DEADLINE()));
      await queue(0);
      const steps: string[] = [];
      await run(killable(dynamo.client, undefined, steps));
      assert.ok(steps.length >= 5, steps.join(", "));
      let n = 0;
      for (let step = 0; step < steps.length; step++) {
        for (const when of ["before", "after"] as const) {
          n += 1;
          platform.clear();
          await queue(n);
          const label = `${when} ${steps[step]} (#${step})`;
          await assert.rejects(run(killable(dynamo.client, { step, when }, [])), Killed, label);
          await outboxRuns();
          clock = Date.UTC(2026, 10, 22, 9, 0, 0) + n * 100_000;
          await assertSettled(replyIdOf(n), label);
          const outboxItem = await get(KEYS.reply(`slack:event:EvKilled${n}`));
          assert.notEqual(outboxItem?.status, "pending", `${label}: the queued reply was settled`);
        }
      }
    });
  });
});
