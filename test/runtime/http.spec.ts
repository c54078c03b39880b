import { strict as assert } from "node:assert";
import { botDepsFromEnv, oncePerColdStart } from "../../runtime/app/deps";
import { createLogger } from "../../runtime/adapters/logger";
import { cachedSecretSource, envSecretSource, type SecretSource } from "../../runtime/adapters/secrets";
import type { SecretName } from "../../runtime/env";
import { handler as deployedDiscordHandler } from "../../runtime/handlers/discord";
import { createHealthHandler } from "../../runtime/handlers/health";
import { createTelegramHandler, handleTelegram } from "../../runtime/handlers/telegram";
import { httpEntry } from "../../runtime/http/entry";
import type { HttpResult } from "../../runtime/http/event";
import { SECURITY_HEADERS } from "../../runtime/http/respond";
import { matchRoute } from "../../runtime/http/router";
import { ORIGIN_VERIFY_HEADER, type Route, ROUTES } from "../../runtime/routes";
import { testBot } from "./support/bot";
import { type LocalDynamo, startDynalite } from "./support/dynalite";
import { httpEvent, SECRETS, telegramHeaders } from "./support/events";

const ORIGIN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin-AbCdEf";

function assertSecurityHeaders(result: HttpResult) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(result.headers[name], value, name);
  assert.match(result.headers["strict-transport-security"] ?? "", /max-age=(\d+); includeSubDomains/);
  assert.ok(Number(/max-age=(\d+)/.exec(result.headers["strict-transport-security"] ?? "")?.[1]) >= 31536000);
}

const telegramUpdate = (id: number) =>
  JSON.stringify({ update_id: id, message: { message_id: 1, date: 1795334400, chat: { id: 7, type: "private" }, from: { id: 7, is_bot: false }, text: "/ticket x" } });

