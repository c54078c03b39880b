/**
 * A stand-in for the three Cloudflare API reads the edge makes at deploy time (no local Cloudflare
 * exists). The zone is held as the API documents its JSON, snake_case, and each answer is handed
 * back the way the bridged provider returns it to the program (the same fields, camelCase):
 *
 * - Zone details, GET /zones/{zone_id}: `{ id, name, account: { id, name }, plan: {...}, status, type, ... }`
 *   (https://developers.cloudflare.com/api/resources/zones/methods/get/)
 * - List zone rulesets, GET /zones/{zone_id}/rulesets: `[{ id, name, description, kind, phase,
 *   version, last_updated }]`, without rules
 *   (https://developers.cloudflare.com/api/resources/rulesets/methods/list/)
 * - Get a zone ruleset, GET /zones/{zone_id}/rulesets/{ruleset_id}: the same plus `rules: [{ id,
 *   ref, version, action, expression, description, enabled, last_updated, action_parameters? }]`
 *   (https://developers.cloudflare.com/api/resources/rulesets/methods/get/)
 *
 * By default the zone is a fresh one matching the stack's config: no entry-point rulesets. Tests
 * pass another zone (dashboard rules, a zone of another account) through RunOptions.cloudflareZone.
 */
export interface ApiRule {
  readonly id: string;
  readonly ref: string;
  readonly version: string;
  readonly action: string;
  readonly expression: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly last_updated: string;
}

export interface ApiRuleset {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly kind: "managed" | "custom" | "root" | "zone";
  readonly phase: string;
  readonly version: string;
  readonly last_updated: string;
  readonly rules: readonly ApiRule[];
}

export interface ApiZone {
  readonly id: string;
  readonly name: string;
  readonly account: { readonly id: string; readonly name: string };
  readonly plan: { readonly id: string; readonly name: string; readonly legacy_id: string };
  readonly status: "active" | "pending" | "initializing" | "moved";
  readonly type: "full" | "partial" | "secondary";
  readonly rulesets: readonly ApiRuleset[];
}

/** A fresh zone as the stack's config describes it (Pro plan, active, full setup, no rulesets). */
export function freshZone(config: Readonly<Record<string, string | undefined>>): ApiZone {
  return {
    id: config["botfleet:cloudflareZoneId"] ?? "0".repeat(32),
    name: config["botfleet:cloudflareZoneName"] ?? "example.com",
    account: { id: config["botfleet:cloudflareAccountId"] ?? "0".repeat(32), name: "botfleet" },
    plan: { id: "94f3b7b768b0458b56d2cac4fe5ec0f9", name: "Pro Website", legacy_id: "pro" },
    status: "active",
    type: "full",
    rulesets: [],
  };
}

/** A rule as Cloudflare stores one written in the dashboard: its ref is its id. */
export function dashboardRule(id: string, action: string, expression: string, description: string): ApiRule {
  return { id, ref: id, version: "1", action, expression, description, enabled: true, last_updated: "2025-01-06T12:00:00.000000Z" };
}

/** The invoke tokens answered here; anything else is not Cloudflare's. */
export function cloudflareCall(token: string, inputs: Record<string, unknown>, zone: ApiZone): Record<string, unknown> | undefined {
  const asked = inputs.zoneId;
  const answers: Record<string, () => Record<string, unknown>> = {
    "cloudflare:index/getZone:getZone": () => camel({ ...withoutRulesets(zone), zone_id: zone.id }),
    "cloudflare:index/getRulesets:getRulesets": () => {
      const rulesets = zone.rulesets.map(({ rules: _rules, ...summary }) => summary);
      return camel({ zone_id: zone.id, max_items: 1000, rulesets, results: rulesets });
    },
    "cloudflare:index/getRuleset:getRuleset": () => {
      const found = zone.rulesets.find((r) => r.id === inputs.id);
      // The API answers 404 with error code 10000-series; the provider turns it into an error.
      if (!found) throw new Error(`cloudflare stand-in: GET /zones/${String(asked)}/rulesets/${String(inputs.id)}: 404 Not Found`);
      return camel({ ...found, zone_id: zone.id });
    },
  };
  const answer = answers[token];
  if (!answer) return undefined;
  if (asked !== zone.id) throw new Error(`cloudflare stand-in: zone ${String(asked)} is not visible to this token (403), only ${zone.id}`);
  return answer();
}

function withoutRulesets(zone: ApiZone): Omit<ApiZone, "rulesets"> {
  const { rulesets: _rulesets, ...rest } = zone;
  return rest;
}

/** snake_case keys → camelCase, recursively (the bridge's naming of Terraform attributes). */
function camel<T>(value: T): Record<string, unknown> {
  return convert(value) as Record<string, unknown>;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()), convert(v)]));
  }
  return value;
}
