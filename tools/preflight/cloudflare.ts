/**
 * Cloudflare checks, read-only (GET only) with CLOUDFLARE_API_TOKEN against the v4 API
 * (BOTFLEET_CLOUDFLARE_API_URL overrides the base URL, for tests):
 * - the zone (GET /zones/{zone_id}): its name covers the configured domain, it belongs to the
 *   configured account, and its plan has what the edge deploys;
 * - the API host has an active certificate at the edge: Universal SSL covers the apex and
 *   first-level names only (https://developers.cloudflare.com/ssl/edge-certificates/universal-ssl/limitations/#hostname-coverage);
 *   deeper names need a certificate pack (GET /zones/{zone_id}/ssl/certificate_packs);
 * - each entry-point ruleset the program writes (GET /zones/{zone_id}/rulesets/phases/{phase}/entrypoint):
 *   a zone has one per phase, and rules the program does not own would be overwritten.
 */
import type { Expectations } from "./expectations";
import { type CheckResult, fail, guarded, MissingCredentialsError, pass } from "./result";

export const CLOUDFLARE_API_URL_ENV = "BOTFLEET_CLOUDFLARE_API_URL";
export const CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4";

const PLANS = ["free", "pro", "business", "enterprise"] as const;
type Plan = (typeof PLANS)[number];

/**
 * The plan the edge needs. Managed rulesets: Pro and above. Rate limiting rules: Free allows one
 * rule with a 10 s period, Pro two rules with periods up to 60 s, Business five
 * (https://developers.cloudflare.com/waf/rate-limiting-rules/#availability,
 * https://developers.cloudflare.com/waf/managed-rules/#availability).
 */
export function requiredPlan(expect: Pick<Expectations, "managedWaf" | "rateLimits">): { plan: Plan; why: string[] } {
  const why: string[] = [];
  let plan: Plan = "free";
  const atLeast = (p: Plan, reason: string) => {
    why.push(`${reason} (${p}+)`);
    if (PLANS.indexOf(p) > PLANS.indexOf(plan)) plan = p;
  };
  if (expect.managedWaf) atLeast("pro", "Cloudflare managed ruleset");
  const { rules, longestPeriod } = expect.rateLimits;
  if (rules > 2 || longestPeriod > 60) atLeast("business", `${rules} rate-limiting rules, period up to ${longestPeriod} s`);
  else if (rules > 1 || longestPeriod > 10) atLeast("pro", `${rules} rate-limiting rules, period ${longestPeriod} s`);
  return { plan, why };
}

/** Whether a certificate host entry (exact or `*.` one-label wildcard) covers `host`. */
export function hostCovers(entry: string, host: string): boolean {
  if (entry === host) return true;
  return entry.startsWith("*.") && host.endsWith(entry.slice(1)) && !host.slice(0, host.length - entry.length + 1).includes(".");
}

interface Envelope<T> {
  readonly success: boolean;
  readonly errors?: readonly { code: number; message: string }[];
  readonly result: T;
  readonly result_info?: { page?: number; total_pages?: number };
}

class CloudflareApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  /** GET only: this tool never writes. Undefined for 404 (nothing there). */
  async get<T>(path: string): Promise<Envelope<T> | undefined> {
    const response = await fetch(`${this.base}${path}`, { method: "GET", headers: { authorization: `Bearer ${this.token}`, accept: "application/json" } });
    if (response.status === 404) return undefined;
    const body = (await response.json().catch(() => undefined)) as Envelope<T> | undefined;
    if (!response.ok || body?.success !== true) {
      const errors = body?.errors?.map((e) => `${e.code} ${e.message}`).join("; ");
      throw new Error(`Cloudflare API ${response.status} on GET ${path.split("?")[0] ?? path}${errors ? `: ${errors}` : ""}`);
    }
    return body;
  }
}

export function cloudflareApi(env: NodeJS.ProcessEnv): CloudflareApi {
  const token = env.CLOUDFLARE_API_TOKEN;
  if (token === undefined || token === "") throw new MissingCredentialsError("Cloudflare: CLOUDFLARE_API_TOKEN is not set (a token with Zone:Read, SSL and Certificates:Read and Zone WAF:Read on the stack's zone)");
  return new CloudflareApi((env[CLOUDFLARE_API_URL_ENV] ?? CLOUDFLARE_API_URL).replace(/\/$/, ""), token);
}

interface Zone {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly account?: { readonly id: string };
  readonly plan?: { readonly legacy_id?: string; readonly name?: string };
}

