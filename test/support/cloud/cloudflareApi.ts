/**
 * Stand-in for the Cloudflare v4 API reads preflight makes (no local Cloudflare exists), with the
 * documented envelope ({success, errors, messages, result}) and result shapes:
 * - zone details: https://developers.cloudflare.com/api/resources/zones/methods/get/
 * - Universal SSL settings: https://developers.cloudflare.com/api/resources/ssl/subresources/universal/subresources/settings/methods/get/
 * - certificate packs: https://developers.cloudflare.com/api/resources/ssl/subresources/certificate_packs/methods/list/
 * - a phase's entry-point ruleset: https://developers.cloudflare.com/api/resources/rulesets/subresources/phases/methods/get/
 *   (404 when the zone has none in that phase).
 * Any method but GET is refused (405) and recorded; a wrong token gets the authentication error.
 */
import { type StandIn, startStandIn } from "./standInServer";

export interface CloudflareState {
  token: string;
  zone: { id: string; name: string; accountId: string; plan: "free" | "pro" | "business" | "enterprise" };
  universalSsl: boolean;
  packs: { id: string; hosts: string[]; status: string }[];
  /** Phase → rules already in that entry point (absent: no entry point). */
  entrypoints: Record<string, { id: string; ref?: string; description?: string; expression?: string }[]>;
}

export interface CloudflareStandIn extends StandIn {
  readonly refused: string[];
}

const ok = (result: unknown) => ({ status: 200, body: { success: true, errors: [], messages: [], result } });
const error = (status: number, code: number, message: string) => ({ status, body: { success: false, errors: [{ code, message }], messages: [], result: null } });

export async function startCloudflareStandIn(state: CloudflareState): Promise<CloudflareStandIn> {
  const refused: string[] = [];
  const server = await startStandIn((req) => {
    const path = new URL(req.path, "http://cf").pathname.replace(/^\/client\/v4/, "");
    if (req.method !== "GET") {
      refused.push(`${req.method} ${path}`);
      return error(405, 10405, "stand-in is read-only");
    }
    if (req.headers.authorization !== `Bearer ${state.token}`) return error(403, 10000, "Authentication error");
    const zonePath = `/zones/${state.zone.id}`;
    if (!path.startsWith(zonePath)) return error(404, 1001, "Invalid zone identifier");
    const rest = path.slice(zonePath.length);
    const plans = { free: "Free Website", pro: "Pro Website", business: "Business Website", enterprise: "Enterprise Website" };
    if (rest === "") {
      return ok({ id: state.zone.id, name: state.zone.name, status: "active", account: { id: state.zone.accountId, name: "Example" }, plan: { id: `${state.zone.plan}-plan`, name: plans[state.zone.plan], legacy_id: state.zone.plan } });
    }
    if (rest === "/ssl/universal/settings") return ok({ enabled: state.universalSsl });
    if (rest === "/ssl/certificate_packs") return ok(state.packs.map((p) => ({ ...p, type: "advanced", validation_method: "txt", certificate_authority: "google" })));
    const phase = /^\/rulesets\/phases\/([a-z_]+)\/entrypoint$/.exec(rest)?.[1];
    if (phase !== undefined) {
      const rules = state.entrypoints[phase];
      if (rules === undefined) return error(404, 10003, `could not find entrypoint ruleset in the '${phase}' phase`);
      return ok({ id: `rs-${phase}`, name: "default", kind: "zone", phase, version: "3", rules: rules.map((r) => ({ action: "block", expression: "true", enabled: true, ...r })) });
    }
    return error(404, 7003, "No route for the URI");
  });
  return { ...server, refused };
}
