import { requireRole } from "../auth/authorize";
import { type Role } from "../auth/roles";
import { type Principal } from "../auth/verifyBearer";
import { type HttpRequest } from "../http/entry";
import { type HttpResult } from "../http/event";
import { createExport, downloadExport, getExport } from "./exports";
import { NotFoundError } from "./errors";
import { type ApiDeps } from "./deps";
import { stats } from "./stats";
import { getTicket, listTickets, replyToTicket, updateTicket } from "./tickets";

type ApiRoute = { readonly role: Role; readonly run: (deps: ApiDeps, request: HttpRequest, principal: Principal) => Promise<HttpResult> };

/** Every /api route of runtime/routes.ts with the role it needs (viewer < agent < admin). */
export const API_ROUTES: Readonly<Record<string, ApiRoute>> = {
  "GET /api/tickets": { role: "viewer", run: listTickets },
  "GET /api/tickets/{id}": { role: "viewer", run: getTicket },
  "PATCH /api/tickets/{id}": { role: "agent", run: updateTicket },
  "POST /api/tickets/{id}/messages": { role: "agent", run: replyToTicket },
  "POST /api/exports": { role: "admin", run: createExport },
  "GET /api/exports/{id}": { role: "admin", run: getExport },
  "GET /api/exports/{id}/download": { role: "admin", run: downloadExport },
  "GET /api/stats": { role: "viewer", run: (deps) => stats(deps) },
};

/**
 * The API handler's order: bearer token (401) → role (403) → the route, which validates its
 * query and body (400). Nothing is read or written for a request that fails the first two.
 */
export async function handleApi(deps: ApiDeps, request: HttpRequest): Promise<HttpResult> {
  const route = API_ROUTES[`${request.route.method} ${request.route.path}`];
  if (!route) throw new NotFoundError("api route without implementation");
  const principal = await deps.verifyBearer(request.headers.authorization);
  requireRole(principal, route.role);
  const logger = request.logger.child({ subject: principal.subject, role: principal.role });
  return route.run(deps, { ...request, logger }, principal);
}
