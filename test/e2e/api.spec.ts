import { strict as assert } from "node:assert";
import { gunzipSync } from "node:zlib";
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
});
