/**
 * One local HTTP server standing in for the platforms' send APIs (Telegram Bot API, Discord REST,
 * Slack Web API, Meta Graph API for WhatsApp and Messenger). It records every request it receives,
 * answers like the real API, and fails on demand (5xx, or 429 with Retry-After) for tests and the
 * local stack. Base URLs to configure: see `baseUrls`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

export type StandInPlatform = "telegram" | "discord" | "discord-dm" | "discord-followup" | "slack" | "slack-response" | "whatsapp" | "messenger";

export interface ReceivedRequest {
  readonly platform: StandInPlatform;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** Whether the stand-in accepted (sent) it, or answered with a scripted failure. */
  readonly accepted: boolean;
}

export interface ScriptedFailure {
  readonly status: number;
  /** Retry-After header value in seconds (429). */
  readonly retryAfterSeconds?: number;
  /** Answer 200 with `{ok:false}` (Slack/Telegram style logical failure) instead of an HTTP error. */
  readonly okFalse?: boolean;
}

export interface PlatformStandIn {
  readonly endpoint: string;
  /** Base URLs for runtime/outbound (PlatformBaseUrls). */
  readonly baseUrls: { telegram: string; discord: string; slack: string; meta: string };
  readonly received: readonly ReceivedRequest[];
  /** Accepted (delivered) requests only. */
  accepted(): ReceivedRequest[];
  /** The next `count` requests (any platform) get this failure. */
  failNext(count: number, failure: ScriptedFailure): void;
  /** Every request fails until `clearFailures()`. */
  failAlways(failure: ScriptedFailure): void;
  clearFailures(): void;
  clear(): void;
  stop(): Promise<void>;
}

const ROUTES: readonly { platform: StandInPlatform; method: "POST" | "PATCH"; pattern: RegExp }[] = [
  { platform: "telegram", method: "POST", pattern: /^\/telegram\/bot[^/]+\/sendMessage$/ },
  { platform: "discord", method: "POST", pattern: /^\/discord\/channels\/\d+\/messages$/ },
  { platform: "discord-dm", method: "POST", pattern: /^\/discord\/users\/@me\/channels$/ },
  // Edit Original Interaction Response: the answer to a deferred interaction.
  { platform: "discord-followup", method: "PATCH", pattern: /^\/discord\/webhooks\/\d+\/[^/]+\/messages\/@original$/ },
  { platform: "slack", method: "POST", pattern: /^\/slack\/chat\.postMessage$/ },
  // A slash command's response_url (Slack's is https://hooks.slack.com/commands/…): `npm run send` points commands here.
  { platform: "slack-response", method: "POST", pattern: /^\/slack\/response\/[\w/.-]+$/ },
  { platform: "whatsapp", method: "POST", pattern: /^\/meta\/\d+\/messages$/ },
  { platform: "messenger", method: "POST", pattern: /^\/meta\/me\/messages$/ },
];

export async function startPlatformStandIn(port = 0): Promise<PlatformStandIn> {
  const received: ReceivedRequest[] = [];
  const queued: ScriptedFailure[] = [];
  let always: ScriptedFailure | undefined;
  let counter = 0;

  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const path = new URL(req.url ?? "/", "http://local").pathname;
      const route = ROUTES.find((candidate) => candidate.pattern.test(path));
      if (!route || req.method !== route.method) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
        return;
      }
      const failure = queued.shift() ?? always;
      const body = parseJson(raw);
      received.push({ platform: route.platform, method: req.method, path: redactPath(path), headers: req.headers, body, accepted: failure === undefined });
      if (failure) return answerFailure(res, failure);
      counter += 1;
      answerSuccess(res, route.platform, counter);
    });
  });
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    baseUrls: { telegram: `${endpoint}/telegram`, discord: `${endpoint}/discord`, slack: `${endpoint}/slack`, meta: `${endpoint}/meta` },
    received,
    accepted: () => received.filter((request) => request.accepted),
    failNext(count, failure) {
      for (let i = 0; i < count; i += 1) queued.push(failure);
    },
    failAlways(failure) {
      always = failure;
    },
    clearFailures() {
      queued.length = 0;
      always = undefined;
    },
    clear() {
      received.length = 0;
    },
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** Telegram's token and an interaction token sit in the path; the stand-in keeps the shape but not the token. */
function redactPath(path: string): string {
  return path.replace(/\/bot[^/]+\//, "/bot<token>/").replace(/^(\/discord\/webhooks\/\d+\/)[^/]+/, "$1<token>");
}

function answerFailure(res: ServerResponse, failure: ScriptedFailure): void {
  if (failure.okFalse) {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: "channel_not_found" }));
    return;
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (failure.retryAfterSeconds !== undefined) headers["retry-after"] = String(failure.retryAfterSeconds);
  res.writeHead(failure.status, headers).end(JSON.stringify({ ok: false, error: "scripted failure" }));
}

function answerSuccess(res: ServerResponse, platform: StandInPlatform, n: number): void {
  const bodies: Record<StandInPlatform, unknown> = {
    telegram: { ok: true, result: { message_id: n } },
    discord: { id: String(1_000_000 + n) },
    "discord-dm": { id: String(9_000_000 + n), type: 1 },
    "discord-followup": { id: String(2_000_000 + n), type: 0 },
    "slack-response": { ok: true },
    slack: { ok: true, ts: `1700000000.${String(n).padStart(6, "0")}` },
    whatsapp: { messaging_product: "whatsapp", messages: [{ id: `wamid.${n}` }] },
    messenger: { recipient_id: "1", message_id: `m_${n}` },
  };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(bodies[platform]));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
    req.on("error", fail);
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
