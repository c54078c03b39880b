/**
 * Load: the local stack (started in-process on loopback, fresh data under .tmp/) under a fixed
 * concurrency for a fixed time, with correctly signed webhooks from all four platforms — unique
 * deliveries, redeliveries of earlier ones, and different deliveries of the same users at once
 * (a shared pool of users every worker writes to, as Telegram's 40 connections per bot and Meta's
 * unordered batches deliver them) — then a store check that every accepted message is stored
 * exactly once and that no ticket or message is an orphan. Baseline, measured in the same run:
 * GET /health at the same concurrency (the floor of node:http + API Gateway event mapping + the
 * shared HTTP layer, no store).
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { ENV } from "../../../runtime/env";
import { SLACK_RETRY_HEADER } from "../../../runtime/platforms/slack";
import { startLocalStack } from "../../local/localStack";
import { type Platform, platformRequest, type SignedRequest, signingKeys } from "../../send/platformRequest";
import { type BenchSuite, percentile } from "../line";
import { progress } from "../progress";

const CONCURRENCY = 16;
const WEBHOOK_SECONDS = 30;
const HEALTH_SECONDS = 10;
/** Every DUPLICATE_EVERY-th request redelivers the worker's previous one (a platform retry). */
const DUPLICATE_EVERY = 8;
/** Users per platform per worker: a worker's own users. */
const USERS_PER_PLATFORM = 2;
/** Every SHARED_EVERY-th request goes to a user of the shared pool instead, racing the other workers' requests for that user. */
const SHARED_EVERY = 3;
/** Users per platform in the shared pool. */
const SHARED_USERS = 3;

interface RunResult {
  readonly latenciesMs: number[];
  readonly errors: number;
  readonly seconds: number;
}

/** Runs `next` on CONCURRENCY workers until `seconds` have passed; each request's latency is kept. */
async function drive(seconds: number, next: (worker: number) => { url: string; init: RequestInit; ok?: () => void }): Promise<RunResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (performance.now() < deadline) {
        const { url, init, ok } = next(worker);
        const t0 = performance.now();
        try {
          const response = await fetch(url, init);
          await response.arrayBuffer();
          latenciesMs.push(performance.now() - t0);
          if (response.status === 200) ok?.();
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latenciesMs, errors, seconds: (performance.now() - started) / 1000 };
}

/** `worker` = CONCURRENCY names the shared pool. */
function userId(platform: Platform, worker: number, index: number): string {
  const n = worker * USERS_PER_PLATFORM + index;
  switch (platform) {
    case "telegram":
      return String(700_000_000 + n);
    case "discord":
      return String(910_000_000_000_000_000n + BigInt(n));
    case "slack":
      return `ULOAD${n}`;
    case "meta":
      return String(15_550_000_000 + n);
  }
}

const PLATFORMS: readonly Platform[] = ["telegram", "discord", "slack", "meta"];

