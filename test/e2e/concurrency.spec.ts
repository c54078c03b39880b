import { strict as assert } from "node:assert";
import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { KEYS } from "../../runtime/adapters/store";
import { TEXT } from "../../runtime/domain/conversation";
import { ENV } from "../../runtime/env";
import { type E2eStack, startE2eStack } from "./support/stack";

/**
 * Telegram opens up to 40 connections per bot and Meta gives no ordering: many different deliveries
 * of one user arrive at once. Over real HTTP on the local stack, users on Telegram (answer in the
 * response) and WhatsApp (answer queued) each send a burst of texts racing a guided /ticket, then a
 * burst racing /close and a new /ticket — some requests twice at once. Then, through the store and
 * the agents' API: every text the bot accepted is stored exactly once, every text it answered "no
 * open ticket" to is stored nowhere, every ticket was announced exactly once, no ticket or message
 * is an orphan, and the agents see exactly the stored tickets. Copies are what platforms send: one
 * payload twice; a second case sends copies whose timestamps differ.
 */

type Platform = "telegram" | "meta";
const USERS: readonly { platform: Platform; user: string }[] = [
  { platform: "telegram", user: "610000001" },
  { platform: "telegram", user: "610000002" },
  { platform: "meta", user: "4915550001001" },
  { platform: "meta", user: "4915550001002" },
];
const BURST = 6;
const OPENED = /Ticket (\w{26}) opened/;

