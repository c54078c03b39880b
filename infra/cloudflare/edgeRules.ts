import { ROUTES, type Route, type RouteGroup } from "../../runtime/routes";
import { and, eq, type Expr, hasHeader, headerEq, ipIn, not, oneOf, or, pathTemplate, startsWith } from "./expressions";
import { TELEGRAM_WEBHOOK_RANGES } from "./telegramRanges";

/**
 * The edge's rules as data, derived from the route table (runtime/routes.ts) the API itself uses.
 * Every rule is scoped to the API hostname, so other names in the same zone are untouched. Pure:
 * the Edge component renders these, tests evaluate them.
 */
export interface EdgeRule {
  /** Stable reference, so Cloudflare updates a rule in place instead of replacing it. */
  readonly ref: string;
  readonly description: string;
  readonly action: "block";
  readonly expression: Expr;
}

export interface RateLimitRule extends EdgeRule {
  readonly group: RouteGroup;
  readonly requestsPerPeriod: number;
  readonly period: number;
  readonly mitigationTimeout: number;
  /** Counted per client IP (cf.colo.id is mandatory in the API: counters are per data centre). */
  readonly characteristics: readonly ["ip.src", "cf.colo.id"];
}

/** A request is one of the table's routes: its path template and one of that path's methods. */
export function knownRoute(routes: readonly Route[] = ROUTES): Expr {
  const methodsByPath = new Map<string, string[]>();
  for (const route of routes) methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  return or(...[...methodsByPath].map(([path, methods]) => and(oneOf("http.request.method", methods), pathTemplate(path))));
}

/** The custom firewall rules (phase http_request_firewall_custom), in evaluation order. */
export function firewallRules(host: string, routes: readonly Route[] = ROUTES): EdgeRule[] {
  const onHost = eq("http.host", host);
  const telegram = routes.filter((r) => r.handler === "telegram");
  if (telegram.length === 0) throw new Error("the route table has no telegram route to restrict to Telegram's ranges");
  const withBody = routes.filter((r) => r.requiresBody);

  return [
    {
      ref: "block_unknown_routes",
      description: "Block every method and path that is not in the route table",
      action: "block",
      expression: and(onHost, not(knownRoute(routes))),
    },
    {
      ref: "telegram_only_from_telegram",
      description: "Telegram webhook only from Telegram's published source ranges",
      action: "block",
      expression: and(onHost, knownRoute(telegram), not(ipIn(TELEGRAM_WEBHOOK_RANGES))),
    },
    {
      ref: "block_empty_bodies",
      description: "Block requests without a body on routes that require one",
      action: "block",
      expression: and(onHost, knownRoute(withBody), emptyBody()),
    },
  ];
}

/**
 * No body: Content-Length is 0, or an HTTP/1.x request carries neither Content-Length nor
 * Transfer-Encoding (RFC 9112 §6.3: then its body is empty). HTTP/2 and HTTP/3 may omit
 * Content-Length on a request that has a body, so there only an explicit 0 counts.
 * (`http.request.body.size` would be exact but needs Enterprise with a paid add-on.)
 */
export function emptyBody(): Expr {
  return or(
    headerEq("content-length", "0"),
    and(oneOf("http.request.version", ["HTTP/1.0", "HTTP/1.1"]), not(hasHeader("content-length")), not(hasHeader("transfer-encoding"))),
  );
}

export interface RateLimits {
  readonly webhooksPerMinute: number;
  readonly apiPerMinute: number;
}

/** Counting window and block duration, in seconds (Pro and above allow 60). */
export const RATE_LIMIT_PERIOD = 60;
export const RATE_LIMIT_MITIGATION_TIMEOUT = 60;

/**
 * Rate limiting rules (phase http_ratelimit), one per rate-limited route group. They match on the
 * path prefix only, because the fields Pro plans may use in rate-limiting rules are host and URI
 * (not the method). /health is left to API Gateway's stage throttling: Pro allows two such rules.
 */
export function rateLimitRules(host: string, limits: RateLimits, routes: readonly Route[] = ROUTES): RateLimitRule[] {
  const perGroup: { group: RouteGroup; requestsPerPeriod: number }[] = [
    { group: "webhooks", requestsPerPeriod: limits.webhooksPerMinute },
    { group: "api", requestsPerPeriod: limits.apiPerMinute },
  ];
  return perGroup.map(({ group, requestsPerPeriod }) => {
    if (!Number.isInteger(requestsPerPeriod) || requestsPerPeriod < 1) throw new Error(`${group} rate limit must be a whole number ≥ 1; got ${requestsPerPeriod}`);
    return {
      ref: `rate_limit_${group}`,
      description: `Rate limit ${group} routes per client IP: ${requestsPerPeriod} requests per ${RATE_LIMIT_PERIOD} s`,
      action: "block",
      expression: and(eq("http.host", host), startsWith("http.request.uri.path", groupPrefix(routes, group))),
      group,
      requestsPerPeriod,
      period: RATE_LIMIT_PERIOD,
      mitigationTimeout: RATE_LIMIT_MITIGATION_TIMEOUT,
      characteristics: ["ip.src", "cf.colo.id"],
    };
  });
}

/** `/<first segment>/`, shared by every route of the group and by no route of another group. */
export function groupPrefix(routes: readonly Route[], group: RouteGroup): string {
  const firstSegment = (r: Route) => r.path.split("/")[1] ?? "";
  const members = routes.filter((r) => r.group === group);
  const segments = new Set(members.map(firstSegment));
  const [segment] = segments;
  if (segment === undefined || segments.size !== 1) {
    throw new Error(`routes of group "${group}" must share one first path segment to be rate limited together; found ${[...segments].join(", ") || "none"}`);
  }
  const prefix = `/${segment}/`;
  const intruder = routes.find((r) => r.group !== group && r.path.startsWith(prefix));
  if (intruder) throw new Error(`${intruder.method} ${intruder.path} (group ${intruder.group}) would be counted with group "${group}"`);
  return prefix;
}
