import { type HttpMethod, type Route, ROUTES } from "../routes";

export type RouteMatch =
  | { readonly kind: "route"; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "notFound" }
  | { readonly kind: "methodNotAllowed"; readonly allow: readonly HttpMethod[] };

/** Dispatch over the route table: unknown path → notFound, known path with another method → methodNotAllowed. */
export function matchRoute(method: string, path: string, routes: readonly Route[] = ROUTES): RouteMatch {
  const normalized = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  const byPath = routes
    .map((route) => ({ route, params: matchPath(route.path, normalized) }))
    .filter((m): m is { route: Route; params: Record<string, string> } => m.params !== undefined);
  if (byPath.length === 0) return { kind: "notFound" };
  const exact = byPath.find((m) => m.route.method === method.toUpperCase());
  if (exact !== undefined) return { kind: "route", route: exact.route, params: exact.params };
  return { kind: "methodNotAllowed", allow: [...new Set(byPath.map((m) => m.route.method))] };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return undefined;
      }
      params[w.slice(1, -1)] = value;
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}
