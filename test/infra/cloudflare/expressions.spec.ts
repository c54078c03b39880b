import { strict as assert } from "node:assert";
import fc from "fast-check";
import { emptyBody, firewallRules, groupPrefix, knownRoute, rateLimitRules } from "../../../infra/cloudflare/edgeRules";
import { eq, pathTemplate, render, renderRule } from "../../../infra/cloudflare/expressions";
import { TELEGRAM_WEBHOOK_RANGES } from "../../../infra/cloudflare/telegramRanges";
import { ROUTES, type Route } from "../../../runtime/routes";
import { evaluate, type TestRequest } from "./evaluate";

const HOST = "api.bot.example.com";

/** A fixed table for golden tests, so adding a real route does not rewrite these strings. */
const FIXTURE: readonly Route[] = [
  { method: "POST", path: "/webhooks/telegram", handler: "telegram", group: "webhooks", requiresBody: true },
  { method: "GET", path: "/webhooks/meta", handler: "meta", group: "webhooks", requiresBody: false },
  { method: "POST", path: "/webhooks/meta", handler: "meta", group: "webhooks", requiresBody: true },
  { method: "GET", path: "/api/tickets/{id}", handler: "api", group: "api", requiresBody: false },
  { method: "POST", path: "/api/tickets/{id}/messages", handler: "api", group: "api", requiresBody: true },
  { method: "GET", path: "/health", handler: "health", group: "health", requiresBody: false },
];

describe("cloudflare expression builder: golden renderings", () => {
  it("renders a fixed path as eq", () => {
    assert.equal(render(pathTemplate("/webhooks/telegram")), 'http.request.uri.path eq "/webhooks/telegram"');
  });

  it("renders a trailing {param} as one non-empty segment without regex", () => {
    assert.equal(
      render(pathTemplate("/api/tickets/{id}")),
      'http.request.uri.path strict wildcard "/api/tickets/*" and not http.request.uri.path strict wildcard "/*/*/*/*" and not http.request.uri.path eq "/api/tickets/"',
    );
  });

  it("renders a {param} in the middle, and two params, each guarded against empty segments", () => {
    assert.equal(
      render(pathTemplate("/api/tickets/{id}/messages")),
      'http.request.uri.path strict wildcard "/api/tickets/*/messages" and not http.request.uri.path strict wildcard "/*/*/*/*/*" and not http.request.uri.path eq "/api/tickets//messages"',
    );
    assert.equal(
      render(pathTemplate("/a/{x}/b/{y}")),
      'http.request.uri.path strict wildcard "/a/*/b/*" and not http.request.uri.path strict wildcard "/*/*/*/*/*" and not http.request.uri.path strict wildcard "/a//b/*" and not http.request.uri.path strict wildcard "/a/*/b/"',
    );
  });

  it("never emits the Business-only regex operator", () => {
    const all = [...firewallRules(HOST, ROUTES), ...rateLimitRules(HOST, { webhooksPerMinute: 1, apiPerMinute: 1 }, ROUTES)];
    for (const rule of all) assert.doesNotMatch(render(rule.expression), /\bmatches\b|~/, rule.ref);
  });

  it("renders the three firewall rules for a route table", () => {
    const [unknown, telegram, empty] = firewallRules(HOST, FIXTURE).map((r) => [r.ref, render(r.expression)]);
    assert.deepEqual(unknown, [
      "block_unknown_routes",
      'http.host eq "api.bot.example.com" and not ((http.request.method eq "POST" and http.request.uri.path eq "/webhooks/telegram") or ' +
        '(http.request.method in {"GET" "POST"} and http.request.uri.path eq "/webhooks/meta") or ' +
        '(http.request.method eq "GET" and (http.request.uri.path strict wildcard "/api/tickets/*" and not http.request.uri.path strict wildcard "/*/*/*/*" and not http.request.uri.path eq "/api/tickets/")) or ' +
        '(http.request.method eq "POST" and (http.request.uri.path strict wildcard "/api/tickets/*/messages" and not http.request.uri.path strict wildcard "/*/*/*/*/*" and not http.request.uri.path eq "/api/tickets//messages")) or ' +
        '(http.request.method eq "GET" and http.request.uri.path eq "/health"))',
    ]);
    assert.deepEqual(telegram, [
      "telegram_only_from_telegram",
      'http.host eq "api.bot.example.com" and (http.request.method eq "POST" and http.request.uri.path eq "/webhooks/telegram") and not ip.src in {149.154.160.0/20 91.108.4.0/22}',
    ]);
    assert.deepEqual(empty, [
      "block_empty_bodies",
      'http.host eq "api.bot.example.com" and ((http.request.method eq "POST" and http.request.uri.path eq "/webhooks/telegram") or ' +
        '(http.request.method eq "POST" and http.request.uri.path eq "/webhooks/meta") or ' +
        '(http.request.method eq "POST" and (http.request.uri.path strict wildcard "/api/tickets/*/messages" and not http.request.uri.path strict wildcard "/*/*/*/*/*" and not http.request.uri.path eq "/api/tickets//messages"))) and ' +
        '(any(http.request.headers["content-length"][*] eq "0") or (http.request.version in {"HTTP/1.0" "HTTP/1.1"} and not any(lower(http.request.headers.names[*])[*] eq "content-length") and not any(lower(http.request.headers.names[*])[*] eq "transfer-encoding")))',
    ]);
  });

  it("renders one rate-limiting rule per group on its path prefix", () => {
    const rules = rateLimitRules(HOST, { webhooksPerMinute: 600, apiPerMinute: 120 }, FIXTURE);
    assert.deepEqual(
      rules.map((r) => [r.ref, render(r.expression), r.requestsPerPeriod, r.period, r.mitigationTimeout, r.characteristics]),
      [
        ["rate_limit_webhooks", 'http.host eq "api.bot.example.com" and starts_with(http.request.uri.path, "/webhooks/")', 600, 60, 60, ["ip.src", "cf.colo.id"]],
        ["rate_limit_api", 'http.host eq "api.bot.example.com" and starts_with(http.request.uri.path, "/api/")', 120, 60, 60, ["ip.src", "cf.colo.id"]],
      ],
    );
  });

  it("escapes quotes and backslashes in strings and refuses control characters", () => {
    assert.equal(render(eq("http.host", 'a"b\\c')), 'http.host eq "a\\"b\\\\c"');
    assert.throws(() => render(eq("http.host", "a\nb")), /control characters/);
  });

  it("refuses route templates it cannot match exactly on every plan", () => {
    for (const bad of ["api/x", "/", "/api/{id", "/api/*", "/api/x y", "/api/{id}*", "/api//x"]) {
      assert.throws(() => pathTemplate(bad), /route path/, bad);
    }
  });

  it("refuses an expression longer than Cloudflare accepts, naming the rule", () => {
    const many: Route[] = Array.from({ length: 60 }, (_, i) => ({ method: "GET", path: `/api/resource-number-${i}/{id}`, handler: "api", group: "api", requiresBody: false }));
    assert.throws(() => renderRule("block unknown", knownRoute(many)), /rule "block unknown" renders to \d+ characters; Cloudflare accepts at most 4096/);
  });

  it("keeps the real table's rules within Cloudflare's length limit", () => {
    for (const rule of firewallRules(HOST)) assert.ok(render(rule.expression).length <= 4096, rule.ref);
  });
});

