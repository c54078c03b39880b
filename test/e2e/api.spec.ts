import { strict as assert } from "node:assert";
import { gunzipSync } from "node:zlib";
import { Storage } from "@google-cloud/storage";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { ENV } from "../../runtime/env";
import { objectName } from "../../runtime/exports/writeExport";
import { type E2eStack, startE2eStack } from "./support/stack";

const json = { "content-type": "application/json" };
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("local stack end to end: agents' API, replies and exports over HTTP", function () {
  let e2e: E2eStack;
  let ticketId: string;
  const bearer = async (role: "viewer" | "agent" | "admin") => ({ authorization: `Bearer ${await e2e.token(role)}` });

  before(async () => {
    e2e = await startE2eStack();
    const opened = await e2e.send("telegram", "/ticket Printer on fire", { user: "100200555" });
    ticketId = /Ticket (\w+) opened/.exec(opened.text)?.[1] ?? "";
    assert.notEqual(ticketId, "", opened.text);
    assert.equal((await e2e.send("telegram", "It is smoking now", { user: "100200555" })).status, 200);
  });
  after(async () => {
    await e2e?.stop();
  });

  it("lists and shows tickets to a viewer, refuses missing (401) and forged (401) tokens", async () => {
    const list = await e2e.request("GET", "/api/tickets?status=open&platform=telegram", { headers: await bearer("viewer") });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json<{ tickets: { id: string }[] }>().tickets.some((t) => t.id === ticketId));
    const one = await e2e.request("GET", `/api/tickets/${ticketId}`, { headers: await bearer("viewer") });
    assert.equal(one.status, 200, one.text);
    assert.match(one.text, /It is smoking now/);

    assert.equal((await e2e.request("GET", "/api/tickets")).status, 401);
    const token = await e2e.token("admin");
    const forged = `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    assert.equal((await e2e.request("GET", "/api/tickets", { headers: { authorization: `Bearer ${forged}` } })).status, 401);
  });

  it("delivers an agent's reply to the user's platform (the stand-in Telegram API receives it), and refuses it to a viewer (403)", async () => {
    const denied = await e2e.request("POST", `/api/tickets/${ticketId}/messages`, { headers: { ...json, ...(await bearer("viewer")) }, body: JSON.stringify({ text: "nope" }) });
    assert.equal(denied.status, 403);

    const before = e2e.stack.standIn.accepted().length;
    const reply = await e2e.request("POST", `/api/tickets/${ticketId}/messages`, { headers: { ...json, ...(await bearer("agent")) }, body: JSON.stringify({ text: "We are on it" }) });
    assert.equal(reply.status, 201, reply.text);
    const received = e2e.stack.standIn.accepted().slice(before);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.platform, "telegram");
    assert.equal(received[0]?.path, "/telegram/bot<token>/sendMessage");
    assert.deepEqual(received[0]?.body, { chat_id: "100200555", text: "We are on it" });
    assert.ok((await e2e.ticketMessages(ticketId)).includes("We are on it"), "the reply is on the ticket");
  });

  it("creates an export as admin, runs it, and downloads it: gzipped NDJSON with the ticket and its messages", async () => {
    const today = day(Date.now());
    assert.equal((await e2e.request("POST", "/api/exports", { headers: { ...json, ...(await bearer("agent")) }, body: JSON.stringify({ from: today, to: today }) })).status, 403);
    const created = await e2e.request("POST", "/api/exports", { headers: { ...json, ...(await bearer("admin")) }, body: JSON.stringify({ from: today, to: today }) });
    assert.equal(created.status, 202, created.text);
    const id = created.json<{ id: string; status: string }>().id;

    const summary = await e2e.stack.runExports();
    assert.ok(summary.exports.some((job) => job.id === id && job.status === "done"), JSON.stringify(summary));

    const status = await e2e.request("GET", `/api/exports/${id}`, { headers: await bearer("admin") });
    assert.equal(status.status, 200, status.text);
    const view = status.json<{ status: string; objects: { format: string; recordCount: number; sha256: string; download: string }[] }>();
    assert.equal(view.status, "done");
    const ndjson = view.objects.find((o) => o.format === "ndjson");
    assert.ok(ndjson);

    const download = await e2e.request("GET", ndjson.download, { headers: await bearer("admin") });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "application/gzip");
    // The body went through the API Gateway mapping as base64 and came back as the gzip bytes.
    const records = gunzipSync(download.bytes)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; ticketId: string; subject?: string; text?: string; author?: string });
    assert.equal(records.length, ndjson.recordCount);
    const mine = records.filter((r) => r.ticketId === ticketId);
    assert.deepEqual(mine.map((r) => r.type), ["ticket", "message", "message"]);
    assert.equal(mine[0]?.subject, "Printer on fire");
    assert.deepEqual(mine.slice(1).map((r) => [r.author, r.text]), [["user", "It is smoking now"], ["agent", "We are on it"]]);
    assert.equal(download.headers.get("x-export-sha256"), ndjson.sha256);
  });

  it("delivers agents' replies on every platform: Discord DM, Slack chat.postMessage, WhatsApp send API", async () => {
    const open = async (platform: "discord" | "slack" | "meta", user: string): Promise<string> => {
      const deliveryId = `${Date.now()}7`;
      const answer = await e2e.send(platform, "/ticket Reply to me", { user, deliveryId });
      assert.equal(answer.status, 200, answer.text);
      const text = platform === "meta" ? await e2e.queuedReply(`meta:wamid.${deliveryId}`) : answer.text;
      const id = /Ticket (\w+) opened/.exec(text ?? "")?.[1];
      assert.ok(id, `${platform}: ${text ?? ""}`);
      return id;
    };
    const tickets = { discord: await open("discord", "900000000000000555"), slack: await open("slack", "U0REPLY"), meta: await open("meta", "15550005555") };
    const before = e2e.stack.standIn.accepted().length;
    for (const [platform, id] of Object.entries(tickets)) {
      const reply = await e2e.request("POST", `/api/tickets/${id}/messages`, { headers: { ...json, ...(await bearer("agent")) }, body: JSON.stringify({ text: `Hello ${platform}` }) });
      assert.equal(reply.status, 201, `${platform}: ${reply.text}`);
      assert.equal(reply.json<{ delivery: { status: string } }>().delivery.status, "delivered");
    }
    const received = e2e.stack.standIn.accepted().slice(before);
    const byPlatform = (p: string) => received.filter((r) => r.platform === p).map((r) => r.body as Record<string, unknown>);
    assert.equal(byPlatform("discord-dm")[0]?.recipient_id, "900000000000000555");
    assert.equal(byPlatform("discord")[0]?.content, "Hello discord");
    assert.deepEqual([byPlatform("slack")[0]?.channel, byPlatform("slack")[0]?.text], ["U0REPLY", "Hello slack"]);
    assert.deepEqual([byPlatform("whatsapp")[0]?.to, (byPlatform("whatsapp")[0]?.text as { body?: string } | undefined)?.body], ["15550005555", "Hello meta"]);
  });

  it("sends a reply the platform keeps refusing to the dead letters and records the failure on the ticket", async function () {
    this.timeout(30_000);
    e2e.stack.standIn.failAlways({ status: 503 });
    try {
      const reply = await e2e.request("POST", `/api/tickets/${ticketId}/messages`, { headers: { ...json, ...(await bearer("agent")) }, body: JSON.stringify({ text: "Will not arrive" }) });
      assert.equal(reply.status, 201, reply.text);
      const { replyId, delivery } = reply.json<{ replyId: string; delivery: { status: string; attempts: number } }>();
      assert.equal(delivery.status, "failed");
      assert.ok(delivery.attempts > 1, "retried before giving up");
      const deadLetter = await e2e.documents.send(new GetCommand({ TableName: e2e.stack.dynamo.tableName, Key: { pk: `DEADLETTER#REPLY#${replyId}`, sk: "DEADLETTER" } }));
      assert.equal(deadLetter.Item?.reason !== undefined, true, "dead letter stored (local stand-in for the SQS queue)");
      const ticket = await e2e.request("GET", `/api/tickets/${ticketId}`, { headers: await bearer("viewer") });
      assert.match(ticket.text, /lastReplyFailure/);
    } finally {
      e2e.stack.standIn.clearFailures();
    }
  });

  it("says what a valid Idempotency-Key is when one is refused (8-128 of A-Z a-z 0-9 _ . : -), and writes nothing", async () => {
    const body = JSON.stringify({ text: "Never stored" });
    for (const key of ["short", "x".repeat(129), "has space 123", "semi;colon-123"]) {
      const refused = await e2e.request("POST", `/api/tickets/${ticketId}/messages`, { headers: { ...json, ...(await bearer("agent")), "idempotency-key": key }, body });
      assert.equal(refused.status, 400, key);
      const answer = refused.json<Record<string, string>>();
      assert.deepEqual(Object.keys(answer).sort(), ["detail", "error", "reference"]);
      assert.equal(answer.error, "bad request");
      assert.equal(answer.detail, "Idempotency-Key must be 8 to 128 characters of A-Z a-z 0-9 _ . : -");
      assert.ok(!refused.text.includes(key), "the rejected key is not echoed");
    }
    assert.ok(!(await e2e.ticketMessages(ticketId)).includes("Never stored"));
    const other = await e2e.request("GET", "/api/tickets?status=maybe", { headers: await bearer("viewer") });
    assert.equal(other.status, 400);
    assert.deepEqual(Object.keys(other.json()).sort(), ["error", "reference"], "other 400s keep their shape");
  });

  it("answers stats to a viewer", async () => {
    const stats = await e2e.request("GET", "/api/stats", { headers: await bearer("viewer") });
    assert.equal(stats.status, 200, stats.text);
  });

  it("finishes an export whose earlier attempt crashed after uploading (half-written object replaced), and queues the daily export", async () => {
    const today = day(Date.now());
    const created = await e2e.request("POST", "/api/exports", { headers: { ...json, ...(await bearer("admin")), "idempotency-key": "e2e-retry-1" }, body: JSON.stringify({ from: today, to: today }) });
    assert.equal(created.status, 202, created.text);
    const id = created.json<{ id: string }>().id;
    // What a crash between the upload and its metadata leaves: the object, without record count or sha256.
    const storage = new Storage({ apiEndpoint: e2e.stack.gcs.endpoint, projectId: "botfleet-local", retryOptions: { autoRetry: false } });
    await storage.bucket(e2e.stack.handlerEnv[ENV.archiveBucket] ?? "").file(objectName(id, today, "ndjson")).save("half-written", { resumable: false });

    const summary = await e2e.stack.runExports();
    assert.ok(summary.exports.some((job) => job.id === id && job.status === "done"), JSON.stringify(summary));
    const download = await e2e.request("GET", `/api/exports/${id}/download?format=ndjson`, { headers: await bearer("admin") });
    assert.equal(download.status, 200, download.text);
    assert.match(gunzipSync(download.bytes).toString("utf8"), /"subject":"Printer on fire"/);

    const daily = await e2e.stack.runExports({ kind: "daily", day: today });
    assert.equal(typeof daily.daily, "string");
  });
});
