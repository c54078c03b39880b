import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PackConfigError, parsePackConfig, type PolicyShape, readPackConfig, reconcilePackConfig } from "../../../tools/gate/packConfig";

const POLICIES: PolicyShape[] = [
  { name: "retention", enforcementLevel: "mandatory", configSchema: { properties: { days: { type: "integer", minimum: 1, default: 365 }, mode: { type: "string", enum: ["strict", "lax"] } } } },
  { name: "account", enforcementLevel: "mandatory", configSchema: { properties: { accountId: { type: "string", pattern: "^[0-9]{12}$" } }, required: ["accountId"] } },
  { name: "rotation", enforcementLevel: "advisory" },
];
const none = new Map();

describe("policy pack config as the engine merges it (tools/gate/packConfig.ts)", () => {
  it("starts from each policy's level and schema defaults, then the pack's initial config, then the file", () => {
    const initial = parsePackConfig({ retention: { mode: "strict" }, account: { accountId: "111111111111" } }, POLICIES, "initial");
    const file = parsePackConfig({ retention: { days: 30 }, rotation: "mandatory" }, POLICIES, "c.json");
    const config = reconcilePackConfig(POLICIES, initial, file, "c.json");
    assert.deepEqual(config.get("retention"), { enforcementLevel: "mandatory", properties: { days: 30, mode: "strict" } });
    assert.deepEqual(config.get("account"), { enforcementLevel: "mandatory", properties: { accountId: "111111111111" } });
    assert.deepEqual(config.get("rotation"), { enforcementLevel: "mandatory", properties: {} });
    assert.equal(reconcilePackConfig(POLICIES, initial, none).get("retention")?.properties.days, 365, "the schema default when nobody sets it");
  });

  it('applies "all" before the policies named in the same layer', () => {
    const file = parsePackConfig({ all: "advisory", account: { enforcementLevel: "mandatory", accountId: "222222222222" } }, POLICIES, "c.json");
    const config = reconcilePackConfig(POLICIES, none, file);
    assert.equal(config.get("retention")?.enforcementLevel, "advisory");
    assert.equal(config.get("account")?.enforcementLevel, "mandatory");
    assert.ok(!config.has("all"));
  });

  it("validates the merged config against each schema: a required property may come from any layer", () => {
    assert.throws(() => reconcilePackConfig(POLICIES, none, none, "c.json"), (e: Error) => e instanceof PackConfigError && /c\.json: "account\.accountId" is required/.test(e.message));
    const initial = parsePackConfig({ account: { accountId: "111111111111" } }, POLICIES, "initial");
    assert.doesNotThrow(() => reconcilePackConfig(POLICIES, initial, none, "c.json"));
  });

  it("checks every JSON Schema keyword, not only type, enum and pattern", () => {
    assert.throws(() => parsePackConfig({ retention: { days: 0 } }, POLICIES, "c.json"), /c\.json: "retention\.days" .*>=1/);
    assert.throws(() => parsePackConfig({ retention: { days: 1.5 } }, POLICIES, "c.json"), /"retention\.days" must be an integer/);
    assert.throws(() => parsePackConfig({ retention: { mode: "loose" } }, POLICIES, "c.json"), /"retention\.mode" must be one of "strict", "lax"/);
  });

  it("refuses what the engine refuses, and a policy or property the pack does not have", () => {
    assert.throws(() => parsePackConfig([], POLICIES, "c.json"), /c\.json: must be a JSON object keyed by policy name/);
    assert.throws(() => parsePackConfig({ rotation: 3 }, POLICIES, "c.json"), /"rotation" must be an enforcement level or an object/);
    assert.throws(() => parsePackConfig({ rotation: { enforcementLevel: "soon" } }, POLICIES, "c.json"), /"rotation\.enforcementLevel" must be one of/);
    assert.throws(() => parsePackConfig({ all: "always" }, POLICIES, "c.json"), /"all" must be one of/);
    assert.throws(() => parsePackConfig({ environments: ["org/env"] }, POLICIES, "c.json"), /"environments" \(Pulumi ESC\) cannot be resolved offline/);
    assert.throws(() => parsePackConfig({ rotaton: "mandatory" }, POLICIES, "c.json"), /"rotaton" is not a policy of this pack/);
  });

  it("reads an empty file as no config (as the engine does), and names an unreadable one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-"));
    try {
      fs.writeFileSync(path.join(dir, "empty.json"), "  \n");
      assert.deepEqual(readPackConfig(path.join(dir, "empty.json")), {});
      assert.throws(() => readPackConfig(path.join(dir, "missing.json")), /cannot read policy config .*missing\.json: ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
