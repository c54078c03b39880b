import { DECIDED_AT_UP } from "../../policypacks/security/lib/unknowns";
import { unknownPaths } from "./engineEncoding";
import type { Judgement, PolicyInfo } from "./judge";
import type { EnforcementLevel } from "./packConfig";
import type { GateResource, Violation } from "./resources";

/**
 * What a gate run decided, pass by pass, as pure data: plan judges a first preview (outputs of
 * resources not created yet unknown) and then the resolved resources as `up` would; audit judges one
 * state. The report formats only this.
 */
export type Phase = "preview" | "up";

export interface PassInput {
  readonly phase: Phase;
  readonly resources: readonly GateResource[];
  readonly judgement: Judgement;
}

/** A violation and the pass that decided it. */
export interface Finding extends Violation {
  readonly phase: Phase;
}

/**
 * A policy that could not decide a resource (or the stack) in a pass because a value it read was not
 * known: @pulumi/policy's advisory "can't run policy ... during preview", which a policy also raises
 * on purpose for the part it cannot decide. `atUp` says what the up pass decided for the same pair.
 */
export interface Deferral {
  readonly pack: string;
  readonly policy: string;
  readonly urn: string;
  /** What was not known, as the pack put it. */
  readonly reason: string;
  readonly phase: Phase;
  readonly atUp?: "violated" | "passed" | "undecided";
}

export interface PolicyTally {
  readonly name: string;
  readonly kind: "resource" | "stack";
  readonly enforcementLevel: EnforcementLevel;
  readonly severity: string;
  readonly description: string;
  /** Resources (or the stack, for a stack policy) the policy applied to, over all passes. */
  readonly ran: number;
  readonly passed: number;
  readonly failed: number;
  /** Pairs deferred at preview (or undecidable in an audit). */
  readonly deferred: number;
}

export interface UnknownCounts {
  /** Resources with at least one unknown input at preview. */
  readonly resources: number;
  /** Unknown values in the inputs Analyze saw. */
  readonly inputs: number;
  /** Unknown values in the outputs AnalyzeStack saw. */
  readonly outputs: number;
}

export interface GateOutcome {
  readonly pack: string;
  readonly version: string;
  readonly policies: readonly PolicyTally[];
  /** Violations, each once, with the pass that first decided it. */
  readonly violations: readonly Finding[];
  readonly deferred: readonly Deferral[];
  /** Policies that applied somewhere and were neither violated nor left undecided. */
  readonly passed: readonly string[];
  /** Policies that applied to nothing in this stack. */
  readonly notApplicable: readonly string[];
  /** Unknown values in the preview pass (plan only). */
  readonly unknowns?: UnknownCounts;
  /** The policies' info as the last pass reported it (for SARIF rules). */
  readonly policyInfo: readonly PolicyInfo[];
}

