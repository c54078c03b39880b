import { type Deferral, exitCodeFor, type Finding, type GateOutcome, isBlocking } from "./outcome";
import type { GateResource } from "./resources";

export { exitCodeFor, isBlocking } from "./outcome";

export interface GateResult {
  readonly verb: "plan" | "audit";
  readonly stack: string;
  /** What was judged, for SARIF locations: Pulumi.<stack>.yaml (plan) or the state file (audit). */
  readonly artifact: string;
  /** The resources as the last pass saw them (plan: as `up` registers them). */
  readonly resources: readonly GateResource[];
  readonly outcome: GateOutcome;
  /** audit: secrets stored encrypted, judged as values not known. */
  readonly encryptedSecrets?: number;
  /** plan: resources the program registers only once values are known (or only at preview). */
  readonly onlyAtUp?: readonly string[];
  readonly onlyAtPreview?: readonly string[];
}

/**
 * The --json document. The documented part — {"stack","resources":[{"urn","type","name"}],
 * "violations":[{"pack","policy","enforcementLevel","urn","message"}]} — comes first and stays;
 * the rest is added: each violation's phase, the policies that passed, what was deferred to up.
 */
export function toJson(result: GateResult): string {
  const { outcome } = result;
  const mandatory = outcome.violations.filter(isBlocking).length;
  return JSON.stringify(
    {
      stack: result.stack,
      resources: result.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name })),
      violations: outcome.violations.map((v) => ({ pack: v.pack, policy: v.policy, enforcementLevel: v.enforcementLevel, urn: v.urn, message: v.message, phase: v.phase })),
      passed: outcome.passed,
      notApplicable: outcome.notApplicable,
      deferred: outcome.deferred.map((d) => ({ pack: d.pack, policy: d.policy, urn: d.urn, reason: d.reason, phase: d.phase, atUp: d.atUp })),
      policies: outcome.policies.map((p) => ({ name: p.name, kind: p.kind, enforcementLevel: p.enforcementLevel, ran: p.ran, passed: p.passed, failed: p.failed, deferred: p.deferred })),
      summary: {
        verb: result.verb,
        resources: result.resources.length,
        mandatory,
        advisory: outcome.violations.length - mandatory,
        decidedAtPreview: outcome.violations.filter((v) => v.phase === "preview").length,
        decidedAtUp: outcome.violations.filter((v) => v.phase === "up").length,
        deferred: outcome.deferred.length,
        ...(outcome.unknowns ? { unknownsAtPreview: outcome.unknowns } : {}),
        ...(result.encryptedSecrets !== undefined ? { encryptedSecrets: result.encryptedSecrets } : {}),
        exitCode: exitCodeFor(outcome.violations),
      },
    },
    null,
    2,
  );
}

