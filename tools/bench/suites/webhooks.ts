/**
 * Webhook latency against an embedded DynamoDB (dynalite, in process, loopback), beside the floor:
 * the same store calls the handler makes, through the same DynamoDB client and store adapter, with
 * no handler around them (no HTTP layer, verification, parsing or domain). Measured interleaved in
 * the same run so both see the same machine state. Also counts store round trips per webhook.
 */
import { performance } from "node:perf_hooks";
import type { BotDeps } from "../../../runtime/app/deps";
import { createLogger } from "../../../runtime/adapters/logger";
import { envSecretSource } from "../../../runtime/adapters/secrets";
import { DynamoStore } from "../../../runtime/adapters/store";
import { MAX_REMEMBERED_DELIVERIES, newUserState } from "../../../runtime/domain/conversation";
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
const ITERATIONS = 300;
const USERS = 20;
/** Whole-suite budget: stops measuring early rather than run long on a loaded machine. */
const BUDGET_MS = 45_000;

const suite: BenchSuite = async (emit) => {
  const started = performance.now();
  const db = await startDynalite();
  try {
    const tableName = "botfleet-bench";
    await db.createTable(tableName);
    const keys = discordKeys();
    const settings = { ...parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_TABLE: tableName }), rateLimit: { capacity: 100_000, refillPerMinute: 100_000 } };
    const store = new DynamoStore(db.client, tableName, settings.dedupeTtlHours);
    const deps: BotDeps = {
      settings,
      store,
      clock: Date.now,
      logger: createLogger({}, () => undefined),
      secrets: envSecretSource({ TELEGRAM_WEBHOOK_SECRET: SECRETS.telegram, DISCORD_PUBLIC_KEY: keys.publicKeyHex }),
    };
    const telegram = createTelegramHandler(deps);
    const discord = createDiscordHandler(deps);

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
      const body = JSON.stringify({ id: String(interactionId++), type: 2, token: "t", member: { user: { id: String(900000000000000000 + user) } }, data: { name: "ticket", options: [{ name: "subject", type: 3, value: "Bench" }] } });
      return httpEvent({ method: "POST", path: "/webhooks/discord", headers: discordHeaders(body, keys, Math.floor(Date.now() / 1000)), body });
    };

    // The floor: the store calls of a /ticket delivery for a known user — read state, write ticket, commit state.
    const floorStates = new Map<string, UserState>();
    let floorTicket = 0;
    const floorTicketCalls = async (user: UserKey) => {
      const key = `${user.platform}#${user.userId}`;
      const loaded = (await store.loadUser(user)) ?? floorStates.get(key) ?? newUserState(newSalt(), Date.now(), settings);
      const now = Date.now();
      const ticket: Ticket = { id: `floor${String(floorTicket++).padStart(21, "0")}`, owner: user, subject: "Bench", status: "open", createdAt: now, updatedAt: now };
      await store.createTicket(ticket);
      // Same state size as the handler's: the newest MAX_REMEMBERED_DELIVERIES deliveries with their answers.
      const kept = Object.entries(loaded.recent).sort(([, a], [, b]) => b.at - a.at).slice(0, MAX_REMEMBERED_DELIVERIES - 1);
      const answer = { kind: "text" as const, text: `Ticket ${ticket.id} opened: Bench\nWrite your messages here; /close ${ticket.id} when done.`, private: false };
      const next = { ...loaded, openTicketId: ticket.id, recent: { ...Object.fromEntries(kept), [`floor:${floorTicket}`]: { answer, at: now } } };
      if (await store.commitUser(user, next, now)) floorStates.set(key, { ...next, version: next.version + 1 });
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
      { bench: "webhook.discord.ticket", platform: "discord" as const, userId: (u: number) => String(900000000000000000 + u), event: discordTicket, handler: discord },
    ];
    for (const c of cases) {
      const handlerTimes: number[] = [];
      const floorTimes: number[] = [];
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
          // The floor makes 3 calls by construction (read state, write ticket, commit state).
          if (i === WARMUP) emit({ bench: c.bench, metric: "store_round_trips", value: roundTrips, unit: "calls", baseline: 3 });
        }
      }
      const p50 = percentile(handlerTimes, 50);
      const floor50 = percentile(floorTimes, 50);
      emit({ bench: c.bench, metric: "p50", value: p50, unit: "ms", baseline: floor50 });
      emit({ bench: c.bench, metric: "p99", value: percentile(handlerTimes, 99), unit: "ms", baseline: percentile(floorTimes, 99) });
      emit({ bench: c.bench, metric: "overhead_p50", value: p50 - floor50, unit: "ms", baseline: 1 });
      emit({ bench: c.bench, metric: "iterations", value: handlerTimes.length, unit: "count", baseline: null });
    }

    // Store round trips for a plain message appended to an open ticket (target: 2).
    const user = 77;
    ok(await telegram(telegramTicket(user)));
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = db.calls.length;
      ok(await telegram(telegramText(user)));
      samples.push(db.calls.length - before);
    }
    emit({ bench: "webhook.telegram.plain_message", metric: "store_round_trips", value: percentile(samples, 50), unit: "calls", baseline: 2 });
  } finally {
    await db.close();
  }
};

export default suite;
