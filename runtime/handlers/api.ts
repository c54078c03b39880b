import { type ApiDeps } from "../api/deps";
import { apiDepsFromEnv } from "../api/depsFromEnv";
import { handleApi } from "../api/dispatch";
import { oncePerColdStart } from "../app/deps";
import { httpEntry } from "../http/entry";

/** /api/...: the agents' API (Bearer JWT, roles viewer < agent < admin). */
export const createApiHandler = (deps: ApiDeps) => httpEntry("api", () => Promise.resolve(deps), handleApi, deps.logger);

export const handler = httpEntry("api", oncePerColdStart(() => apiDepsFromEnv()), handleApi);
