import { strict as assert } from "node:assert";
import { createHash, createHmac } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type ApiDeps } from "../../../runtime/api/deps";
import { apiDepsFromEnv } from "../../../runtime/api/depsFromEnv";
import { createLogger } from "../../../runtime/adapters/logger";
import { DynamoStore } from "../../../runtime/adapters/store";
import { newSalt, ticketIdFor } from "../../../runtime/domain/ids";
import { type Ticket } from "../../../runtime/domain/types";
import { createApiHandler } from "../../../runtime/handlers/api";
import { exportDepsFromEnv, handleExportEvent } from "../../../runtime/handlers/export";
import { type HttpResult } from "../../../runtime/http/event";
import { startGcsServer, type GcsServer } from "../../../tools/local/gcsServer";
import { startPlatformStandIn, type PlatformStandIn } from "../../../tools/local/platformStandIn";
import { createTestIssuer, type TestIssuer } from "../../support/jwt";
import { startDynalite, type LocalDynamo } from "../support/dynalite";
import { httpEvent, SECRETS } from "../support/events";

const TABLE = "botfleet-api-test";
const today = () => new Date().toISOString().slice(0, 10);

describe("agents' API", () => {
  let dynamo: LocalDynamo;
  let gcs: GcsServer;
  let platform: PlatformStandIn;
  let issuer: TestIssuer;
  let env: Record<string, string>;
  let deps: ApiDeps;
  let store: DynamoStore;
  let call: (options: { method: string; path: string; role?: string[] | null; token?: string; body?: unknown; query?: string; headers?: Record<string, string>; remainingMs?: number }) => Promise<HttpResult & { json: Record<string, unknown> }>;
  const tickets: Ticket[] = [];

  before(async () => {
    [dynamo, gcs, platform, issuer] = await Promise.all([startDynalite(), startGcsServer(), startPlatformStandIn(), createTestIssuer()]);
    await dynamo.createTable(TABLE);
    env = {
      BOTFLEET_MODE: "local",
      BOTFLEET_TABLE: TABLE,
      BOTFLEET_DYNAMODB_ENDPOINT: dynamo.endpoint,
      BOTFLEET_AUDIT_TTL_DAYS: "30",
      BOTFLEET_ARCHIVE_BUCKET: "botfleet-archive",
      BOTFLEET_GCS_ENDPOINT: gcs.endpoint,
      BOTFLEET_TELEGRAM_API_URL: platform.baseUrls.telegram,
      BOTFLEET_DISCORD_API_URL: platform.baseUrls.discord,
      BOTFLEET_SLACK_API_URL: platform.baseUrls.slack,
      BOTFLEET_META_GRAPH_API_URL: platform.baseUrls.meta,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      AUTH_JWKS: JSON.stringify(issuer.jwks),
      TELEGRAM_WEBHOOK_SECRET: SECRETS.telegram,
      TELEGRAM_BOT_TOKEN: "123:telegram-bot-token",
      SLACK_SIGNING_SECRET: SECRETS.slack,
      SLACK_BOT_TOKEN: "xoxb-test",
      DISCORD_PUBLIC_KEY: "ab".repeat(32),
      DISCORD_BOT_TOKEN: "discord-bot-token",
      META_APP_SECRET: SECRETS.metaApp,
      META_VERIFY_TOKEN: SECRETS.metaVerify,
      META_ACCESS_TOKEN: "meta-page-token",
    };
    const built = await apiDepsFromEnv(env, createLogger({}, () => undefined));
    // Fast retries: the schedule of delays itself is covered by the outbound specs.
    deps = { ...built, outbound: { ...built.outbound, policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 } } };
    store = new DynamoStore(dynamo.client, TABLE, 48);
    const handler = createApiHandler(deps);
    call = async ({ method, path, role = ["admin"], token, body, query, headers = {}, remainingMs }) => {
      const authorization = token ?? (role === null ? undefined : `Bearer ${await issuer.mint({ sub: "agent-ann", roles: role })}`);
      const result = await handler(
        httpEvent({
          method,
          path,
          query,
          headers: { ...(authorization ? { authorization } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
          body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        }),
        remainingMs === undefined ? undefined : { getRemainingTimeInMillis: () => remainingMs },
      );
      return { ...result, json: result.isBase64Encoded ? {} : (JSON.parse(result.body || "{}") as Record<string, unknown>) };
    };
    const salt = newSalt();
    const base = Date.now() - 60_000;
    const owners = [
      { platform: "telegram", userId: "4242" },
      { platform: "slack", userId: "T01:U0SLACK" },
      { platform: "telegram", userId: "4343" },
      { platform: "meta", userId: "ms:777000" },
      { platform: "discord", userId: "80351110224678912" },
    ] as const;
    for (const [n, owner] of owners.entries()) {
      const ticket: Ticket = { id: ticketIdFor(salt, `seed:${n}`), owner, subject: `Subject ${n}`, status: "open", createdAt: base + n * 1000, updatedAt: base + n * 1000 };
      await store.createTicket(ticket);
      await store.appendMessage({ ticketId: ticket.id, owner, deliveryKey: `seed:${n}:m`, author: "user", text: `help ${n}`, sentAt: base + n * 1000 + 1 });
      tickets.push(ticket);
    }
  });
  after(async () => {
    await Promise.all([gcs.stop(), platform.stop()]);
    await dynamo.close();
  });
  beforeEach(() => {
    platform.clear();
    platform.clearFailures();
  });

  const auditItems = async () =>
    (await dynamo.client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": `AUDIT#${today()}` } }))).Items ?? [];
  const messagesOf = async (id: string) =>
    (await dynamo.client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: "pk = :pk AND begins_with(sk, :m)", ExpressionAttributeValues: { ":pk": `TICKET#${id}`, ":m": "MSG#" } }))).Items ?? [];
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  describe("authentication and roles", () => {
    it("answers 401 with a reference to missing, forged and foreign tokens, and writes nothing", async () => {
      const ticket = tickets[0]!;
      const other = await createTestIssuer();
      const claims = { sub: "mallory", iss: issuer.issuer, aud: issuer.audience, exp: Math.floor(Date.now() / 1000) + 300, roles: ["admin"] };
      const hsHeader = b64({ alg: "HS256", kid: "test-RS256" });
      const hsSignature = createHmac("sha256", await issuer.publicPem("RS256")).update(`${hsHeader}.${b64(claims)}`).digest("base64url");
      const forged = [
        undefined,
        "Bearer ",
        `Bearer ${b64({ alg: "none" })}.${b64(claims)}.`,
        `Bearer ${hsHeader}.${b64(claims)}.${hsSignature}`,
        `Bearer ${await other.mint({ roles: ["admin"] })}`,
        `Bearer ${await issuer.mint({ roles: ["admin"], exp: Math.floor(Date.now() / 1000) - 3600 })}`,
        `Bearer ${await issuer.mint({ roles: ["admin"], aud: "someone-else" })}`,
        `Bearer ${"a".repeat(9000)}.b.c`,
      ];
      const auditBefore = (await auditItems()).length;
      const messagesBefore = (await messagesOf(ticket.id)).length;
      for (const authorization of forged) {
        const res = await call({ method: "POST", path: `/api/tickets/${ticket.id}/messages`, role: null, body: { text: "pwned" }, headers: authorization ? { authorization } : {} });
        assert.equal(res.statusCode, 401, String(authorization).slice(0, 40));
        assert.deepEqual(Object.keys(res.json).sort(), ["error", "reference"]);
      }
      assert.equal((await messagesOf(ticket.id)).length, messagesBefore);
      assert.equal((await auditItems()).length, auditBefore);
      assert.equal(platform.received.length, 0);
    });

    it("answers 403 when the role is missing or too low, including roles escalated through other claims", async () => {
      const ticket = tickets[0]!;
      assert.equal((await call({ method: "GET", path: "/api/tickets", role: [] })).statusCode, 403);
      const escalated = `Bearer ${await issuer.mint({ sub: "eve", roles: ["viewer"], role: "admin", realm_access: { roles: ["admin"] } })}`;
      assert.equal((await call({ method: "PATCH", path: `/api/tickets/${ticket.id}`, token: escalated, body: { status: "closed" } })).statusCode, 403);
      assert.equal((await call({ method: "POST", path: `/api/tickets/${ticket.id}/messages`, role: ["viewer"], body: { text: "x" } })).statusCode, 403);
      assert.equal((await call({ method: "POST", path: "/api/exports", role: ["agent"], body: { from: today(), to: today() } })).statusCode, 403);
      assert.equal((await call({ method: "GET", path: "/api/exports/abc", role: ["agent"] })).statusCode, 403);
      assert.equal((await store.getTicket(ticket.id))?.status, "open");
      assert.equal(platform.received.length, 0);
    });
  });

  describe("tickets", () => {
    it("lists open tickets newest first with cursor pagination and a platform filter", async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await call({ method: "GET", path: "/api/tickets", role: ["viewer"], query: `limit=2${cursor ? `&cursor=${cursor}` : ""}` });
        assert.equal(res.statusCode, 200);
        seen.push(...(res.json.tickets as { id: string }[]).map((t) => t.id));
        cursor = res.json.nextCursor as string | undefined;
      } while (cursor);
      const open = tickets.filter((t) => t.status === "open");
      assert.deepEqual(new Set(seen), new Set(open.map((t) => t.id)));
      assert.equal(seen.length, new Set(seen).size, "no ticket twice");
      const telegram = await call({ method: "GET", path: "/api/tickets", role: ["viewer"], query: "platform=telegram&limit=100" });
      assert.deepEqual((telegram.json.tickets as { platform: string }[]).map((t) => t.platform), ["telegram", "telegram"]);
    });

    it("rejects invalid filters, tampered cursors and bad bodies with 400 and a reference", async () => {
      const other = Buffer.from(JSON.stringify({ pk: "TICKET#x", sk: "TICKET", gsi1pk: "OUTBOX#pending", gsi1sk: "2026-01-01T00:00:00.000Z#x" })).toString("base64url");
      const closedCursor = Buffer.from(JSON.stringify({ pk: "TICKET#x", sk: "TICKET", gsi1pk: "TICKETS#closed", gsi1sk: "2026-01-01T00:00:00.000Z#x" })).toString("base64url");
      const extra = Buffer.from(JSON.stringify({ pk: "TICKET#x", sk: "TICKET", gsi1pk: "TICKETS#open", gsi1sk: "2026-01-01T00:00:00.000Z#x", admin: true })).toString("base64url");
      const bad = [
        { method: "GET", path: "/api/tickets", query: "status=pending" },
        { method: "GET", path: "/api/tickets", query: "limit=1000" },
        { method: "GET", path: "/api/tickets", query: "platform=myspace" },
        { method: "GET", path: "/api/tickets", query: "sort=desc" },
        { method: "GET", path: "/api/tickets", query: "limit=2&limit=3" },
        { method: "GET", path: "/api/tickets", query: `cursor=${other}` },
        { method: "GET", path: "/api/tickets", query: `cursor=${closedCursor}` },
        { method: "GET", path: "/api/tickets", query: `cursor=${extra}` },
        { method: "GET", path: "/api/tickets", query: "cursor=%%%" },
        { method: "GET", path: "/api/tickets/bad%20id" },
        { method: "POST", path: `/api/tickets/${tickets[0]!.id}/messages`, body: { text: "" } },
        { method: "POST", path: `/api/tickets/${tickets[0]!.id}/messages`, body: { text: "x".repeat(4001) } },
        { method: "POST", path: `/api/tickets/${tickets[0]!.id}/messages`, body: { text: "hi", as: "admin" } },
        { method: "POST", path: `/api/tickets/${tickets[0]!.id}/messages`, body: "{not json" },
        { method: "PATCH", path: `/api/tickets/${tickets[0]!.id}`, body: {} },
        { method: "PATCH", path: `/api/tickets/${tickets[0]!.id}`, body: { status: "deleted" } },
        { method: "POST", path: "/api/exports", body: { from: "2026-13-01", to: "2026-13-02" } },
        { method: "POST", path: "/api/exports", body: { from: "2026-02-30", to: "2026-03-01" } },
        { method: "POST", path: "/api/exports", body: { from: "2026-03-02", to: "2026-03-01" } },
        { method: "POST", path: "/api/exports", body: { from: "2026-01-01", to: "2026-03-01" } },
        { method: "POST", path: "/api/exports", body: { from: "2999-01-01", to: "2999-01-01" } },
        { method: "GET", path: "/api/exports/abc/download", query: "format=xlsx" },
      ];
      for (const request of bad) {
        const res = await call({ ...request, role: ["admin"] });
        assert.equal(res.statusCode, 400, `${request.method} ${request.path}?${request.query ?? ""} ${JSON.stringify(request.body ?? "")}`);
        assert.deepEqual(Object.keys(res.json).sort(), ["error", "reference"]);
        assert.match(String(res.json.reference), /^[0-9a-z]{16}$/);
      }
    });

    it("shows a ticket with its messages, and 404 for an unknown one", async () => {
      const ticket = tickets[1]!;
      const res = await call({ method: "GET", path: `/api/tickets/${ticket.id}`, role: ["viewer"] });
      assert.equal(res.statusCode, 200);
      assert.equal((res.json.ticket as { id: string }).id, ticket.id);
      assert.deepEqual(res.json.messages, [{ author: "user", text: "help 1", sentAt: new Date(ticket.createdAt + 1).toISOString() }]);
      assert.equal((await call({ method: "GET", path: "/api/tickets/nope", role: ["viewer"] })).statusCode, 404);
    });

    it("sends an agent's reply to the user's platform once per Idempotency-Key, records it and audits it", async () => {
      const ticket = tickets[0]!;
      const headers = { "idempotency-key": "reply-0001-abcdef" };
      const first = await call({ method: "POST", path: `/api/tickets/${ticket.id}/messages`, role: ["agent"], body: { text: "We are on it" }, headers });
      assert.equal(first.statusCode, 201);
      assert.equal((first.json.delivery as { status: string }).status, "delivered");
      const again = await call({ method: "POST", path: `/api/tickets/${ticket.id}/messages`, role: ["agent"], body: { text: "We are on it" }, headers });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json.duplicate, true);
      assert.equal(again.json.replyId, first.json.replyId);
      assert.equal(platform.accepted().length, 1);
      assert.deepEqual(platform.accepted()[0]?.body, { chat_id: "4242", text: "We are on it" });
      const agentMessages = (await messagesOf(ticket.id)).filter((m) => m.author === "agent");
      assert.equal(agentMessages.length, 1);
      assert.equal(agentMessages[0]?.agent, "agent-ann");
      const audit = (await auditItems()).filter((a) => a.what === "ticket.reply" && a.target === ticket.id);
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.who, "agent-ann");
      assert.ok(Number(audit[0]?.expiresAt) > Date.now() / 1000 + 29 * 86_400);
      assert.ok(!JSON.stringify(audit[0]).includes("We are on it"), "no message text in the audit record");
    });

    it("sends only within the invocation's own time: with too little left, answers 202 and lists the reply for the outbox", async () => {
      const ticket = tickets[0]!;
      const res = await call({ method: "POST", path: `/api/tickets/${ticket.id}/messages`, role: ["agent"], body: { text: "Sent later" }, remainingMs: 2_500 });
      assert.equal(res.statusCode, 202);
      assert.deepEqual(res.json.delivery, { status: "pending" });
      assert.equal(platform.received.length, 0, "nothing sent from an invocation about to end");
      const recorded = (await messagesOf(ticket.id)).filter((m) => m.text === "Sent later");
      assert.equal(recorded.length, 1, "the agent's message is on the ticket already");
      const ledger = await dynamo.client.send(new GetCommand({ TableName: TABLE, Key: { pk: `REPLY#${String(res.json.replyId)}`, sk: "DELIVERY" } }));
      assert.equal(ledger.Item?.gsi1pk, "OUTBOX#pending", "listed for the outbox");
      assert.ok(Number(ledger.Item?.leaseUntil) > Date.now(), "held until this invocation is surely over");
    });

    it("replies to Slack and Discord users in a DM; retries a 503 and delivers once", async () => {
      platform.failNext(1, { status: 503 });
      const slack = await call({ method: "POST", path: `/api/tickets/${tickets[1]!.id}/messages`, role: ["agent"], body: { text: "Slack reply" } });
      assert.deepEqual(slack.json.delivery, { status: "delivered", platformMessageId: (slack.json.delivery as { platformMessageId: string }).platformMessageId, attempts: 2 });
      assert.deepEqual(platform.accepted()[0]?.body, { channel: "U0SLACK", text: "Slack reply" });
      const discord = await call({ method: "POST", path: `/api/tickets/${tickets[4]!.id}/messages`, role: ["agent"], body: { text: "Discord reply" } });
      assert.equal((discord.json.delivery as { status: string }).status, "delivered");
      assert.deepEqual(platform.accepted().map((r) => r.platform), ["slack", "discord-dm", "discord"]);
    });

    it("records a reply that cannot be delivered on the ticket and dead-letters it", async () => {
      platform.failAlways({ status: 500 });
      const ticket = tickets[3]!;
      const res = await call({ method: "POST", path: `/api/tickets/${ticket.id}/messages`, role: ["agent"], body: { text: "Messenger reply" } });
      assert.equal(res.statusCode, 201);
      assert.deepEqual(res.json.delivery, { status: "failed", reason: "http_500", attempts: 3 });
      const view = await call({ method: "GET", path: `/api/tickets/${ticket.id}`, role: ["viewer"] });
      assert.equal((view.json.ticket as { lastReplyFailure: { reason: string } }).lastReplyFailure.reason, "http_500");
      const { Item } = await dynamo.client.send(new GetCommand({ TableName: TABLE, Key: { pk: `DEADLETTER#REPLY#${String(res.json.replyId)}`, sk: "DEADLETTER" } }));
      assert.equal(Item?.reason, "http_500");
    });

    it("updates status and assignee (agent) and audits it", async () => {
      const ticket = tickets[2]!;
      const res = await call({ method: "PATCH", path: `/api/tickets/${ticket.id}`, role: ["agent"], body: { status: "closed", assignee: "agent-bob" } });
      assert.equal(res.statusCode, 200);
      assert.equal((res.json.ticket as { status: string }).status, "closed");
      assert.equal((res.json.ticket as { assignee: string }).assignee, "agent-bob");
      const closed = await call({ method: "GET", path: "/api/tickets", role: ["viewer"], query: "status=closed" });
      assert.deepEqual((closed.json.tickets as { id: string }[]).map((t) => t.id), [ticket.id]);
      const unassigned = await call({ method: "PATCH", path: `/api/tickets/${ticket.id}`, role: ["agent"], body: { assignee: null } });
      assert.equal((unassigned.json.ticket as { assignee?: string }).assignee, undefined);
      assert.equal((await auditItems()).filter((a) => a.what === "ticket.update" && a.target === ticket.id).length, 2);
    });

    it("counts tickets for viewers", async () => {
      const res = await call({ method: "GET", path: "/api/stats", role: ["viewer"] });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json, { tickets: { open: 4, closed: 1 }, createdToday: res.json.createdToday, exact: true });
    });
  });

  describe("exports", () => {
    it("queues an export (admin), runs it from the export handler and downloads it with its checksum", async () => {
      const created = await call({ method: "POST", path: "/api/exports", body: { from: today(), to: today() }, headers: { "idempotency-key": "export-key-0001" } });
      assert.equal(created.statusCode, 202);
      const id = String(created.json.id);
      assert.equal(created.json.status, "pending");
      const repeated = await call({ method: "POST", path: "/api/exports", body: { from: today(), to: today() }, headers: { "idempotency-key": "export-key-0001" } });
      assert.equal(repeated.statusCode, 200);
      assert.equal(repeated.json.id, id);
      assert.equal((await call({ method: "GET", path: `/api/exports/${id}/download` })).statusCode, 409, "not ready yet");

      const summary = await handleExportEvent({ ...exportDepsFromEnv(env), logger: createLogger({}, () => undefined) }, { kind: "pending" });
      assert.deepEqual(summary.exports.find((e) => e.id === id), { id, status: "done", attempts: 1 });

      const status = await call({ method: "GET", path: `/api/exports/${id}` });
      const objects = status.json.objects as { format: string; location: string; recordCount: number; sha256: string }[];
      assert.deepEqual(objects.map((o) => o.format), ["csv", "ndjson"]);
      assert.match(objects[0]!.location, new RegExp(`^gs://botfleet-archive/exports/dt=${today()}/${id}\\.csv\\.gz$`));
      const download = await call({ method: "GET", path: `/api/exports/${id}/download`, query: "format=ndjson" });
      assert.equal(download.statusCode, 200);
      assert.equal(download.isBase64Encoded, true);
      assert.equal(download.headers["content-type"], "application/gzip");
      const bytes = Buffer.from(download.body, "base64");
      assert.equal(createHash("sha256").update(bytes).digest("hex"), objects[1]!.sha256);
      const lines = gunzipSync(bytes).toString().trimEnd().split("\n");
      assert.equal(lines.length, objects[1]!.recordCount);
      assert.ok(lines.some((line) => line.includes("We are on it")), "agent replies are exported");
      const audit = (await auditItems()).filter((a) => a.target === id).map((a) => a.what).sort();
      assert.deepEqual(audit, ["export.create", "export.download"]);
    });

    it("refuses an unknown export id with 404", async () => {
      assert.equal((await call({ method: "GET", path: "/api/exports/unknown-export" })).statusCode, 404);
    });

    it("rejects a malformed schedule event", async () => {
      await assert.rejects(handleExportEvent({ ...exportDepsFromEnv(env), logger: createLogger({}, () => undefined) }, { kind: "everything" }));
    });
  });
});
