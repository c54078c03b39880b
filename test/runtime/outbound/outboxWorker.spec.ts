import { strict as assert } from "node:assert";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { createLogger } from "../../../runtime/adapters/logger";
import { DynamoStore, KEYS } from "../../../runtime/adapters/store";
import { StoreDeadLetters } from "../../../runtime/outbound/deadLetters";
import { DeliveryLedger } from "../../../runtime/outbound/deliveryLedger";
import { processOutbox, type OutboxDependencies } from "../../../runtime/outbound/outboxWorker";
import { startPlatformStandIn, type PlatformStandIn } from "../../../tools/local/platformStandIn";
import { startDynalite, type LocalDynamo } from "../support/dynalite";

const TABLE = "botfleet-outbox";

describe("outbox worker (replies queued by the webhooks)", () => {
  let dynamo: LocalDynamo;
  let platform: PlatformStandIn;
  let store: DynamoStore;
  let deps: OutboxDependencies;

  before(async () => {
    [dynamo, platform] = await Promise.all([startDynalite(), startPlatformStandIn()]);
    await dynamo.createTable(TABLE);
    store = new DynamoStore(dynamo.client, TABLE, 48);
    deps = {
      documents: dynamo.client,
      tableName: TABLE,
      logger: createLogger({}, () => undefined),
      outbound: {
        ledger: new DeliveryLedger(dynamo.client, TABLE),
        deadLetters: new StoreDeadLetters(dynamo.client, TABLE),
        credential: () => Promise.resolve("token"),
        recordFailure: () => Promise.resolve(),
        recordAgentMessage: () => Promise.resolve(),
        baseUrls: platform.baseUrls,
        policy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 100 },
        send: { fetch, sleep: () => Promise.resolve(), random: () => 0, now: Date.now, timeoutMs: 2000 },
      },
    };
  });
  after(async () => {
    await platform.stop();
    await dynamo.close();
  });

  it("sends each queued reply once, settles it, and dead-letters what fails", async () => {
    const now = Date.now();
    await store.enqueueReply({ deliveryKey: "slack:Ev1", platform: "slack", address: "C0001", text: "Ticket created" }, now);
    await store.enqueueReply({ deliveryKey: "meta:wamid.1", platform: "meta", address: "whatsapp:1098:4915", text: "Ticket created" }, now + 1);
    await store.enqueueReply({ deliveryKey: "meta:mid.2", platform: "meta", address: "messenger:55:777", text: "Ticket created" }, now + 2);
    platform.failNext(2, { status: 500 }); // the first reply (Slack) fails both attempts
    assert.deepEqual(await processOutbox(deps), { delivered: 2, failed: 1, duplicates: 0, pending: 0 });
    assert.deepEqual(platform.accepted().map((r) => r.platform), ["whatsapp", "messenger"]);
    const slack = await dynamo.client.send(new GetCommand({ TableName: TABLE, Key: KEYS.reply("slack:Ev1") }));
    assert.equal(slack.Item?.status, "failed");
    assert.equal(slack.Item?.gsi1pk, undefined, "out of the pending index");
    assert.deepEqual(await processOutbox(deps), { delivered: 0, failed: 0, duplicates: 0, pending: 0 }, "nothing left pending");
    assert.equal(platform.accepted().length, 2);
  });
});
