import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startLocalStack } from "../../tools/local/localStack";
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

  it("keeps tickets and generated secrets across a restart, and --fresh forgets both", async () => {
    const first = await start(true);
    let id: string;
    try {
      id = /Ticket (\w+) opened/.exec((await send(first.url, first.settings, "/ticket Survives restarts")).text)?.[1] ?? "";
      assert.notEqual(id, "");
    } finally {
      await first.stop();
    }
    assert.ok(existsSync(join(dataDir, "settings.json")));

    const second = await start();
    try {
      assert.deepEqual(second.settings.env, first.settings.env, "same generated secrets and JWKS");
      assert.match((await send(second.url, second.settings, "/tickets")).text, new RegExp(`${id} \\[open\\] Survives restarts`));
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
