import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ENV } from "../../runtime/env";
import { startLocalStack } from "../../tools/local/localStack";
import { mintLocalToken } from "../../tools/local/tokens";
import { platformRequest, signingKeys } from "../../tools/send/platformRequest";

describe("local stack: state kept under its data directory between runs", () => {
  const dataDir = join(__dirname, "..", "..", ".tmp", `persist-${randomUUID()}`);
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = (fresh = false) => startLocalStack({ port: 0, dataDir, fresh, environment: {}, logSink: () => undefined, exportEveryMs: 0 });
  const send = async (url: string, settings: Parameters<typeof signingKeys>[0], text: string) => {
    const signed = platformRequest("telegram", text, signingKeys(settings), { user: "100200444" });
    const response = await fetch(`${url}${signed.path}`, { method: "POST", headers: signed.headers, body: signed.body });
    const body = await response.text();
    assert.equal(response.status, 200, `${text}: ${response.status} ${body}`);
    return JSON.parse(body) as { text: string };
  };

  const admin = async (stack: Awaited<ReturnType<typeof start>>) => {
    const key = stack.settings.tokenKey;
    assert.ok(key);
    const env = stack.settings.env;
    const token = await mintLocalToken(key, { issuer: env[ENV.authIssuer] ?? "", audience: env[ENV.authAudience] ?? "", rolesClaim: env[ENV.authRolesClaim] ?? "roles", role: "admin", expiresIn: "10m" });
    return { authorization: `Bearer ${token}` };
  };

  it("keeps tickets, generated secrets and exported archive objects across a restart, and --fresh forgets them", async () => {
    const first = await start(true);
    let id: string;
    let exportId = "";
    try {
      id = /Ticket (\w+) opened/.exec((await send(first.url, first.settings, "/ticket Survives restarts")).text)?.[1] ?? "";
      assert.notEqual(id, "");
      const today = new Date().toISOString().slice(0, 10);
      const created = await fetch(`${first.url}/api/exports`, { method: "POST", headers: { ...(await admin(first)), "content-type": "application/json" }, body: JSON.stringify({ from: today, to: today }) });
      assert.equal(created.status, 202);
      exportId = ((await created.json()) as { id: string }).id;
      await first.runExports();
    } finally {
      await first.stop();
    }
    assert.ok(existsSync(join(dataDir, "settings.json")));

    const second = await start();
    try {
      assert.deepEqual(second.settings.env, first.settings.env, "same generated secrets and JWKS");
      assert.match((await send(second.url, second.settings, "/tickets")).text, new RegExp(`${id} \\[open\\] Survives restarts`));
      // The table remembers the export and the archive still has its object (no 500 after a restart).
      const download = await fetch(`${second.url}/api/exports/${exportId}/download?format=ndjson`, { headers: await admin(second) });
      assert.equal(download.status, 200, await download.clone().text());
      assert.match(gunzipSync(Buffer.from(await download.arrayBuffer())).toString("utf8"), /"subject":"Survives restarts"/);
    } finally {
      await second.stop();
    }

    const fresh = await start(true);
    try {
      assert.notEqual(fresh.settings.env.TELEGRAM_WEBHOOK_SECRET, first.settings.env.TELEGRAM_WEBHOOK_SECRET);
      assert.doesNotMatch((await send(fresh.url, fresh.settings, "/tickets")).text, /Survives restarts/);
    } finally {
      await fresh.stop();
    }
  });
});