/** Independent reference: API Gateway's matching of `{param}` as one non-empty segment. */
function tableAllows(routes: readonly Route[], method: string, path: string): boolean {
  const segments = path.split("/");
  return routes.some((route) => {
    const template = route.path.split("/");
    return (
      route.method === method &&
      template.length === segments.length &&
      template.every((t, i) => (/^\{.+\}$/.test(t) ? (segments[i] ?? "") !== "" : t === segments[i]))
    );
  });
}

function request(overrides: Partial<TestRequest>): TestRequest {
  return { host: HOST, method: "GET", path: "/health", ip: "203.0.113.9", version: "HTTP/2", headers: { "content-length": ["42"] }, ...overrides };
}

const concrete = (template: string, value = "t-123") => template.replace(/\{[^}]+\}/g, value);
const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"];

// These tests evaluate the structured rules the builder produces (before rendering) with the tiny
// evaluator in ./evaluate.ts; the golden tests above pin how those structures render.
describe("edge firewall rules, driven by the real route table (structured rules + evaluator)", () => {
  const [blockUnknown, telegramOnly, emptyBodies] = firewallRules(HOST);
  assert.ok(blockUnknown && telegramOnly && emptyBodies);
  const blocked = (req: TestRequest) => [blockUnknown, telegramOnly, emptyBodies].filter((r) => evaluate(r.expression, req)).map((r) => r.ref);
  const telegramIp = "149.154.167.220";

  for (const route of ROUTES) {
    it(`lets ${route.method} ${route.path} through`, () => {
      const ip = route.handler === "telegram" ? telegramIp : "203.0.113.9";
      assert.deepEqual(blocked(request({ method: route.method, path: concrete(route.path), ip })), []);
    });

    it(`blocks other methods, extra or empty segments and case variants of ${route.path}`, () => {
      const path = concrete(route.path);
      const variants: TestRequest[] = [
        ...METHODS.filter((m) => !tableAllows(ROUTES, m, path)).map((method) => request({ method, path })),
        request({ method: route.method, path: `${path}/` }),
        request({ method: route.method, path: `${path}/extra` }),
        request({ method: route.method, path: path.toUpperCase() }),
        request({ method: route.method.toLowerCase(), path }),
      ];
      if (route.path.includes("{")) {
        variants.push(request({ method: route.method, path: concrete(route.path, "") }));
        variants.push(request({ method: route.method, path: concrete(route.path, "a/b") }));
      }
      // Some variants are real routes (GET /api/tickets/extra is /api/tickets/{id}): judge the rest.
      const outside = variants.filter((req) => !tableAllows(ROUTES, req.method, req.path));
      assert.ok(outside.length >= 4, `enough variants of ${route.path} fall outside the table`);
      for (const req of outside) assert.equal(evaluate(blockUnknown.expression, req), true, `${req.method} ${req.path} is blocked`);
      for (const req of variants.filter((r) => !outside.includes(r))) assert.equal(evaluate(blockUnknown.expression, req), false, `${req.method} ${req.path} passes`);
    });
  }

  it("blocks paths the table does not know at all", () => {
    for (const path of ["/", "/admin", "/webhooks", "/webhooks/", "/webhooks/whatsapp", "/api", "/api/", "/api/tickets/1/messages/2", "/api//tickets", "/.env"]) {
      assert.equal(evaluate(blockUnknown.expression, request({ path })), true, path);
    }
  });

  it("agrees with API Gateway-style matching on arbitrary paths and methods", () => {
    const segment = fc.constantFrom("api", "tickets", "exports", "messages", "download", "stats", "webhooks", "telegram", "meta", "health", "x1", "", "Tickets", "*");
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join("/")}`);
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), path, (method, p) => {
        assert.equal(evaluate(knownRoute(), request({ method, path: p })), tableAllows(ROUTES, method, p), `${method} ${p}`);
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves other hostnames in the zone alone", () => {
    assert.deepEqual(blocked(request({ host: "www.bot.example.com", method: "DELETE", path: "/anything", headers: {}, version: "HTTP/1.1" })), []);
  });

  it("admits the Telegram webhook only from Telegram's published ranges", () => {
    const post = (ip: string) => blocked(request({ method: "POST", path: "/webhooks/telegram", ip }));
    for (const ip of ["149.154.160.0", telegramIp, "149.154.175.255", "91.108.4.1", "91.108.7.255"]) assert.deepEqual(post(ip), [], ip);
    for (const ip of ["149.154.176.0", "149.154.159.255", "91.108.8.0", "203.0.113.9", "10.0.0.1"]) {
      assert.deepEqual(post(ip), ["telegram_only_from_telegram"], ip);
    }
    assert.deepEqual([...TELEGRAM_WEBHOOK_RANGES], ["149.154.160.0/20", "91.108.4.0/22"]);
    // Other platforms' webhooks are not tied to Telegram's addresses.
    assert.deepEqual(blocked(request({ method: "POST", path: "/webhooks/discord", ip: "203.0.113.9" })), []);
  });

  it("blocks body-less requests on every route that requires a body, and only there", () => {
    for (const route of ROUTES) {
      const ip = route.handler === "telegram" ? telegramIp : "203.0.113.9";
      const base = { method: route.method, path: concrete(route.path), ip };
      const zeroLength = request({ ...base, headers: { "Content-Length": ["0"] } });
      const http11NoFraming = request({ ...base, version: "HTTP/1.1", headers: {} });
      const expected = route.requiresBody ? ["block_empty_bodies"] : [];
      assert.deepEqual(blocked(zeroLength), expected, `${route.method} ${route.path} with Content-Length: 0`);
      assert.deepEqual(blocked(http11NoFraming), expected, `${route.method} ${route.path} over HTTP/1.1 without a body`);
      assert.deepEqual(blocked(request({ ...base, version: "HTTP/1.1", headers: { "Transfer-Encoding": ["chunked"] } })), [], "chunked body");
      assert.deepEqual(blocked(request({ ...base, version: "HTTP/2", headers: {} })), [], "HTTP/2 may omit Content-Length");
    }
    assert.ok(ROUTES.filter((r) => r.requiresBody && r.group === "webhooks").every((r) => r.method === "POST"));
    assert.equal(evaluate(emptyBody(), request({ headers: { "content-length": ["0", "0"] } })), true);
  });
});

describe("edge rate-limit groups", () => {
  it("counts each group on its own prefix and leaves /health to API Gateway", () => {
    const rules = rateLimitRules(HOST, { webhooksPerMinute: 600, apiPerMinute: 120 });
    const groupOf = (path: string) => rules.filter((r) => evaluate(r.expression, request({ path }))).map((r) => r.group);
    for (const route of ROUTES) {
      assert.deepEqual(groupOf(concrete(route.path)), route.group === "health" ? [] : [route.group], route.path);
    }
  });

  it("refuses groups that cannot be told apart by path prefix", () => {
    const mixed: Route[] = [...FIXTURE, { method: "GET", path: "/v2/tickets", handler: "api", group: "api", requiresBody: false }];
    assert.throws(() => groupPrefix(mixed, "api"), /must share one first path segment/);
    const intruder: Route[] = [...FIXTURE, { method: "GET", path: "/api/ping", handler: "health", group: "health", requiresBody: false }];
    assert.throws(() => groupPrefix(intruder, "api"), /GET \/api\/ping \(group health\) would be counted with group "api"/);
    assert.throws(() => rateLimitRules(HOST, { webhooksPerMinute: 0, apiPerMinute: 1 }), /whole number ≥ 1/);
  });
});