export async function cloudflareChecks(expect: Expectations, api: CloudflareApi): Promise<CheckResult[]> {
  const { zoneId, accountId } = expect.settings.cloudflare;
  const zonePath = `/zones/${zoneId}`;
  const zoneFix = `set botfleet:cloudflareZoneId to the zone that holds ${expect.settings.domain}, and give CLOUDFLARE_API_TOKEN Zone:Read on it`;
  let zone: Zone | undefined;
  const zoneResults = await guarded("cloudflare zone", zoneFix, async () => {
    zone = (await api.get<Zone>(zonePath))?.result;
    if (zone === undefined) return fail("cloudflare zone", `zone ${zoneId} not found (or not visible to the token)`, zoneFix);
    const domain = expect.settings.domain;
    const results: CheckResult[] = [];
    results.push(
      zone.name !== expect.settings.cloudflare.zoneName
        ? fail("cloudflare zone", `zone ${zoneId} is ${zone.name}, not botfleet:cloudflareZoneName ${expect.settings.cloudflare.zoneName}`, zoneFix)
        : domain === zone.name || domain.endsWith(`.${zone.name}`)
          ? pass("cloudflare zone", `zone ${zone.name} (${zone.status}) holds ${domain}`)
          : fail("cloudflare zone", `zone ${zoneId} is ${zone.name}, which does not hold botfleet:domain ${domain}`, zoneFix),
    );
    results.push(
      zone.account?.id === accountId
        ? pass("cloudflare account", `zone belongs to account ${accountId}`)
        : fail("cloudflare account", `zone belongs to account ${zone.account?.id ?? "?"}, botfleet:cloudflareAccountId is ${accountId}`, "set botfleet:cloudflareAccountId to the account that owns the zone"),
    );
    const needed = requiredPlan(expect);
    const actual = (zone.plan?.legacy_id ?? "free") as Plan;
    const enough = PLANS.indexOf(actual) >= PLANS.indexOf(needed.plan);
    const detail = `plan ${zone.plan?.name ?? actual}; the edge needs ${needed.plan}${needed.why.length ? ` for ${needed.why.join(", ")}` : ""}`;
    results.push(
      enough
        ? pass("cloudflare plan", detail)
        : fail("cloudflare plan", detail, `upgrade the zone to ${needed.plan}, or turn off what needs it (botfleet:cloudflareManagedWaf false for the managed ruleset)`),
    );
    return results;
  });
  const host = expect.settings.apiHostname;
  const certificateFix = `order an advanced certificate covering ${host} for the zone (SSL/TLS > Edge Certificates), or use a botfleet:domain whose API host is at most one label below the zone`;
  const certificate = await guarded("edge certificate", certificateFix, async () => {
    const zoneName = zone?.name;
    if (zoneName === undefined) return fail("edge certificate", "zone unknown (see the zone check)", zoneFix);
    const underZone = host === zoneName || (host.endsWith(`.${zoneName}`) && !host.slice(0, -zoneName.length - 1).includes("."));
    if (underZone) {
      const universal = (await api.get<{ enabled: boolean }>(`${zonePath}/ssl/universal/settings`))?.result;
      if (universal?.enabled !== false) return pass("edge certificate", `${host} is covered by Universal SSL (apex and first-level names of ${zoneName})`);
    }
    const packs = (await api.get<{ id: string; status: string; hosts: string[] }[]>(`${zonePath}/ssl/certificate_packs?status=all&per_page=50`))?.result ?? [];
    const covering = packs.filter((p) => p.hosts.some((h) => hostCovers(h, host)));
    const active = covering.find((p) => p.status === "active");
    if (active !== undefined) return pass("edge certificate", `${host} is covered by certificate pack ${active.id} (active)`);
    const why = underZone ? "Universal SSL is disabled" : `Universal SSL covers only ${zoneName} and *.${zoneName}`;
    return fail("edge certificate", `no active certificate covers ${host}: ${why}${covering.length ? `; packs ${covering.map((p) => `${p.id} ${p.status}`).join(", ")} are not active` : ""}`, certificateFix);
  });
  const rulesets = await Promise.all([...expect.rulesetPhases].map(([phase, refs]) => entrypoint(api, zonePath, zoneId, phase, refs, host)));
  return [...zoneResults, ...certificate, ...rulesets.flat()];
}

interface Ruleset {
  readonly id: string;
  readonly name?: string;
  readonly rules?: readonly { readonly id: string; readonly ref?: string; readonly description?: string; readonly expression?: string }[];
}

/**
 * A rule is this stack's when it carries one of the program's refs and is scoped to this stack's API
 * host: every stack renders the same refs, so a ruleset of another stack on the same zone (dev and
 * prod sharing it) differs only in the host its expressions name.
 */
function entrypoint(api: CloudflareApi, zonePath: string, zoneId: string, phase: string, ownRefs: readonly string[], host: string): Promise<CheckResult[]> {
  const id = `ruleset ${phase}`;
  return guarded(id, "give CLOUDFLARE_API_TOKEN Zone WAF:Read (or Account Rulesets:Read) on the zone", async () => {
    const ruleset = (await api.get<Ruleset>(`${zonePath}/rulesets/phases/${phase}/entrypoint`))?.result;
    if (ruleset === undefined) return pass(id, "no entry-point ruleset yet: pulumi up creates it");
    const foreign = (ruleset.rules ?? []).filter((rule) => rule.ref === undefined || !ownRefs.includes(rule.ref) || !(rule.expression ?? "").includes(`"${host}"`));
    const adopt = `pulumi import cloudflare:index/ruleset:Ruleset <name> zones/${zoneId}/${ruleset.id}`;
    if (foreign.length === 0) return pass(id, `entry point ${ruleset.id} holds only this program's rules (adopt it with \`${adopt}\` if this stack did not create it)`);
    return fail(
      id,
      `entry point ${ruleset.id} has ${foreign.length} rule(s) this program does not own (${foreign.map((r) => r.description ?? r.ref ?? r.id).join("; ")}): pulumi up would fail to create the phase, or overwrite them`,
      `move or delete those rules (another stack on the same zone, or dashboard rules), then adopt the ruleset with \`${adopt}\``,
    );
  });
}
