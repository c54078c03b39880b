/**
 * Webhook latency against an embedded DynamoDB (dynalite, in process, loopback), beside the floor:
 * the same store calls the handler makes, through the same DynamoDB client and store adapter, with
 * no handler around them (no HTTP layer, verification, parsing or domain). Measured interleaved in
 * the same run so both see the same machine state. Also counts store round trips per webhook (the
 * median over the measured iterations), for a /ticket command and for a plain message appended to
 * an open ticket (the fast path). The Discord handler runs as deployed: with deferral, so every
 * interaction races its answer against the 2 s hand-off timer (it is never late here, so nothing
 * is handed off; the race itself is what is measured). overhead_p50 is p50(handler) − p50(floor);
 * overhead_paired_p50 the median of the per-iteration differences, less moved by machine noise.
 */
import { performance } from "node:perf_hooks";
import type { BotDeps } from "../../../runtime/app/deps";
import { DeferredInteractions } from "../../../runtime/adapters/deferred";
import { createLogger } from "../../../runtime/adapters/logger";
import { cachedSecretSource } from "../../../runtime/adapters/secrets";
import { DynamoStore } from "../../../runtime/adapters/store";
import { newUserState } from "../../../runtime/domain/conversation";
import { deliveryHash } from "../../../runtime/domain/deliveryMemory";
import { newSalt } from "../../../runtime/domain/ids";
import type { Ticket, UserKey, UserState } from "../../../runtime/domain/types";
import { createDiscordHandler } from "../../../runtime/handlers/discord";
import { createTelegramHandler } from "../../../runtime/handlers/telegram";
import type { HttpResult } from "../../../runtime/http/event";
import { parseSettings } from "../../../runtime/settings";
import { startDynalite } from "../../../test/runtime/support/dynalite";
import { discordHeaders, discordKeys, httpEvent, SECRETS, telegramHeaders } from "../../../test/runtime/support/events";
import { type BenchSuite, percentile } from "../line";

const WARMUP = 50;
/**
 * Measured requests per case. With 300, the Discord overhead_p50 ranged 0.67–1.23 ms over six runs
 * of one build while its paired median stayed at 0.70–0.88 (the handler's and the floor's p50s fall
 * on different requests while the machine drifts); a p50's sampling error shrinks as 1/√n, to two
 * thirds with 700. USERS grows with it, so each user's state holds about as many tickets as before.
 */
const ITERATIONS = 700;
const USERS = 40;
/** Whole-suite budget: stops measuring early rather than run long on a loaded machine. */
const BUDGET_MS = 90_000;

/** A Discord snowflake per bench user (BigInt: 9e17 + u as a double would round users together). */
const discordUser = (user: number) => String(900_000_000_000_000_000n + BigInt(user));

/**
 * The median of each iteration's handler time minus its floor's, measured back to back: the same
 * overhead as overhead_p50 (p50 of the handler minus p50 of the floor), estimated per pair, so a
 * slow stretch of the machine weighs on both sides of a difference instead of shifting one p50.
 */
function pairedOverhead(handler: readonly number[], floor: readonly number[]): number {
  return percentile(
    handler.map((h, i) => h - (floor[i] ?? Number.NaN)),
    50,
  );
}

