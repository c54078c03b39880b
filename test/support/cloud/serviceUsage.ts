/**
 * Stand-in for Service Usage's services.list (no local Google control plane exists), with the
 * documented response (`services[]` of {name, config.name, state, parent}, `nextPageToken`) and
 * error shape: https://cloud.google.com/service-usage/docs/reference/rest/v1/services/list.
 * Serves one page per call of at most two services so pagination is exercised. Anything else
 * (enable, disable, batchEnable: all POST) is refused and recorded.
 */
import { type StandIn, startStandIn } from "./standInServer";

export interface ServiceUsageState {
  token: string;
  project: string;
  enabled: string[];
}

export interface ServiceUsageStandIn extends StandIn {
  readonly refused: string[];
}

export async function startServiceUsageStandIn(state: ServiceUsageState): Promise<ServiceUsageStandIn> {
  const refused: string[] = [];
  const server = await startStandIn((req) => {
    const url = new URL(req.path, "http://serviceusage");
    const match = /^\/v1\/projects\/([^/]+)\/services$/.exec(url.pathname);
    if (req.method !== "GET" || match === null) {
      refused.push(`${req.method} ${url.pathname}`);
      return { status: 405, body: { error: { code: 405, message: "stand-in serves services.list only", status: "METHOD_NOT_ALLOWED" } } };
    }
    if (req.headers.authorization !== `Bearer ${state.token}`) return { status: 401, body: { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } } };
    if (decodeURIComponent(match[1] as string) !== state.project) {
      return { status: 403, body: { error: { code: 403, message: `Permission denied to list services for consumer container [projects/${match[1]}]`, status: "PERMISSION_DENIED" } } };
    }
    const start = Number(url.searchParams.get("pageToken") ?? "0");
    const page = state.enabled.slice(start, start + 2);
    const next = start + 2 < state.enabled.length ? String(start + 2) : undefined;
    return {
      status: 200,
      body: {
        services: page.map((name) => ({ name: `projects/123456789012/services/${name}`, config: { name, title: name }, state: "ENABLED", parent: "projects/123456789012" })),
        ...(next !== undefined ? { nextPageToken: next } : {}),
      },
    };
  });
  return { ...server, refused };
}
