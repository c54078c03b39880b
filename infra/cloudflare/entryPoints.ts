import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/**
 * The zone's entry-point rulesets, read at deploy time (preview included) before the edge writes
 * any: Cloudflare keeps ONE entry-point ruleset per phase and zone, shared by everything that writes
 * rules in that phase (https://developers.cloudflare.com/ruleset-engine/about/phases/). Creating
 * the edge's ruleset where one exists fails ("A similar configuration with rules already exists",
 * pulumi/pulumi-cloudflare#782); once imported, `pulumi up` replaces all its rules with the edge's.
 * So the program refuses, listing them, rules it did not write, unless the stack opts in
 * (botfleet:cloudflareAdoptForeignRules). It also checks that the zone id names the configured
 * zone in the configured account, so the certificate check (made against the zone name) and the
 * policy pack's zone pinning judge the zone that is really there.
 */

/** Every rule the edge writes carries this ref prefix; any other ref in its phases is foreign. */
export const OWN_REF_PREFIX = "botfleet_";

/** The name the edge gives its ruleset in a phase; an entry point with another name was not created by botfleet. */
export const rulesetName = (phase: string): string => `botfleet ${phase}`;

export interface ExistingRule {
  readonly ref?: string;
  readonly description?: string;
  readonly action?: string;
  readonly expression?: string;
}

export interface ExistingEntryPoint {
  readonly id: string;
  readonly phase: string;
  readonly name: string;
  readonly rules: readonly ExistingRule[];
}

export interface ZoneFacts {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
}

export interface Expected {
  readonly zoneId: string;
  readonly zoneName: string;
  readonly accountId: string;
  /** Phase → the Pulumi resource name of the edge's ruleset there (for the import instructions). */
  readonly phases: Readonly<Record<string, string>>;
  readonly adoptForeignRules: boolean;
}

/** Pure: what stops the edge from writing its rulesets, one line each (empty: nothing does). */
export function entryPointProblems(expected: Expected, zone: ZoneFacts, entryPoints: readonly ExistingEntryPoint[]): string[] {
  const problems: string[] = [];
  if (zone.name !== expected.zoneName) {
    problems.push(`botfleet:cloudflareZoneName: zone ${expected.zoneId} is named ${zone.name}, not ${expected.zoneName}; set the zone's real name (the certificate check depends on it)`);
  }
  if (zone.accountId !== expected.accountId) {
    problems.push(`botfleet:cloudflareAccountId: zone ${expected.zoneId} belongs to account ${zone.accountId}, not ${expected.accountId}`);
  }
  if (expected.adoptForeignRules) return problems;
  for (const entry of entryPoints) {
    const resource = expected.phases[entry.phase];
    if (resource === undefined) continue;
    const foreign = entry.rules.filter((r) => !(r.ref ?? "").startsWith(OWN_REF_PREFIX));
    const notOurs = entry.name !== rulesetName(entry.phase);
    if (!notOurs && foreign.length === 0) continue;
    const listed = foreign.map((r) => `    - ${r.ref ?? "(no ref)"} ${JSON.stringify(r.description ?? "")}: ${r.action ?? "?"} when ${r.expression ?? "?"}`);
    problems.push(
      [
        `botfleet:cloudflareAdoptForeignRules: phase ${entry.phase} of zone ${expected.zoneId} already has entry-point ruleset ${entry.id} (${JSON.stringify(entry.name)})` +
          `${notOurs ? ", not created by botfleet" : ""}, with ${foreign.length} rule(s) botfleet did not write; the edge's ${resource} would replace them all:`,
        ...listed,
        `  Move rules you need into infra/cloudflare/, then adopt the entry point: import zones/${expected.zoneId}/${entry.id} as ${resource} (README "Adopting existing rulesets") and set botfleet:cloudflareAdoptForeignRules true for that one update.`,
      ].join("\n"),
    );
  }
  return problems;
}

/**
 * Reads the zone and its entry points through the stack's Cloudflare provider and resolves once
 * nothing stops the edge; otherwise rejects with every problem. Rulesets that take it as an input
 * are registered only after it resolves, so a refused deploy writes no rule.
 */
export function guardEntryPoints(expected: Expected, opts: pulumi.InvokeOptions): pulumi.Output<true> {
  const zone = cloudflare.getZoneOutput({ zoneId: expected.zoneId }, opts);
  const rulesets = cloudflare.getRulesetsOutput({ zoneId: expected.zoneId }, opts);
  return pulumi.all([zone, rulesets]).apply(async ([z, list]) => {
    // List zone rulesets returns no rules; an entry point is the zone's ruleset of kind "zone" in a phase.
    const ours = list.rulesets.filter((r) => r.kind === "zone" && expected.phases[r.phase] !== undefined);
    const entryPoints = await Promise.all(
      ours.map(async (r): Promise<ExistingEntryPoint> => {
        const full = await cloudflare.getRuleset({ zoneId: expected.zoneId, id: r.id }, opts);
        return { id: r.id, phase: r.phase, name: r.name, rules: full.rules ?? [] };
      }),
    );
    const problems = entryPointProblems(expected, { id: z.id, name: z.name, accountId: z.account.id }, entryPoints);
    if (problems.length > 0) throw new EdgeRefusedError(problems);
    return true as const;
  });
}

export class EdgeRefusedError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The Cloudflare edge cannot be deployed into this zone as configured:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EdgeRefusedError";
  }
}