// @pulumi/policy server.js: `can't run ${policyFrom} during preview: ${e.message}` at advisory level,
// when a policy let the unknown-checking proxy's error escape.
const CANT_RUN = /^can't run policy '(?<policy>[^']+)' from policy pack '[^']+' during preview: (?<reason>[\s\S]*)$/;

/**
 * How a policy of the security pack says it left one decision to `up` (an advisory whose message
 * has this line): it decides what is known and defers only the part an unknown hides.
 */
export { DECIDED_AT_UP };

/** The deferral a diagnostic stands for, if it is one (an advisory; a mandatory finding is a verdict). */
export function deferralOf(v: Violation): { policy: string; reason: string } | undefined {
  if (v.enforcementLevel !== "advisory") return undefined;
  const match = CANT_RUN.exec(v.message);
  if (match?.groups) return { policy: match.groups.policy as string, reason: match.groups.reason as string };
  const declared = v.message.split("\n").find((line) => line.startsWith(DECIDED_AT_UP));
  return declared === undefined ? undefined : { policy: v.policy, reason: declared.slice(DECIDED_AT_UP.length).trim() };
}

const key = (policy: string, urn: string) => `${policy}\u0000${urn}`;

export function combinePasses(passes: readonly PassInput[]): GateOutcome {
  const last = passes[passes.length - 1];
  if (!last) throw new Error("no pass to combine");
  const violations: Finding[] = [];
  const seen = new Set<string>();
  const deferrals: Deferral[] = [];
  const failedPairs = new Set<string>();
  const deferredPairs = new Map<string, Phase>();
  const ranPairs = new Map<string, Set<string>>();
  for (const pass of passes) {
    for (const v of pass.judgement.violations) {
      const deferral = deferralOf(v);
      if (deferral) {
        if (!deferredPairs.has(key(v.policy, v.urn))) deferrals.push({ pack: v.pack, policy: v.policy, urn: v.urn, reason: deferral.reason, phase: pass.phase });
        deferredPairs.set(key(v.policy, v.urn), deferredPairs.get(key(v.policy, v.urn)) ?? pass.phase);
        continue;
      }
      failedPairs.add(key(v.policy, v.urn));
      const id = `${v.policy}\u0000${v.urn}\u0000${v.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      violations.push({ ...v, phase: pass.phase });
    }
    for (const policy of pass.judgement.policies) {
      if (policy.enforcementLevel === "disabled") continue;
      const ran = ranPairs.get(policy.name) ?? new Set<string>();
      const targets = policy.kind === "stack" ? [pass.judgement.stackUrn] : pass.judgement.analyzed;
      for (const urn of targets) if (!pass.judgement.notApplicable.get(urn)?.has(policy.name)) ran.add(urn);
      ranPairs.set(policy.name, ran);
    }
  }

  // What the last pass (up, for plan) decided for each pair deferred earlier.
  const upPass = passes.length > 1 ? last : undefined;
  const upViolated = new Set(upPass?.judgement.violations.filter((v) => !deferralOf(v)).map((v) => key(v.policy, v.urn)));
  const upDeferred = new Set(upPass?.judgement.violations.filter((v) => deferralOf(v)).map((v) => key(v.policy, v.urn)));
  const resolved = deferrals.map((d): Deferral => {
    if (!upPass || d.phase === "up") return { ...d, atUp: "undecided" };
    const k = key(d.policy, d.urn);
    return { ...d, atUp: upViolated.has(k) ? "violated" : upDeferred.has(k) ? "undecided" : "passed" };
  });
  const undecided = new Set(resolved.filter((d) => d.atUp === "undecided").map((d) => key(d.policy, d.urn)));

  const tallies = last.judgement.policies.map((p): PolicyTally => {
    const ran = ranPairs.get(p.name) ?? new Set<string>();
    let failed = 0;
    let deferred = 0;
    let passed = 0;
    for (const urn of ran) {
      const k = key(p.name, urn);
      if (deferredPairs.has(k)) deferred++;
      if (failedPairs.has(k)) failed++;
      else if (!undecided.has(k)) passed++;
    }
    return { name: p.name, kind: p.kind, enforcementLevel: p.enforcementLevel, severity: p.severity, description: p.description, ran: ran.size, passed, failed, deferred };
  });
  const preview = passes.find((p) => p.phase === "preview" && passes.length > 1);
  return {
    pack: last.judgement.pack,
    version: last.judgement.version,
    policies: tallies,
    violations: violations.sort((a, b) => a.policy.localeCompare(b.policy) || a.urn.localeCompare(b.urn)),
    deferred: resolved,
    passed: tallies.filter((t) => t.ran > 0 && t.failed === 0 && !resolved.some((d) => d.policy === t.name && d.atUp === "undecided")).map((t) => t.name),
    notApplicable: tallies.filter((t) => t.ran === 0 && t.enforcementLevel !== "disabled").map((t) => t.name),
    ...(preview ? { unknowns: countUnknowns(preview.resources) } : {}),
    policyInfo: last.judgement.policies,
  };
}

export function countUnknowns(resources: readonly GateResource[]): UnknownCounts {
  let withUnknowns = 0;
  let inputs = 0;
  let outputs = 0;
  for (const r of resources) {
    const i = unknownPaths(r.props).length;
    if (i > 0) withUnknowns++;
    inputs += i;
    outputs += unknownPaths(r.outputs ?? r.props).length;
  }
  return { resources: withUnknowns, inputs, outputs };
}

export function isBlocking(v: Pick<Violation, "enforcementLevel">): boolean {
  return v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate";
}

/** 1 when any pass found a violation that blocks a deploy (mandatory), else 0. */
export function exitCodeFor(violations: readonly Pick<Violation, "enforcementLevel" | "message">[]): 0 | 1 {
  return violations.some(isBlocking) ? 1 : 0;
}
