import * as assert from "node:assert/strict";
import { UNKNOWN } from "../../../tools/gate/engineEncoding";
import type { Judgement, PolicyInfo } from "../../../tools/gate/judge";
import { combinePasses, DECIDED_AT_UP, deferralOf, exitCodeFor } from "../../../tools/gate/outcome";
import { type GateResult, toJson, toSarif, toText } from "../../../tools/gate/report";
import type { GateResource, Violation } from "../../../tools/gate/resources";

const P = "urn:pulumi:prod::botfleet::";
const STACK = `${P}pulumi:pulumi:Stack::botfleet-prod`;
const PROVIDER = `${P}pulumi:providers:aws::aws`;
const COMPONENT = `${P}botfleet:aws:Backend::backend`;
const PERMISSION = `${P}botfleet:aws:Backend$aws:lambda/permission:Permission::invoke`;
const KEY = `${P}botfleet:aws:Backend$aws:kms/key:Key::key`;

const resources = (unknownArn: boolean): GateResource[] => [
  { urn: STACK, type: "pulumi:pulumi:Stack", name: "botfleet-prod", props: {} },
  { urn: PROVIDER, type: "pulumi:providers:aws", name: "aws", props: { region: "eu-west-1" }, parent: STACK },
  { urn: COMPONENT, type: "botfleet:aws:Backend", name: "backend", props: {}, parent: STACK },
  { urn: PERMISSION, type: "aws:lambda/permission:Permission", name: "invoke", props: { principal: "*", sourceArn: unknownArn ? UNKNOWN : "arn:aws:execute-api:eu-west-1:222222222222:api/*" }, parent: COMPONENT, provider: PROVIDER },
  { urn: KEY, type: "aws:kms/key:Key", name: "key", props: { enableKeyRotation: false }, parent: COMPONENT, provider: PROVIDER },
];

const policy = (name: string, kind: "resource" | "stack" = "resource"): PolicyInfo => ({ name, kind, description: `${name} description`, enforcementLevel: "mandatory", defaultEnforcementLevel: "mandatory", severity: "high" });
const POLICIES = [policy("permission-source"), policy("key-rotation"), policy("stack-accounts", "stack"), policy("function-urls")];
const v = (p: string, urn: string, message: string, level: Violation["enforcementLevel"] = "mandatory"): Violation => ({ pack: "pack", policy: p, enforcementLevel: level, urn, message });
const cantRun = (p: string, urn: string, what: string) => v(p, urn, `can't run policy '${p}' from policy pack 'pack@v1.0.0' during preview: string value at .${what} can't be known during preview`, "advisory");

/** What the pack answers: which policies apply where (the rest report "not applicable"). */
function judgement(violations: Violation[], urns: string[]): Judgement {
  const applies: Record<string, string[]> = { "permission-source": [PERMISSION], "key-rotation": [KEY] };
  const notApplicable = new Map<string, Set<string>>(urns.map((u) => [u, new Set(Object.entries(applies).filter(([, on]) => !on.includes(u)).map(([p]) => p).concat("function-urls"))]));
  notApplicable.set(STACK, new Set([...(notApplicable.get(STACK) ?? []), "function-urls"]));
  return { pack: "pack", version: "1.0.0", policies: POLICIES, violations, notApplicable, analyzed: urns, stackUrn: STACK };
}

function planResult(): GateResult {
  const preview = resources(true);
  const up = resources(false);
  const urns = up.map((r) => r.urn);
  const outcome = combinePasses([
    // At preview the key is decided, the permission is not (its sourceArn is unknown) and the stack policy passes.
    { phase: "preview", resources: preview, judgement: judgement([v("key-rotation", KEY, "Turn rotation on."), cantRun("permission-source", PERMISSION, "sourceArn")], urns) },
    // At up the key's finding repeats (reported once) and the permission is violated.
    { phase: "up", resources: up, judgement: judgement([v("key-rotation", KEY, "Turn rotation on."), v("permission-source", PERMISSION, "Principal * may invoke: set a source ARN of your own API.")], urns) },
  ]);
  return { verb: "plan", stack: "prod", artifact: "Pulumi.prod.yaml", resources: up, outcome };
}

