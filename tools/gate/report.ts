import type { PolicyInfo } from "./judge";
import type { GateResource, Violation } from "./resources";

export interface GateResult {
  readonly stack: string;
  readonly pack: string;
  readonly policies: readonly PolicyInfo[];
  readonly resources: readonly GateResource[];
  readonly violations: readonly Violation[];
  /** What was judged, for SARIF locations: Pulumi.<stack>.yaml (plan) or the state file (audit). */
  readonly artifact: string;
}

export function isBlocking(v: Violation): boolean {
  return v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate";
}

/** 1 when any violation blocks a deploy (mandatory), else 0: the exit code of plan and audit. */
export function exitCodeFor(violations: readonly Violation[]): 0 | 1 {
  return violations.some(isBlocking) ? 1 : 0;
}

/** The --json document (schema in DESIGN.md). */
export function toJson(result: GateResult): string {
  return JSON.stringify(
    {
      stack: result.stack,
      resources: result.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name })),
      violations: result.violations.map((v) => ({ pack: v.pack, policy: v.policy, enforcementLevel: v.enforcementLevel, urn: v.urn, message: v.message })),
    },
    null,
    2,
  );
}

/** SARIF 2.1.0: one rule per policy, one result per violation, located at the judged file and the resource URN. */
export function toSarif(result: GateResult): string {
  const rules = result.policies.map((p) => ({
    id: p.name,
    name: p.name,
    shortDescription: { text: p.description },
    fullDescription: { text: p.description },
    defaultConfiguration: { level: p.enforcementLevel === "advisory" ? "warning" : "error" },
    properties: { tags: ["security", "pulumi-policy"], ...(p.severity ? { "security-severity": SEVERITY_SCORE[p.severity] ?? "5.0", severity: p.severity } : {}) },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "botfleet-policy-gate", informationUri: "https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/", version: "0.1.0", rules } },
        automationDetails: { id: `botfleet/${result.stack}/` },
        results: result.violations.map((v) => ({
          ruleId: v.policy,
          ...(ruleIndex.has(v.policy) ? { ruleIndex: ruleIndex.get(v.policy) } : {}),
          level: isBlocking(v) ? "error" : "warning",
          message: { text: v.message },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: result.artifact } },
              logicalLocations: [{ fullyQualifiedName: v.urn, kind: "resource" }],
            },
          ],
          partialFingerprints: { "pulumiUrn/v1": `${v.policy}|${v.urn}` },
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

const SEVERITY_SCORE: Record<string, string> = { low: "3.0", medium: "5.5", high: "8.0", critical: "9.5" };

/** The readable plan: resources by type, violations grouped by policy with URN and fix, a summary line. */
export function toText(result: GateResult, color: boolean, verb: "plan" | "audit"): string {
  const paint = (code: string) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const bold = paint("1");
  const red = paint("31");
  const yellow = paint("33");
  const green = paint("32");
  const dim = paint("2");
  const lines: string[] = [];
  lines.push(bold(`botfleet ${verb}: stack ${result.stack}, policy pack ${result.pack} (${result.policies.length} policies)`));
  lines.push("");
  const byType = new Map<string, GateResource[]>();
  for (const r of result.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  lines.push(bold(`Resources (${result.resources.length})`));
  for (const [type, list] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${type} ${dim(`x${list.length}`)}`);
    for (const r of list) lines.push(`    ${r.name}`);
  }
  lines.push("");
  const byPolicy = new Map<string, Violation[]>();
  for (const v of result.violations) byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]);
  if (byPolicy.size > 0) {
    lines.push(bold("Violations"));
    for (const [policy, list] of byPolicy) {
      const level = list[0]?.enforcementLevel ?? "mandatory";
      const mark = isBlocking(list[0] as Violation) ? red(`x ${policy} [${level}]`) : yellow(`! ${policy} [${level}]`);
      lines.push(`  ${mark} ${dim(`(${list.length})`)}`);
      for (const v of list) {
        lines.push(`    ${v.urn}`);
        for (const line of v.message.split("\n")) lines.push(`      ${line}`);
      }
    }
    lines.push("");
  }
  const mandatory = result.violations.filter(isBlocking).length;
  const advisory = result.violations.length - mandatory;
  const summary = `${result.resources.length} resources, ${mandatory} mandatory and ${advisory} advisory violations: ${mandatory > 0 ? "FAILED" : "PASSED"}`;
  lines.push(mandatory > 0 ? red(bold(summary)) : advisory > 0 ? yellow(bold(summary)) : green(bold(summary)));
  return lines.join("\n");
}
