import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Writable } from "node:stream";
import { runGate } from "../../../tools/gate/cli";
import { secret, UNKNOWN } from "../../../tools/gate/engineEncoding";
import { openPackSession } from "../../../tools/gate/judge";
import { combinePasses, exitCodeFor } from "../../../tools/gate/outcome";
import type { GateResource } from "../../../tools/gate/resources";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../../tools/program/stackConfig";
import { probePackDir } from "./probePack";

const ROOT = path.join(__dirname, "..", "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "exports");
const P = "urn:pulumi:prod::botfleet::";
const KEY = `${P}botfleet:aws:Secrets$aws:kms/key:Key::backend-secrets-key`;
const SECRET = `${P}botfleet:aws:Secrets$aws:secretsmanager/secret:Secret::backend-secrets-origin`;
const VERSION = `${P}botfleet:aws:Secrets$aws:secretsmanager/secretVersion:SecretVersion::backend-secrets-origin-value`;
const INTEGRATION = `${P}aws:apigatewayv2/integration:Integration::backend-http-health`;
const COMPONENT = `${P}botfleet:aws:Secrets::backend-secrets`;
const PROVIDER = `${P}pulumi:providers:aws::botfleet-prod-aws`;
const STACK = `${P}pulumi:pulumi:Stack::botfleet-prod`;

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Report {
  violations: { policy: string; urn: string; message: string; phase: string; enforcementLevel: string }[];
  deferred: { policy: string; urn: string; reason: string; phase: string; atUp?: string }[];
  summary: { exitCode: number; encryptedSecrets?: number; unknownsAtPreview?: { inputs: number; outputs: number; resources: number } };
}
interface Seen {
  urn: string;
  props: Record<string, unknown>;
  opts: { protect: boolean; parent?: string };
  provider: { urn: string; props: Record<string, unknown> } | null;
}
interface SeenInStack {
  urn: string;
  props: Record<string, unknown>;
  parent: string | null;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  provider: string | null;
  protect: boolean;
}

/**
 * What a policy pack receives from the gate, seen from inside a pack (test/tools/gate/probePack.ts)
 * started as the engine starts one: unknowns and secrets in the engine's encoding, outputs for
 * AnalyzeStack, internal keys dropped, dependencies and options sent.
 */
describe("what a policy pack receives from the gate (probe pack over the real protocol)", function () {
  this.timeout(180_000);
  let packDir: string;
  before(() => (packDir = probePackDir(ROOT)));

  async function gate(args: string[], config = path.join(packDir, "config.json")): Promise<Report> {
    const out = new Capture();
    const err = new Capture();
    const code = await runGate([...args, "--json", "--policy-pack-config", config], out, err, false, { packDir });
    assert.equal(code, 0, err.text);
    return JSON.parse(out.text) as Report;
  }
  const analyzed = (r: Report, urn: string, phase?: string): Seen => {
    const found = r.violations.find((v) => v.policy === "probe-resource" && v.urn === urn && (phase === undefined || v.phase === phase));
    assert.ok(found, `Analyze saw ${urn}${phase ? ` at ${phase}` : ""}`);
    return JSON.parse(found.message.replace(/^[^{]*/, "")) as Seen;
  };
  const stackSeen = (r: Report, phase?: string): SeenInStack[] => {
    const found = r.violations.find((v) => v.policy === "probe-stack" && (phase === undefined || v.phase === phase));
    assert.ok(found, "AnalyzeStack ran");
    return JSON.parse(found.message.replace(/^[^[]*/, "")) as SeenInStack[];
  };

  describe("audit of a plain `pulumi stack export` (secrets encrypted)", () => {
    let report: Report;
    before(async () => (report = await gate(["audit", "--file", path.join(FIXTURES, "prod-encrypted.json")])));

    it("sends an encrypted secret as a secret whose value is not known, at any depth, and says so", () => {
      assert.equal(analyzed(report, VERSION).props.secretString, UNKNOWN);
      assert.equal((analyzed(report, INTEGRATION).props.requestParameters as Record<string, unknown>)["overwrite:header.x-botfleet-origin-verify"], UNKNOWN);
      const read = report.deferred.find((d) => d.policy === "probe-secret-read");
      assert.equal(read?.urn, VERSION);
      assert.match(read?.reason ?? "", /\.secretString/);
      assert.equal(report.summary.encryptedSecrets, 4);
    });

    it("runs each policy with its schema defaults and the pack's initial config when the file sets nothing", () => {
      assert.deepEqual(JSON.parse(report.violations.find((v) => v.policy === "probe-config")?.message.replace(/^[^{]*/, "") ?? "{}"), { days: 30, mode: "initial" });
    });

    it("Analyze gets inputs, AnalyzeStack gets outputs, without the bridge's internal keys", () => {
      const key = analyzed(report, KEY).props;
      assert.equal(key.enableKeyRotation, true);
      assert.equal(key.arn, undefined, "inputs have no computed arn");
      assert.ok(!("__defaults" in key));
      const inStack = stackSeen(report).find((r) => r.urn === KEY);
      assert.equal(inStack?.props.arn, "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab");
      assert.ok(!("__meta" in (inStack?.props ?? {})));
    });

    it("sends parent, provider (with its JSON-encoded inputs), protect, dependencies and property dependencies", () => {
      const key = analyzed(report, KEY);
      assert.equal(key.opts.protect, true);
      assert.equal(key.opts.parent, COMPONENT);
      assert.equal(key.provider?.urn, PROVIDER);
      assert.equal(key.provider?.props.allowedAccountIds, '["222222222222"]');
      const secret = stackSeen(report).find((r) => r.urn === SECRET);
      assert.deepEqual(secret?.dependencies, [KEY]);
      assert.deepEqual(secret?.propertyDependencies, { kmsKeyId: [KEY] }, "a property that depends on nothing is not sent");
      assert.equal(secret?.parent, COMPONENT);
      assert.equal(secret?.provider, PROVIDER);
      assert.equal(secret?.protect, true);
    });

    it("flattens a resource reference to the resource's id, and leaves out resources marked for deletion", () => {
      const stack = stackSeen(report).find((r) => r.urn === STACK);
      assert.equal(stack?.props.secretsKey, "1234abcd-12ab-34cd-56ef-1234567890ab");
      assert.ok(!stackSeen(report).some((r) => r.urn.endsWith("::backend-old-queue")));
      assert.ok(!report.violations.some((v) => v.urn.endsWith("::backend-old-queue")));
    });
  });

  it("audit of `pulumi stack export --show-secrets`: the plaintext is the secret's value; config merged as the engine merges it", async () => {
    const config = path.join(packDir, "config.days.json");
    fs.writeFileSync(config, JSON.stringify({ "probe-config": { days: 7 } }));
    const report = await gate(["audit", "--file", path.join(FIXTURES, "prod-show-secrets.json")], config);
    // Schema default < the pack's initial config < the file.
    assert.deepEqual(JSON.parse(report.violations.find((v) => v.policy === "probe-config")?.message.replace(/^[^{]*/, "") ?? "{}"), { days: 7, mode: "initial" });
    assert.equal(analyzed(report, VERSION).props.secretString, "fixture-placeholder-not-a-real-secret");
    assert.ok(report.violations.some((v) => v.policy === "probe-secret-read" && /has 37 characters/.test(v.message)));
    assert.deepEqual(report.deferred, []);
    assert.equal(report.summary.encryptedSecrets, 0);
  });

  it("a policy that cannot decide at preview is decided at up, over the real protocol: exit code from the union", async () => {
    const config = path.join(packDir, "config.mandatory.json");
    fs.writeFileSync(config, JSON.stringify({ "probe-secret-read": "mandatory" }));
    const session = await openPackSession({ packDir });
    try {
      const version = (secretString: unknown): GateResource => ({ urn: VERSION, type: "aws:secretsmanager/secretVersion:SecretVersion", name: "v", props: { secretId: "s", secretString } });
      const judge = (r: GateResource, dryRun: boolean) => session.judge({ stack: "prod", project: "botfleet", resources: [r], configFile: config, dryRun });
      const atPreview = version(secret(UNKNOWN));
      const atUp = version(secret("now-known"));
      const outcome = combinePasses([
        { phase: "preview", resources: [atPreview], judgement: await judge(atPreview, true) },
        { phase: "up", resources: [atUp], judgement: await judge(atUp, false) },
      ]);
      assert.deepEqual(outcome.deferred.map((d) => [d.policy, d.phase, d.atUp]), [["probe-secret-read", "preview", "violated"]]);
      const found = outcome.violations.filter((v) => v.policy === "probe-secret-read");
      assert.deepEqual(found.map((v) => [v.phase, v.enforcementLevel]), [["up", "mandatory"]]);
      assert.equal(exitCodeFor(outcome.violations), 1);
    } finally {
      await session.close();
    }
  });

  it("plan: a first preview sends computed values as unknown; the up pass sends them resolved", async () => {
    const report = await gate(["plan", "--stack", "prod"]);
    const permission = report.violations.find((v) => v.policy === "probe-resource" && v.phase === "preview" && v.urn.includes("aws:lambda/permission:Permission::"));
    assert.ok(permission, "the preview analyzed a Lambda permission");
    const atPreview = analyzed(report, permission.urn, "preview").props;
    const atUp = analyzed(report, permission.urn, "up").props;
    assert.equal(atPreview.sourceArn, UNKNOWN, "the API's execution ARN is not known before the API exists");
    assert.match(String(atUp.sourceArn), /^arn:aws:execute-api:eu-west-1:222222222222:/);
    assert.equal(atPreview.principal, "apigateway.amazonaws.com", "inputs the program sets are known at preview");
    // Outputs of resources not created yet are unknown in the preview's AnalyzeStack.
    const key = stackSeen(report, "preview").find((r) => r.urn.includes("aws:kms/key:Key::backend-keys-data"));
    assert.equal(key?.props.arn, UNKNOWN);
    assert.equal(key?.props.enableKeyRotation, true);
    assert.match(String(stackSeen(report, "up").find((r) => r.urn === key?.urn)?.props.arn), /^arn:aws:kms:/);
    assert.ok((report.summary.unknownsAtPreview?.inputs ?? 0) > 0);
    // The config secret is known at preview (it is config) and arrives as its value: decided then,
    // and the same finding at up is not reported twice.
    const origin = report.violations.filter((v) => v.policy === "probe-secret-read");
    assert.deepEqual(origin.map((v) => v.phase), ["preview"]);
    const version = analyzed(report, origin[0]?.urn ?? "", "preview").props;
    assert.ok(String(version.secretString).includes(OFFLINE_SECRET_PLACEHOLDER), "the secret's value, unwrapped by @pulumi/policy");
    assert.ok(!report.deferred.some((d) => d.policy === "probe-secret-read"));
  });
});