describe("local stack end to end: different deliveries of the same users at once", function () {
  let e2e: E2eStack;
  let delivery = 5_000_000;
  before(async () => {
    // Answers unlimited here: with the default bucket, a burst's "no open ticket" answers would be
    // silenced, and this test tells a refused text from an accepted one by its answer.
    e2e = await startE2eStack({ [ENV.botRateLimitCapacity]: "1000", [ENV.botRateLimitRefillPerMinute]: "1000" });
  });
  after(async () => {
    await e2e?.stop();
  });

  /**
   * Sends one delivery (optionally twice at once) and returns the bot's answer text ("" when silent).
   * Copies are one signed payload sent again, byte for byte, as platforms redeliver.
   */
  async function send(platform: Platform, user: string, text: string, copies = 1): Promise<string> {
    const deliveryId = String(++delivery);
    const signed = e2e.sign(platform, text, { user, deliveryId });
    const answers = await Promise.all(Array.from({ length: copies }, () => e2e.sendSigned(signed)));
    for (const answer of answers) assert.equal(answer.status, 200, `${text}: ${answer.status} ${answer.text}`);
    if (platform === "meta") return (await e2e.queuedReply(`meta:wamid.${deliveryId}`)) ?? "";
    const bodies = new Set(answers.map((a) => a.text));
    assert.equal(bodies.size, 1, "copies of a delivery are answered the same");
    const body = answers[0]?.text ?? "";
    return body === "" ? "" : String(answers[0]?.json<{ text: string }>().text);
  }

  /** The store, read whole (a Scan: these checks must also see copies and orphans where none belong). */
  async function scanAll(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await e2e.documents.send(new ScanCommand({ TableName: e2e.stack.dynamo.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  it("stores every accepted text exactly once, with no orphan ticket and no stale answer", async () => {
    const accepted = new Set<string>();
    const refused = new Set<string>();
    const announced: string[] = [];
    const record = (marker: string, answer: string) => {
      const opened = OPENED.exec(answer);
      if (opened !== null) announced.push(opened[1] as string);
      if (answer === TEXT.noOpenTicket) refused.add(marker);
      else accepted.add(marker);
    };

    // Phase 1: a guided /ticket asks for the subject; then texts race a second /ticket.
    for (const { platform, user } of USERS) assert.equal(await send(platform, user, "/ticket"), TEXT.askSubject);
    await Promise.all(
      USERS.flatMap(({ platform, user }) => [
        ...Array.from({ length: BURST }, (_, i) => {
          const marker = `A${user}-${i}`;
          return send(platform, user, marker, i % 3 === 0 ? 2 : 1).then((answer) => record(marker, answer));
        }),
        send(platform, user, `/ticket B${user}`).then((answer) => record(`B${user}`, answer)),
      ]),
    );

    // Phase 2: texts race closing the open ticket and opening another.
    const open = async (platform: Platform, user: string) => {
      const key = KEYS.user({ platform, userId: platform === "meta" ? `wa:${user}` : user });
      const state = await e2e.documents.send(new GetCommand({ TableName: e2e.stack.dynamo.tableName, Key: key, ConsistentRead: true }));
      return state.Item?.openTicketId as string | undefined;
    };
    await Promise.all(
      USERS.map(async ({ platform, user }) => {
        const ticket = await open(platform, user);
        assert.ok(ticket, "the user has an open ticket");
        await Promise.all([
          ...Array.from({ length: BURST }, (_, i) => {
            const marker = `C${user}-${i}`;
            return send(platform, user, marker, i % 4 === 0 ? 2 : 1).then((answer) => record(marker, answer));
          }),
          send(platform, user, `/close ${ticket}`),
          send(platform, user, `/ticket D${user}`).then((answer) => record(`D${user}`, answer)),
        ]);
      }),
    );

    const items = await scanAll();
    const tickets = items.filter((i) => i.type === "ticket");
    const messages = items.filter((i) => i.type === "message" && i.author === "user");
    const stored = new Map<string, number>();
    for (const text of [...tickets.map((t) => String(t.subject)), ...messages.map((m) => String(m.text))]) stored.set(text, (stored.get(text) ?? 0) + 1);

    for (const marker of accepted) assert.equal(stored.get(marker), 1, `accepted text ${marker} stored ${stored.get(marker) ?? 0} times`);
    for (const marker of refused) assert.equal(stored.get(marker), undefined, `${marker} was answered "no open ticket" but stored`);
    assert.ok(accepted.size >= USERS.length * (BURST + 2), "the bursts were accepted");

    // No orphan: every ticket announced exactly once, every message on a ticket that exists.
    const ids = tickets.map((t) => String(t.id)).sort();
    assert.deepEqual([...announced].sort(), ids, "each stored ticket was announced once, and each announced ticket is stored");
    for (const m of messages) assert.ok(ids.includes(String(m.ticketId)), `message ${String(m.text)} on a ticket that does not exist`);

    // The agents' list shows exactly the stored tickets (open and closed).
    const headers = { authorization: `Bearer ${await e2e.token("viewer")}` };
    const listed: string[] = [];
    for (const status of ["open", "closed"]) {
      const page = await e2e.request("GET", `/api/tickets?status=${status}&limit=100`, { headers });
      assert.equal(page.status, 200, page.text);
      listed.push(...page.json<{ tickets: { id: string }[] }>().tickets.map((t) => t.id));
    }
    assert.deepEqual(listed.sort(), ids);
  });

  it("copies of one delivery carrying timestamps in different seconds still store each text once, with the first claimer's", async () => {
    // A Messenger event without its own timestamp takes its batch's `time`, and a redelivered event
    // may come in another batch: copies of one delivery need not carry the same sentAt. Here each
    // copy is built apart, 1.5 s later than the one before (so they straddle a second), all at once.
    const users = [
      { platform: "telegram" as const, user: "610000009" },
      { platform: "meta" as const, user: "4915550001009" },
    ];
    for (const { platform, user } of users) {
      assert.match(await send(platform, user, "/ticket Skewed"), OPENED);
    }
    const base = Math.floor(Date.now() / 1000) * 1000 + 800;
    const sent: { platform: Platform; marker: string; seconds: number[] }[] = [];
    await Promise.all(
      users.flatMap(({ platform, user }) =>
        Array.from({ length: 4 }, async (_, i) => {
          const deliveryId = String(++delivery);
          const marker = `S${user}-${i}`;
          const times = [base, base + 1_500, base + 3_000];
          sent.push({ platform, marker, seconds: times.map((t) => Math.floor(t / 1000) * 1000) });
          const answers = await Promise.all(times.map((now) => e2e.send(platform, marker, { user, deliveryId, now })));
          for (const answer of answers) assert.equal(answer.status, 200, `${marker}: ${answer.status} ${answer.text}`);
        }),
      ),
    );
    const messages = (await scanAll()).filter((i) => i.type === "message" && i.author === "user");
    for (const { marker, seconds } of sent) {
      const stored = messages.filter((m) => m.text === marker);
      assert.equal(stored.length, 1, `${marker} stored ${stored.length} times`);
      assert.ok(seconds.includes(Number(stored[0]?.sentAt)), `${marker} carries the sentAt of one of its copies`);
    }
  });
});
