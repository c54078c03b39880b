import * as assert from "node:assert/strict";
import * as path from "node:path";
import { policies } from "../../../policypacks/security/policies";
import { SECURITY_PACK_DIR } from "../../../tools/gate/buildPack";
import type { EngineLog } from "../../../tools/gate/engineServer";
import type { Judgement } from "../../../tools/gate/judge";
import { deferralOf } from "../../../tools/gate/outcome";
import { exitCodeFor } from "../../../tools/gate/report";
import { planTarget } from "../../../tools/gate/targets";
import { packSessionFor } from "./packSession";

const config = (stack: string) => path.join(SECURITY_PACK_DIR, `config.${stack}.json`);

describe("offline gate over the real analyzer protocol", function () {
  this.timeout(180_000);
  const logs: EngineLog[] = [];
  const session = packSessionFor(() => ({ onLog: (l) => logs.push(l) }));

  for (const stack of ["dev", "prod"]) {
    it(`passes our program's ${stack} stack with zero mandatory violations`, async () => {
      const target = await planTarget(stack);
      assert.ok(target.resources.length > 0, "the program registered resources");
      const judgement = await session().judge({ stack, project: "botfleet", resources: target.resources, configFile: config(stack) });
      const mandatory = judgement.violations.filter((v) => v.enforcementLevel === "mandatory");
      assert.deepEqual(mandatory, [], `mandatory violations in ${stack}:\n${mandatory.map((v) => `${v.policy} ${v.urn}\n${v.message}`).join("\n")}`);
      assert.equal(exitCodeFor(judgement.violations), 0);
    });
  }

  it("passes prod's first preview with zero mandatory violations: what it cannot decide yet is deferred, not failed", async () => {
    const target = await planTarget("prod", { preview: true });
    const judgement = await session().judge({ stack: "prod", project: "botfleet", resources: target.resources, configFile: config("prod"), dryRun: true });
    assert.deepEqual(judgement.violations.filter((v) => v.enforcementLevel === "mandatory"), []);
    assert.ok(judgement.violations.every((v) => deferralOf(v)), "every finding at preview is a deferral");
  });

  it("serves every policy of policies.ts, mandatory by default, with its config schema", async () => {
    const judgement = await session().judge({ stack: "dev", project: "botfleet", resources: [] });
    assert.equal(judgement.pack, "botfleet-security");
    assert.deepEqual(judgement.policies.map((p) => p.name).sort(), policies.map((p) => p.name).sort());
    assert.ok(judgement.policies.every((p) => p.enforcementLevel === "mandatory"));
    const account = judgement.policies.find((p) => p.name === "aws-provider-require-allowed-account");
    assert.equal(account?.configSchema?.properties?.accountId?.pattern, "^[0-9]{12}$");
  });

  it("applies each stack's config over Configure: dev's advisory versioning, prod's mandatory one, unconfigured accounts fail", async () => {
    const target = await planTarget("dev");
    const unversioned = target.resources.map((r) => (r.type === "gcp:storage/bucket:Bucket" ? { ...r, props: { ...r.props, versioning: { enabled: false } } } : r));
    const levelIn = (j: Judgement) => j.violations.find((v) => v.policy === "gcp-storage-bucket-require-versioning")?.enforcementLevel;
    const dev = await session().judge({ stack: "dev", project: "botfleet", resources: unversioned, configFile: config("dev") });
    assert.equal(levelIn(dev), "advisory");
    assert.equal(exitCodeFor(dev.violations), 0, "an advisory finding does not fail the gate");
    const prod = await session().judge({ stack: "dev", project: "botfleet", resources: unversioned, configFile: config("prod") });
    assert.equal(levelIn(prod), "mandatory");
    // Without a config file the pack runs at its defaults: no account is configured, so the AWS provider fails.
    const bare = await session().judge({ stack: "dev", project: "botfleet", resources: target.resources });
    assert.ok(bare.violations.some((v) => v.policy === "aws-provider-require-allowed-account" && v.enforcementLevel === "mandatory"));
  });

  it("surfaces what the pack logs through the engine", () => {
    assert.ok(logs.some((l) => /Running program/.test(l.message)), `pack logs reached the engine: ${JSON.stringify(logs)}`);
  });
});