describe("gate outcome and report (tools/gate/outcome.ts, report.ts)", () => {
  it("recognises @pulumi/policy's deferral advisory and a policy's own, and nothing else", () => {
    assert.deepEqual(deferralOf(cantRun("p", PERMISSION, "sourceArn")), { policy: "p", reason: "string value at .sourceArn can't be known during preview" });
    const declared = v("p", PERMISSION, `Lambda permissions must name a source.\n${DECIDED_AT_UP} .sourceArn is unknown until the API exists.`, "advisory");
    assert.deepEqual(deferralOf(declared), { policy: "p", reason: ".sourceArn is unknown until the API exists." });
    assert.equal(deferralOf({ ...declared, enforcementLevel: "mandatory" }), undefined);
    assert.equal(deferralOf({ ...cantRun("p", PERMISSION, "x"), enforcementLevel: "mandatory" }), undefined, "a mandatory finding is a verdict, whatever it says");
    assert.equal(deferralOf(v("p", KEY, "Turn rotation on.", "advisory")), undefined);
  });

  it("keeps each verdict once with the pass that decided it, and what the up pass decided for each deferral", () => {
    const { outcome } = planResult();
    assert.deepEqual(
      outcome.violations.map((f) => [f.policy, f.phase]),
      [
        ["key-rotation", "preview"],
        ["permission-source", "up"],
      ],
    );
    assert.deepEqual(outcome.deferred, [{ pack: "pack", policy: "permission-source", urn: PERMISSION, reason: "string value at .sourceArn can't be known during preview", phase: "preview", atUp: "violated" }]);
    assert.equal(exitCodeFor(outcome.violations), 1, "a violation found only at up fails the plan");
    const tally = Object.fromEntries(outcome.policies.map((t) => [t.name, [t.ran, t.passed, t.failed, t.deferred]]));
    assert.deepEqual(tally, { "permission-source": [1, 0, 1, 1], "key-rotation": [1, 0, 1, 0], "stack-accounts": [1, 1, 0, 0], "function-urls": [0, 0, 0, 0] });
    assert.deepEqual(outcome.passed, ["stack-accounts"]);
    assert.deepEqual(outcome.notApplicable, ["function-urls"]);
    assert.deepEqual(outcome.unknowns, { resources: 1, inputs: 1, outputs: 1 });
  });

  it("reads like `pulumi preview`: a tree with the operation, policies with counts, violations by policy, deferrals, summary", () => {
    const text = toText(planResult(), false);
    assert.match(text, /^botfleet plan: stack prod, policy pack pack@v1\.0\.0 \(4 policies\)\n/);
    assert.match(text, /\n {5}Type +Name +Plan\n \+ {3}pulumi:pulumi:Stack +botfleet-prod +create\n \+ {3}├─ pulumi:providers:aws +aws +create\n \+ {3}└─ botfleet:aws:Backend +backend +create\n \+ {6}├─ aws:lambda\/permission:Permission +invoke +create\n \+ {6}└─ aws:kms\/key:Key +key +create\n/);
    assert.match(text, /\nPolicies \(4\): 3 ran, 1 passed, 2 failed\n/);
    assert.match(text, /\n {4}x permission-source +\[mandatory\] 1 resource: 0 passed, 1 failed, 1 deferred to up\n/);
    assert.match(text, /\n {4}- not applicable to this stack: function-urls\n/);
    assert.match(text, /\nPolicy violations\n {4}x key-rotation \[mandatory\] \(1\)\n {6}urn:pulumi:prod::botfleet::botfleet:aws:Backend\$aws:kms\/key:Key::key \(decided at preview\)\n {8}Turn rotation on\.\n/);
    assert.match(text, /\nDecided only at up \(1 policy\/resource pair read a value not known at preview\)\n {4}~ permission-source \(at up: 0 passed, 1 violated, 0 undecided\)\n {6}aws:lambda\/permission:Permission::invoke: string value at \.sourceArn not known\n/);
    assert.match(text, /\n {4}\+ 5 to create\n {4}1 input values of 1 resources and 1 output values were unknown at preview\n {4}2 mandatory and 0 advisory violations \(1 decided at preview, 1 only at up\)\n/);
    assert.match(text, /\n5 resources, 2 mandatory and 0 advisory violations: FAILED$/);
    assert.ok(!text.includes("\u001b["));
    assert.ok(toText(planResult(), true).includes("\u001b[31m"), "colour when asked");
  });

  it("--json keeps the documented fields first and adds phases, passes and deferrals; SARIF marks the phase", () => {
    const json = JSON.parse(toJson(planResult())) as Record<string, unknown> & { violations: Record<string, unknown>[]; summary: Record<string, unknown> };
    assert.deepEqual(Object.keys(json), ["stack", "resources", "violations", "passed", "notApplicable", "deferred", "policies", "summary"]);
    assert.deepEqual(Object.keys(json.violations[0] ?? {}), ["pack", "policy", "enforcementLevel", "urn", "message", "phase"]);
    assert.equal(json.summary.exitCode, 1);
    assert.equal(json.summary.decidedAtUp, 1);
    const sarif = JSON.parse(toSarif(planResult())) as { runs: { results: { ruleId: string; properties: { phase: string } }[]; properties: { deferredToUp: number } }[] };
    assert.deepEqual(sarif.runs[0]?.results.map((r) => [r.ruleId, r.properties.phase]), [
      ["key-rotation", "preview"],
      ["permission-source", "up"],
    ]);
    assert.equal(sarif.runs[0]?.properties.deferredToUp, 1);
  });
});
