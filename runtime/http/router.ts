import { type HttpMethod, type Route, ROUTES } from "../routes";

export type RouteMatch =
  | { readonly kind: "route"; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "notFound" }
  | { readonly kind: "methodNotAllowed"; readonly allow: readonly HttpMethod[] };

/** A route's path template split once: literal segments, and `{name}` parameters. */
interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly (string | { readonly param: string })[];
}

interface CompiledTable {
  readonly routes: readonly CompiledRoute[];
  /**
   * "METHOD /path" → the match, for each route without parameters that the walk below picks for
   * its own path: a webhook's route is one lookup instead of a walk of the table (every request).
   */
  readonly literal: ReadonlyMap<string, RouteMatch>;
}

const compiledTables = new WeakMap<readonly Route[], CompiledTable>();

/** Each route table is split into segments once per process, not on every request. */
function compiled(routes: readonly Route[]): CompiledTable {
  let table = compiledTables.get(routes);
  if (table === undefined) {
    const compiledRoutes = routes.map((route) => ({
      route,
      segments: route.path.split("/").map((segment) => (segment.startsWith("{") && segment.endsWith("}") ? { param: segment.slice(1, -1) } : segment)),
    }));
    const literal = new Map<string, RouteMatch>();
    for (const { route, segments } of compiledRoutes) {
      if (segments.some((segment) => typeof segment !== "string")) continue;
      const match = walk(compiledRoutes, route.method, route.path.split("/"));
      if (match.kind === "route" && match.route === route) literal.set(`${route.method} ${route.path}`, Object.freeze({ ...match, params: Object.freeze({}) }));
    }
    table = { routes: compiledRoutes, literal };
    compiledTables.set(routes, table);
  }
  return table;
}

/** Dispatch over the route table: unknown path → notFound, known path with another method → methodNotAllowed. */
export function matchRoute(method: string, path: string, routes: readonly Route[] = ROUTES): RouteMatch {
  const normalized = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  const wanted = method.toUpperCase();
  const table = compiled(routes);
  return table.literal.get(`${wanted} ${normalized}`) ?? walk(table.routes, wanted, normalized.split("/"));
}

function walk(routes: readonly CompiledRoute[], wanted: string, got: readonly string[]): RouteMatch {
  let exact: { route: Route; params: Record<string, string> } | undefined;
  const allow: HttpMethod[] = [];
  for (const candidate of routes) {
    if (candidate.segments.length !== got.length) continue;
    const params = matchSegments(candidate.segments, got);
    if (params === undefined) continue;
    if (exact === undefined && candidate.route.method === wanted) exact = { route: candidate.route, params };
    if (!allow.includes(candidate.route.method)) allow.push(candidate.route.method);
  }
  if (exact !== undefined) return { kind: "route", route: exact.route, params: exact.params };
  return allow.length === 0 ? { kind: "notFound" } : { kind: "methodNotAllowed", allow };
}

function matchSegments(segments: CompiledRoute["segments"], got: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = segments[i] as CompiledRoute["segments"][number];
    const g = got[i] as string;
    if (typeof want === "string") {
      if (want !== g) return undefined;
    } else {
      if (g === "") return undefined;
      try {
        params[want.param] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    }
  }
  return params;
}