const suite: BenchSuite = async (emit) => {
  const started = performance.now();
  const db = await startDynalite();
  try {
    const tableName = "botfleet-bench";
    await db.createTable(tableName);
    const keys = discordKeys();
    const settings = { ...parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_TABLE: tableName }), rateLimit: { capacity: 100_000, refillPerMinute: 100_000 }, ticketOpensPerHour: 1000 };
    const store = new DynamoStore(db.client, tableName, settings.dedupeTtlHours);
    const deps: BotDeps = {
      settings,
      store,
      clock: Date.now,
      logger: createLogger({}, () => undefined),
      // As deployed: each secret fetched once per cold start and cached (the fetch stands in for
      // Secrets Manager; the first request pays it during warm-up). The local-mode source re-reads
      // the environment on every request instead, which no deployed function does.
      secrets: cachedSecretSource({ telegram: "arn:bench:telegram", discord: "arn:bench:discord" }, (arn) =>
        Promise.resolve(
          arn === "arn:bench:telegram"
            ? JSON.stringify({ webhookSecret: SECRETS.telegram, botToken: "bench" })
            : JSON.stringify({ publicKey: keys.publicKeyHex, applicationId: "1308000000000000000", botToken: "bench" }),
        ),
      ),
    };
    const telegram = createTelegramHandler(deps);
    const discord = createDiscordHandler(deps, { deferrals: new DeferredInteractions(db.client, tableName) });

    let updateId = 1;
    let interactionId = 1308000000000000000n;
    const telegramTicket = (user: number) => {
      const id = updateId++;
      const body = JSON.stringify({ update_id: id, message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: user, type: "private" }, from: { id: user, is_bot: false }, text: `/ticket Bench ticket ${id}` } });
      return httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders(), body });
    };
    const telegramText = (user: number) => {
      const id = updateId++;
      const body = JSON.stringify({ update_id: id, message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: user, type: "private" }, from: { id: user, is_bot: false }, text: `plain message ${id}` } });
      return httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders(), body });
    };
    const discordTicket = (user: number) => {
      // A subject of its own: a repeated /ticket with the same subject would reuse the open ticket.
      const id = String(interactionId++);
      const body = JSON.stringify({ id, type: 2, token: "t", member: { user: { id: discordUser(user) } }, data: { name: "ticket", options: [{ name: "subject", type: 3, value: `Bench ${id}` }] } });
      return httpEvent({ method: "POST", path: "/webhooks/discord", headers: discordHeaders(body, keys, Math.floor(Date.now() / 1000)), body });
    };

    // The floor of a /ticket delivery for a known user: read the state, commit it with the delivery
    // and the ticket as its intent, write the ticket, clear the intent.
    let floorTicket = 0;
    const floorTicketCalls = async (user: UserKey) => {
      const before = (await store.loadUser(user)) ?? newUserState(newSalt(), Date.now(), settings);
      const now = Date.now();
      const ticket: Ticket = { id: `floor${String(floorTicket++).padStart(21, "0")}`, owner: user, subject: "Bench", status: "open", createdAt: now, updatedAt: now };
      const delivery = deliveryHash(`floor:${floorTicket}`);
      // Same state as the handler's: the delivery recorded with its answer, the ticket as the intent.
      const answer = { kind: "text" as const, text: `Ticket ${ticket.id} opened: Bench\nWrite your messages here; /close ${ticket.id} when done.`, private: false };
      const after: UserState = {
        ...before,
        openTicketId: ticket.id,
        lastOpened: { id: ticket.id, subject: "Bench", at: now },
        handled: { ...before.handled, [delivery]: { at: now, answer } },
        intent: { delivery, effects: [{ type: "createTicket", ticket }] },
      };
      if (!(await store.commitUser(user, { before, after, delivery, now }))) throw new Error("floor commit lost");
      await store.createTicket(ticket);
      await store.clearIntent(user, delivery);
    };
    // The floor of a plain message: the claim in the user's state, then the message.
    let floorMessage = 0;
    const floorPlainCalls = async (user: UserKey) => {
      const key = `floor:plain:${floorMessage++}`;
      const now = Date.now();
      const ticketId = await store.claimAppend(user, { delivery: deliveryHash(key), deliveryKey: key, sentAt: now, now });
      if (ticketId === undefined) throw new Error("floor claim refused");
      await store.appendMessage({ ticketId, owner: user, deliveryKey: key, author: "user", text: `plain message ${floorMessage}`, sentAt: now });
    };

    const measure = async (run: () => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await run();
      return performance.now() - t0;
    };
    const ok = (r: HttpResult) => {
      if (r.statusCode !== 200) throw new Error(`handler answered ${r.statusCode}: ${r.body}`);
    };

    const cases = [
      { bench: "webhook.telegram.ticket", platform: "telegram" as const, userId: (u: number) => String(u), event: telegramTicket, handler: telegram },
      { bench: "webhook.discord.ticket", platform: "discord" as const, userId: discordUser, event: discordTicket, handler: discord },
    ];
    for (const c of cases) {
      const handlerTimes: number[] = [];
      const floorTimes: number[] = [];
      const trips: number[] = [];
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        if (i >= WARMUP + 200 && performance.now() - started > BUDGET_MS) break;
        const user = 1000 + (i % USERS);
        const event = c.event(user);
        const callsBefore = db.calls.length;
        const h = await measure(async () => ok(await c.handler(event)));
        const roundTrips = db.calls.length - callsBefore;
        const f = await measure(() => floorTicketCalls({ platform: c.platform, userId: `floor-${c.userId(user)}` }));
        if (i >= WARMUP) {
          handlerTimes.push(h);
          floorTimes.push(f);
          trips.push(roundTrips);
        }
      }
      // The floor makes 4 calls by construction (read state, commit with intent, write ticket, clear intent).
      emit({ bench: c.bench, metric: "store_round_trips", value: percentile(trips, 50), unit: "calls", baseline: 4 });
      const p50 = percentile(handlerTimes, 50);
      const floor50 = percentile(floorTimes, 50);
      emit({ bench: c.bench, metric: "p50", value: p50, unit: "ms", baseline: floor50 });
      emit({ bench: c.bench, metric: "p99", value: percentile(handlerTimes, 99), unit: "ms", baseline: percentile(floorTimes, 99) });
      emit({ bench: c.bench, metric: "overhead_p50", value: p50 - floor50, unit: "ms", baseline: 1 });
      emit({ bench: c.bench, metric: "overhead_paired_p50", value: pairedOverhead(handlerTimes, floorTimes), unit: "ms", baseline: 1 });
      emit({ bench: c.bench, metric: "iterations", value: handlerTimes.length, unit: "count", baseline: null });
    }

    // A plain message appended to an open ticket (the fast path; target: 2 store round trips).
    // Each user (handler's and floor's) opens a ticket first.
    for (let u = 0; u < USERS; u++) {
      ok(await telegram(telegramTicket(2000 + u)));
      await floorTicketCalls({ platform: "telegram", userId: `floor-plain-${u}` });
    }
    const plainTimes: number[] = [];
    const plainFloor: number[] = [];
    const plainTrips: number[] = [];
    const messagesBefore = (await db.items(tableName)).filter((item) => item.type === "message").length;
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      if (i >= WARMUP + 200 && performance.now() - started > BUDGET_MS + 20_000) break;
      const u = i % USERS;
      const event = telegramText(2000 + u);
      const callsBefore = db.calls.length;
      const h = await measure(async () => ok(await telegram(event)));
      const roundTrips = db.calls.length - callsBefore;
      const f = await measure(() => floorPlainCalls({ platform: "telegram", userId: `floor-plain-${u}` }));
      if (i >= WARMUP) {
        plainTimes.push(h);
        plainFloor.push(f);
        plainTrips.push(roundTrips);
      }
    }
    // Make sure the handler really took the append path: every plain message is stored (twice as many with the floor's).
    const appended = (await db.items(tableName)).filter((item) => item.type === "message").length - messagesBefore;
    if (appended !== 2 * (plainTimes.length + WARMUP)) throw new Error(`plain messages: ${appended} stored for ${2 * (plainTimes.length + WARMUP)} sent`);
    const plain50 = percentile(plainTimes, 50);
    const plainFloor50 = percentile(plainFloor, 50);
    emit({ bench: "webhook.telegram.plain_message", metric: "store_round_trips", value: percentile(plainTrips, 50), unit: "calls", baseline: 2 });
    emit({ bench: "webhook.telegram.plain_message", metric: "p50", value: plain50, unit: "ms", baseline: plainFloor50 });
    emit({ bench: "webhook.telegram.plain_message", metric: "p99", value: percentile(plainTimes, 99), unit: "ms", baseline: percentile(plainFloor, 99) });
    emit({ bench: "webhook.telegram.plain_message", metric: "overhead_p50", value: plain50 - plainFloor50, unit: "ms", baseline: 1 });
    emit({ bench: "webhook.telegram.plain_message", metric: "overhead_paired_p50", value: pairedOverhead(plainTimes, plainFloor), unit: "ms", baseline: 1 });
    emit({ bench: "webhook.telegram.plain_message", metric: "iterations", value: plainTimes.length, unit: "count", baseline: null });
  } finally {
    await db.close();
  }
};

export default suite;