/** SARIF 2.1.0: one rule per policy, one result per violation, located at the judged file and the resource URN. */
export function toSarif(result: GateResult): string {
  const rules = result.outcome.policyInfo.map((p) => ({
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
        tool: { driver: { name: "botfleet-policy-gate", informationUri: "https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/", version: "0.2.0", rules } },
        automationDetails: { id: `botfleet/${result.stack}/` },
        results: result.outcome.violations.map((v) => ({
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
          properties: { phase: v.phase },
        })),
        properties: { deferredToUp: result.outcome.deferred.length },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

/** "<type>::<name>" of a URN: short enough for a line, unique in a stack. */
function nameOf(urn: string): string {
  const [, , qualifiedType = "", ...name] = urn.split("::");
  return `${qualifiedType.split("$").pop()}::${name.join("::")}`;
}

const SEVERITY_SCORE: Record<string, string> = { low: "3.0", medium: "5.5", high: "8.0", critical: "9.5" };

type Paint = (s: string) => string;
interface Palette {
  readonly bold: Paint;
  readonly red: Paint;
  readonly yellow: Paint;
  readonly green: Paint;
  readonly dim: Paint;
}

/**
 * The readable report, laid out like `pulumi preview`: the resources as a tree under their
 * components with the operation, each policy with its pass/fail counts, the violations grouped by
 * policy with the URN and the fix, what only `up` can decide, and a summary.
 */
export function toText(result: GateResult, color: boolean): string {
  const paint = (code: string): Paint => (s) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const p: Palette = { bold: paint("1"), red: paint("31"), yellow: paint("33"), green: paint("32"), dim: paint("2") };
  const { outcome } = result;
  const lines: string[] = [];
  const plan = result.verb === "plan";
  lines.push(p.bold(`botfleet ${result.verb}: stack ${result.stack}, policy pack ${outcome.pack}@v${outcome.version} (${outcome.policies.length} policies)`));
  lines.push(
    plan
      ? "Judged twice over the analyzer protocol: as a first `pulumi preview` (nothing exists yet, computed values unknown), then as `pulumi up` (every value known)."
      : `Judged as the engine judges a stack's state: Analyze on each resource's inputs, AnalyzeStack on the outputs (${result.artifact}).`,
  );
  lines.push("");
  lines.push(...resourceTree(result, p));
  lines.push("");
  lines.push(...policyLines(outcome, p, plan));
  if (outcome.violations.length > 0) {
    lines.push("");
    lines.push(...violationLines(outcome.violations, p, plan));
  }
  if (outcome.deferred.length > 0) {
    lines.push("");
    lines.push(...deferredLines(outcome.deferred, p, plan));
  }
  lines.push("");
  lines.push(...summaryLines(result, p));
  return lines.join("\n");
}

function resourceTree(result: GateResult, p: Palette): string[] {
  const plan = result.verb === "plan";
  const urns = new Set(result.resources.map((r) => r.urn));
  const children = new Map<string, GateResource[]>();
  const roots: GateResource[] = [];
  for (const r of result.resources) {
    if (r.parent && urns.has(r.parent)) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    else roots.push(r);
  }
  const rows: { prefix: string; type: string; name: string }[] = [];
  const walk = (r: GateResource, prefix: string, childPrefix: string): void => {
    rows.push({ prefix, type: r.type, name: r.name });
    const kids = children.get(r.urn) ?? [];
    kids.forEach((kid, i) => {
      const lastKid = i === kids.length - 1;
      walk(kid, `${childPrefix}${lastKid ? "└─ " : "├─ "}`, `${childPrefix}${lastKid ? "   " : "│  "}`);
    });
  };
  for (const root of roots) walk(root, "", "");
  const typeWidth = Math.min(72, Math.max(4, ...rows.map((r) => r.prefix.length + r.type.length))) + 2;
  const nameWidth = Math.min(48, Math.max(4, ...rows.map((r) => r.name.length))) + 2;
  const mark = plan ? `${p.green("+")}   ` : "    ";
  const header = `     ${"Type".padEnd(typeWidth)}${plan ? `${"Name".padEnd(nameWidth)}Plan` : "Name"}`;
  return [
    p.bold(`Resources (${result.resources.length})`),
    header,
    ...rows.map((r) => ` ${mark}${`${r.prefix}${r.type}`.padEnd(typeWidth)}${plan ? `${r.name.padEnd(nameWidth)}${p.green("create")}` : r.name}`),
  ];
}

function policyLines(outcome: GateOutcome, p: Palette, plan: boolean): string[] {
  const ran = outcome.policies.filter((t) => t.ran > 0);
  const failed = ran.filter((t) => t.failed > 0).length;
  const lines = [p.bold(`Policies (${outcome.policies.length}): ${ran.length} ran, ${ran.length - failed} passed, ${failed} failed`)];
  const width = Math.max(...outcome.policies.map((t) => t.name.length)) + 2;
  for (const t of [...ran].sort((a, b) => b.failed - a.failed || a.name.localeCompare(b.name))) {
    const mark = t.failed > 0 ? (t.enforcementLevel === "advisory" ? p.yellow("!") : p.red("x")) : p.green("✓");
    const on = t.kind === "stack" ? "stack" : `${t.ran} resource${t.ran === 1 ? "" : "s"}`;
    const counts = [`${t.passed} passed`, `${t.failed} failed`, ...(t.deferred > 0 ? [`${t.deferred} deferred ${plan ? "to up" : "(value not known)"}`] : [])];
    lines.push(`    ${mark} ${t.name.padEnd(width)}${p.dim(`[${t.enforcementLevel}]`)} ${on}: ${counts.join(", ")}`);
  }
  if (outcome.notApplicable.length > 0) lines.push(p.dim(`    - not applicable to this stack: ${outcome.notApplicable.join(", ")}`));
  const disabled = outcome.policies.filter((t) => t.enforcementLevel === "disabled");
  if (disabled.length > 0) lines.push(p.dim(`    - disabled by the policy config: ${disabled.map((t) => t.name).join(", ")}`));
  return lines;
}

function violationLines(violations: readonly Finding[], p: Palette, plan: boolean): string[] {
  const lines = [p.bold("Policy violations")];
  const byPolicy = new Map<string, Finding[]>();
  for (const v of violations) byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]);
  for (const [policy, list] of byPolicy) {
    const first = list[0] as Finding;
    const mark = isBlocking(first) ? p.red(`x ${policy} [${first.enforcementLevel}]`) : p.yellow(`! ${policy} [${first.enforcementLevel}]`);
    lines.push(`    ${mark} ${p.dim(`(${list.length})`)}`);
    for (const v of list) {
      lines.push(`      ${v.urn}${plan ? p.dim(` (decided at ${v.phase})`) : ""}`);
      for (const line of v.message.split("\n")) lines.push(`        ${line}`);
    }
  }
  return lines;
}

function deferredLines(deferred: readonly Deferral[], p: Palette, plan: boolean): string[] {
  const lines = [
    p.bold(
      plan
        ? `Decided only at up (${deferred.length} policy/resource pair${deferred.length === 1 ? "" : "s"} read a value not known at preview)`
        : `Not decidable from this file (${deferred.length} policy/resource pair${deferred.length === 1 ? "" : "s"} read a value it does not hold: export with --show-secrets to judge them)`,
    ),
  ];
  const byPolicy = new Map<string, Deferral[]>();
  for (const d of deferred) byPolicy.set(d.policy, [...(byPolicy.get(d.policy) ?? []), d]);
  for (const [policy, list] of byPolicy) {
    const tally = plan ? ` ${p.dim(`(at up: ${["passed", "violated", "undecided"].map((s) => `${list.filter((d) => d.atUp === s).length} ${s}`).join(", ")})`)}` : "";
    lines.push(`    ~ ${policy}${tally}`);
    for (const d of list) lines.push(`      ${nameOf(d.urn)}${p.dim(`: ${d.reason.replace(/ can't be known during preview$/, " not known")}`)}`);
  }
  return lines;
}

function summaryLines(result: GateResult, p: Palette): string[] {
  const { outcome } = result;
  const mandatory = outcome.violations.filter(isBlocking).length;
  const advisory = outcome.violations.length - mandatory;
  const atUp = outcome.violations.filter((v) => v.phase === "up").length;
  const lines = [p.bold("Summary")];
  if (result.verb === "plan") {
    lines.push(`    + ${result.resources.length} to create`);
    if (outcome.unknowns) {
      lines.push(`    ${outcome.unknowns.inputs} input values of ${outcome.unknowns.resources} resources and ${outcome.unknowns.outputs} output values were unknown at preview`);
    }
    if ((result.onlyAtUp?.length ?? 0) > 0) lines.push(`    ${result.onlyAtUp?.length} resources are registered only once values are known (judged at up only)`);
    if ((result.onlyAtPreview?.length ?? 0) > 0) lines.push(`    ${result.onlyAtPreview?.length} resources are registered at preview but not at up`);
    lines.push(`    ${mandatory} mandatory and ${advisory} advisory violations (${outcome.violations.length - atUp} decided at preview, ${atUp} only at up)`);
    const deferred = outcome.deferred;
    if (deferred.length > 0) {
      const count = (s: Deferral["atUp"]) => deferred.filter((d) => d.atUp === s).length;
      lines.push(`    ${deferred.length} policy/resource pairs deferred to up: ${count("passed")} passed, ${count("violated")} violated, ${count("undecided")} undecided`);
    }
  } else {
    lines.push(`    ${result.resources.length} resources, ${mandatory} mandatory and ${advisory} advisory violations`);
    if (result.encryptedSecrets) lines.push(`    ${result.encryptedSecrets} secrets are encrypted in this export and were judged as values not known`);
    if (outcome.deferred.length > 0) lines.push(`    ${outcome.deferred.length} policy/resource pairs could not be decided from this file`);
  }
  const verdict = `${result.resources.length} resources, ${mandatory} mandatory and ${advisory} advisory violations: ${mandatory > 0 ? "FAILED" : "PASSED"}`;
  lines.push(mandatory > 0 ? (p.red(p.bold(verdict))) : advisory > 0 ? (p.yellow(p.bold(verdict))) : (p.green(p.bold(verdict))));
  return lines;
}