describe("shared HTTP layer", () => {
  describe("router over the route table", () => {
    it("matches every route of ROUTES with its own method", () => {
      for (const route of ROUTES) {
        const path = route.path.replace(/\{(\w+)\}/g, "abc");
        const match = matchRoute(route.method, path);
        assert.equal(match.kind, "route", `${route.method} ${route.path}`);
      }
    });
    it("answers notFound for unknown paths and methodNotAllowed with the allowed methods", () => {
      assert.equal(matchRoute("POST", "/webhooks/unknown").kind, "notFound");
      assert.equal(matchRoute("GET", "/").kind, "notFound");
      assert.deepEqual(matchRoute("DELETE", "/webhooks/meta"), { kind: "methodNotAllowed", allow: ["GET", "POST"] });
      const api = matchRoute("GET", "/api/tickets/t1");
      assert.ok(api.kind === "route" && api.params.id === "t1");
    });
    it("matches the method case-insensitively, ignores one trailing slash, decodes parameters and refuses empty or undecodable ones", () => {
      const lower = matchRoute("post", "/webhooks/telegram/");
      assert.ok(lower.kind === "route" && lower.route.handler === "telegram");
      const encoded = matchRoute("GET", "/api/exports/a%2Db/download");
      assert.ok(encoded.kind === "route" && encoded.route.path === "/api/exports/{id}/download" && encoded.params.id === "a-b");
      assert.equal(matchRoute("GET", "/api/tickets//messages").kind, "notFound");
      assert.equal(matchRoute("GET", "/api/tickets/%E0%A4%A").kind, "notFound");
      // The method decides between routes of one path template; a path with only other methods is 405.
      assert.deepEqual(matchRoute("GET", "/api/tickets/t1/messages"), { kind: "methodNotAllowed", allow: ["POST"] });
      const patch = matchRoute("PATCH", "/api/tickets/t1");
      assert.ok(patch.kind === "route" && patch.route.method === "PATCH" && patch.params.id === "t1");
      // Another table is compiled on its own.
      const own = matchRoute("GET", "/x/7", [{ method: "GET", path: "/x/{n}", handler: "health", group: "health", requiresBody: false }]);
      assert.ok(own.kind === "route" && own.params.n === "7");
      assert.equal(matchRoute("GET", "/x/7").kind, "notFound");
    });
    it("looks literal routes up without changing which route wins: the table's order still decides", () => {
      const table: Route[] = [
        { method: "GET", path: "/x/{n}", handler: "health", group: "health", requiresBody: false },
        { method: "GET", path: "/x/y", handler: "api", group: "api", requiresBody: false },
        { method: "POST", path: "/x/y", handler: "api", group: "api", requiresBody: false },
      ];
      // GET /x/y is the parameter route's (first in the table), POST /x/y the literal one's.
      const get = matchRoute("GET", "/x/y/", table);
      assert.ok(get.kind === "route" && get.route.path === "/x/{n}" && get.params.n === "y");
      const post = matchRoute("post", "/x/y", table);
      assert.ok(post.kind === "route" && post.route.path === "/x/y" && post.route.method === "POST");
      assert.deepEqual(matchRoute("PATCH", "/x/y", table), { kind: "methodNotAllowed", allow: ["GET", "POST"] });
      // Every literal route of the real table, in any case and with a trailing slash.
      for (const route of ROUTES.filter((r) => !r.path.includes("{"))) {
        for (const [method, path] of [[route.method, route.path], [route.method.toLowerCase(), `${route.path}/`]] as const) {
          const match = matchRoute(method, path);
          assert.ok(match.kind === "route" && match.route === route && Object.keys(match.params).length === 0, `${method} ${path}`);
        }
      }
    });
  });

  describe("origin lock", () => {
    let db: LocalDynamo;
    before(async () => {
      db = await startDynalite();
    });
    after(async () => db.close());

    // The origin value comes through the deployed-mode source (a fetcher standing in for GetSecretValue).
    const secretsManager = cachedSecretSource({ origin: ORIGIN_ARN }, async (arn) => (arn === ORIGIN_ARN ? JSON.stringify({ value: SECRETS.origin }) : undefined));
    const platform = envSecretSource({ TELEGRAM_WEBHOOK_SECRET: SECRETS.telegram });
    const originFromSecretsManager: SecretSource = {
      has: (name) => name === "origin" || platform.has(name),
      get: ((name: SecretName) => (name === "origin" ? secretsManager.get("origin") : platform.get(name))) as SecretSource["get"],
    };

    it("deployed: refuses a request without the origin header or with a wrong one (403, no write), accepts the right one", async () => {
      const bot = await testBot(db);
      const deployed = {
        ...bot.deps,
        settings: { ...bot.deps.settings, mode: "deployed" as const, secretArns: { origin: ORIGIN_ARN } },
        secrets: originFromSecretsManager,
      };
      const handler = createTelegramHandler(deployed);
      const send = (headers: Record<string, string>, id: number) =>
        handler(httpEvent({ method: "POST", path: "/webhooks/telegram", headers: { ...telegramHeaders(), ...headers }, body: telegramUpdate(id) }));
      const missing = await send({}, 1);
      assert.equal(missing.statusCode, 403);
      assert.deepEqual(Object.keys(JSON.parse(missing.body) as object).sort(), ["error", "reference"]);
      assertSecurityHeaders(missing);
      assert.equal((await send({ [ORIGIN_VERIFY_HEADER]: `${SECRETS.origin}x` }, 2)).statusCode, 403);
      assert.equal((await send({ [ORIGIN_VERIFY_HEADER]: SECRETS.origin.slice(0, -1) }, 3)).statusCode, 403);
      assert.equal((await db.items(bot.tableName)).length, 0);
      assert.equal((await send({ [ORIGIN_VERIFY_HEADER]: SECRETS.origin }, 4)).statusCode, 200);
    });

    it("deployed without an origin secret ARN: fails closed with 500", async () => {
      const bot = await testBot(db);
      const handler = createTelegramHandler({
        ...bot.deps,
        settings: { ...bot.deps.settings, mode: "deployed", secretArns: {} },
        secrets: cachedSecretSource({}, async () => undefined),
      });
      const r = await handler(httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders(), body: telegramUpdate(5) }));
      assert.equal(r.statusCode, 500);
      assert.equal((await db.items(bot.tableName)).length, 0);
      assert.ok(bot.logLines.some((l) => l.includes('no ARN in BOTFLEET_SECRET_ARNS')));
    });

    it("local: skipped while ORIGIN_VERIFY_SECRET is unset, enforced once it is set", async () => {
      const open = await testBot(db);
      const health = createHealthHandler(open.deps);
      assert.equal((await health(httpEvent({ method: "GET", path: "/health" }))).statusCode, 200);
      const locked = await testBot(db, { origin: true });
      const lockedHealth = createHealthHandler(locked.deps);
      assert.equal((await lockedHealth(httpEvent({ method: "GET", path: "/health" }))).statusCode, 403);
      const ok = await lockedHealth(httpEvent({ method: "GET", path: "/health", headers: { [ORIGIN_VERIFY_HEADER]: SECRETS.origin } }));
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(JSON.parse(ok.body), { status: "ok" });
      assertSecurityHeaders(ok);
    });
  });

  describe("configuration at cold start", () => {
    it("answers 500 with a reference and logs the missing variable's name", async () => {
      const lines: string[] = [];
      const logger = createLogger({}, (l) => lines.push(l));
      const handler = httpEntry("telegram", oncePerColdStart(() => botDepsFromEnv({ BOTFLEET_MODE: "local" }, logger)), handleTelegram, logger);
      const r = await handler(httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders(), body: telegramUpdate(1) }));
      assert.equal(r.statusCode, 500);
      const { reference } = JSON.parse(r.body) as { reference: string };
      const logged = lines.find((l) => l.includes(reference) && l.includes("BOTFLEET_TABLE"));
      assert.ok(logged, lines.join("\n"));
      assert.equal(JSON.parse(logged).errorName, "ConfigError");
      assertSecurityHeaders(r);
    });

    it("retries a failed cold start on the next request instead of caching the failure", async () => {
      let calls = 0;
      const load = oncePerColdStart(async () => {
        calls++;
        if (calls === 1) throw new Error("transient");
        return calls;
      });
      await assert.rejects(load());
      assert.equal(await load(), 2);
      assert.equal(await load(), 2);
      assert.equal(calls, 2);
    });

    it("builds nothing at import: the deployed handler module loads without any environment", () => {
      // This file imported runtime/handlers/discord with no BOTFLEET_* variables set, and nothing threw.
      assert.equal(typeof deployedDiscordHandler, "function");
    });
  });

  it("puts the security headers on every kind of response", async () => {
    const db = await startDynalite();
    try {
      const bot = await testBot(db);
      const handler = createTelegramHandler(bot.deps);
      const responses = [
        await handler(httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders(), body: telegramUpdate(9) })),
        await handler(httpEvent({ method: "POST", path: "/webhooks/telegram", headers: telegramHeaders("bad"), body: telegramUpdate(10) })),
        await handler(httpEvent({ method: "PATCH", path: "/webhooks/telegram" })),
        await handler(httpEvent({ method: "GET", path: "/nowhere" })),
      ];
      assert.deepEqual(responses.map((r) => r.statusCode), [200, 401, 405, 404]);
      responses.forEach(assertSecurityHeaders);
    } finally {
      await db.close();
    }
  });
});
