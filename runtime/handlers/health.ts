import { type EntryDeps, httpEntry } from "../http/entry";
import { entryDepsFromEnv, oncePerColdStart } from "../http/entryDeps";
import type { HttpResult } from "../http/event";
import { json } from "../http/respond";

/** GET /health: liveness only (behind the origin lock like every route); touches no store. */
export async function handleHealth(_deps: EntryDeps): Promise<HttpResult> {
  return json(200, { status: "ok" });
}

export const createHealthHandler = (deps: EntryDeps) => httpEntry("health", () => Promise.resolve(deps), handleHealth, deps.logger);

export const handler = httpEntry("health", oncePerColdStart(() => entryDepsFromEnv()), handleHealth);
