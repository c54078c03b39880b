/**
 * The route table: the single source for API Gateway routes (infra/aws), the Cloudflare WAF
 * allow-list (infra/cloudflare), the local stack's router (tools/) and the handlers' own dispatch.
 * Pure data: infra imports it, so it must never import anything that is not pure.
 */
export type HttpMethod = "GET" | "POST" | "PATCH";

/**
 * Deployed entry points; each is runtime/handlers/<name>.ts exporting `handler`. `export` and
 * `outbox` have no route: EventBridge Scheduler invokes them.
 */
export const HANDLERS = ["telegram", "discord", "slack", "meta", "health", "api", "export", "outbox"] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** Route groups share edge rate limits. */
export type RouteGroup = "webhooks" | "api" | "health";

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway v2 route path; `{name}` is one path segment. */
  readonly path: string;
  readonly handler: HandlerName;
  readonly group: RouteGroup;
  /** The request must carry a body (the edge blocks such requests without one). */
  readonly requiresBody: boolean;
}

const webhook = (method: HttpMethod, platform: "telegram" | "discord" | "slack" | "meta"): Route => ({
  method,
  path: `/webhooks/${platform}`,
  handler: platform,
  group: "webhooks",
  requiresBody: method === "POST",
});

const api = (method: HttpMethod, path: string, requiresBody = false): Route => ({
  method,
  path,
  handler: "api",
  group: "api",
  requiresBody,
});

export const ROUTES: readonly Route[] = [
  webhook("POST", "telegram"),
  webhook("POST", "discord"),
  webhook("POST", "slack"),
  webhook("GET", "meta"),
  webhook("POST", "meta"),
  { method: "GET", path: "/health", handler: "health", group: "health", requiresBody: false },
  api("GET", "/api/tickets"),
  api("GET", "/api/tickets/{id}"),
  api("PATCH", "/api/tickets/{id}", true),
  api("POST", "/api/tickets/{id}/messages", true),
  api("POST", "/api/exports", true),
  api("GET", "/api/exports/{id}"),
  api("GET", "/api/exports/{id}/download"),
  api("GET", "/api/stats"),
];

/** Header that the Cloudflare edge adds and deployed functions require (origin lock). */
export const ORIGIN_VERIFY_HEADER = "x-botfleet-origin-verify";

/** The largest body each route accepts is its handler's (runtime/http/bodyLimits.ts). */