const load: BenchSuite = async (emit) => {
  const dataDir = join(__dirname, "..", "..", "..", ".tmp", `bench-load-${randomUUID()}`);
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    fresh: true,
    environment: { [ENV.botRateLimitCapacity]: "1000", [ENV.botRateLimitRefillPerMinute]: "1000" },
    logSink: () => undefined,
    exportEveryMs: 0,
  });
  try {
    const keys = signingKeys(stack.settings);

    const health = await drive(HEALTH_SECONDS, () => ({ url: `${stack.url}/health`, init: { method: "GET" } }));

    // Per worker: a round-robin over platforms and its own users; each user's first message opens a
    // ticket (Discord has slash commands only: always /ticket), later ones are mostly plain text.
    // Every SHARED_EVERY-th request goes to a shared user instead (their tickets are opened first,
    // so a plain text always has one to go to), concurrently with the other workers'.
    let delivery = 1_000_000;
    const accepted = new Set<string>();
    /** Markers sent as /ticket <marker>: the only texts that may become a ticket's subject. */
    const subjects = new Set<string>();
    const sent = new Map<number, { request: SignedRequest; marker: string }>();
    const opened = new Set<string>();
    const perWorker = new Map<number, number>();
    let duplicates = 0;
    let shared = 0;
    for (const platform of PLATFORMS) {
      for (let index = 0; index < SHARED_USERS; index++) {
        const marker = `L${++delivery}`;
        const request = platformRequest(platform, `/ticket ${marker}`, keys, { user: userId(platform, CONCURRENCY, index), deliveryId: String(delivery) });
        const response = await fetch(`${stack.url}${request.path}`, { method: "POST", headers: request.headers, body: request.body });
        if (response.status !== 200) throw new Error(`opening a shared user's ticket: ${response.status}`);
        accepted.add(marker);
        subjects.add(marker);
      }
    }
    const webhooks = await drive(WEBHOOK_SECONDS, (worker) => {
      const n = (perWorker.get(worker) ?? 0) + 1;
      perWorker.set(worker, n);
      const previous = sent.get(worker);
      let request: SignedRequest;
      let marker: string;
      let redelivery = false;
      if (previous !== undefined && n % DUPLICATE_EVERY === 0) {
        ({ request, marker } = previous);
        redelivery = true;
        duplicates++;
      } else {
        const platform = PLATFORMS[n % PLATFORMS.length] as Platform;
        const toShared = n % SHARED_EVERY === 0;
        const user = toShared ? userId(platform, CONCURRENCY, (n + worker) % SHARED_USERS) : userId(platform, worker, Math.floor(n / PLATFORMS.length) % USERS_PER_PLATFORM);
        if (toShared) shared++;
        const id = String(++delivery);
        marker = `L${id}`;
        const first = !toShared && !opened.has(`${platform}:${user}`);
        opened.add(`${platform}:${user}`);
        const command = platform === "discord" || first || n % 4 === 1;
        if (command) subjects.add(marker);
        request = platformRequest(platform, command ? `/ticket ${marker}` : marker, keys, { user, deliveryId: id });
        sent.set(worker, { request, marker });
      }
      const headers = redelivery && request.path.endsWith("/slack") ? { ...request.headers, [SLACK_RETRY_HEADER]: "1" } : request.headers;
      return { url: `${stack.url}${request.path}`, init: { method: "POST", headers, body: request.body }, ok: () => accepted.add(marker) };
    });

    // Exactly once: every accepted delivery's marker is in exactly one item (its ticket's subject or
    // its message's text). A Scan, because the check must also see copies where none belong; this
    // is the bench's verification, never a request path.
    const documents = DynamoDBDocumentClient.from(stack.dynamo.client);
    const stored = new Map<string, number>();
    const ticketIds = new Set<string>();
    const messageTickets: string[] = [];
    let orphans = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: stack.dynamo.tableName, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const marker = item.type === "ticket" ? item.subject : item.type === "message" ? item.text : undefined;
        if (typeof marker === "string" && /^L\d+$/.test(marker)) stored.set(marker, (stored.get(marker) ?? 0) + 1);
        if (item.type === "ticket") {
          ticketIds.add(String(item.id));
          // A ticket whose subject is a plain text: opened by a decision that should have appended it.
          if (!subjects.has(String(item.subject))) orphans++;
        }
        if (item.type === "message" && item.author === "user") messageTickets.push(String(item.ticketId));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    // A message on a ticket that was never written.
    orphans += messageTickets.filter((id) => !ticketIds.has(id)).length;
    const storedOnce = [...accepted].filter((marker) => stored.get(marker) === 1).length;
    const copies = [...stored.values()].filter((count) => count > 1).length;

    const rate = (r: RunResult) => r.latenciesMs.length / r.seconds;
    emit({ bench: "load", metric: "webhook_requests_per_s", value: rate(webhooks), unit: "req/s", baseline: rate(health) });
    emit({ bench: "load", metric: "webhook_latency_p50", value: percentile(webhooks.latenciesMs, 50), unit: "ms", baseline: percentile(health.latenciesMs, 50) });
    emit({ bench: "load", metric: "webhook_latency_p99", value: percentile(webhooks.latenciesMs, 99), unit: "ms", baseline: percentile(health.latenciesMs, 99) });
    emit({ bench: "load", metric: "errors", value: webhooks.errors + health.errors, unit: "requests", baseline: null });
    emit({ bench: "load", metric: "redeliveries_answered", value: duplicates, unit: "requests", baseline: null });
    emit({ bench: "load", metric: "accepted_stored_exactly_once", value: storedOnce, unit: "messages", baseline: accepted.size });
    emit({ bench: "load", metric: "stored_more_than_once", value: copies, unit: "messages", baseline: null });
    emit({ bench: "load", metric: "orphan_tickets_or_messages", value: orphans, unit: "items", baseline: null });
    emit({ bench: "load", metric: "requests_to_shared_users", value: shared, unit: "requests", baseline: null });
    progress.note(`load: ${webhooks.latenciesMs.length} webhook requests (${duplicates} redeliveries) at concurrency ${CONCURRENCY} in ${webhooks.seconds.toFixed(1)} s; health ${health.latenciesMs.length} in ${health.seconds.toFixed(1)} s`);
    if (webhooks.errors + health.errors > 0 || storedOnce !== accepted.size || copies > 0 || orphans > 0) {
      throw new Error(
        `load check failed: ${webhooks.errors + health.errors} errors, ${accepted.size - storedOnce} accepted messages not stored exactly once, ${copies} stored more than once, ${orphans} orphans`,
      );
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default load;
