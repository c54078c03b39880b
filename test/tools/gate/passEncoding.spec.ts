import * as assert from "node:assert/strict";
import * as path from "node:path";
import type { GateResource } from "../../../tools/gate/resources";
import { writePolicyPack } from "./probePack";
import { AWS_PROVIDER as provider, packSessionFor } from "./packSession";

/** A pack whose one policy holds each Analyze call for 20 ms and reports how many were in its hands at once. */
const IN_FLIGHT_PACK_SOURCE = `const { PolicyPack } = require("@pulumi/policy");
let now = 0, most = 0;
new PolicyPack("in-flight", { enforcementLevel: "advisory", policies: [{
  name: "in-flight", description: "Reports the most Analyze calls in flight so far.",
  validateResource: async (args, report) => {
    now++; most = Math.max(most, now);
    await new Promise((resolve) => setTimeout(resolve, 20));
    now--;
    report(String(most));
  },
}] });
`;

const urn = (type: string, name: string) => `urn:pulumi:prod::botfleet::${type}::${name}`;
const table = (name: string, props: Record<string, unknown>): GateResource => ({ urn: urn("aws:dynamodb/table:Table", name), type: "aws:dynamodb/table:Table", name, props, provider: provider.urn });

/**
 * A pass encodes each Analyze request when the resource is added (while the program runs and the
 * pack judges what came before), not when the pack is ready for it.
 */
describe("a pass fed while the program runs", function () {
  this.timeout(120_000);
  const session = packSessionFor();

  it("a resource that cannot be encoded fails the pass when it finishes, never the program that registered it", async () => {
    const pass = session().begin({ stack: "prod", project: "botfleet" });
    pass.add(provider);
    assert.doesNotThrow(() => pass.add(table("odd", { hashKey: "pk", computed: () => "not data" })));
    await assert.rejects(pass.finish(), /cannot encode a function/);
  });

  it("the next pass runs normally after one that failed, and requests added before the pack was configured are judged as added", async () => {
    const pass = session().begin({ stack: "prod", project: "botfleet" });
    pass.add(provider);
    const props = { hashKey: "pk", deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: false, kmsKeyArn: "" } };
    pass.add(table("plain", props));
    // Changing the program's object after registration changes nothing: the request was taken when added.
    props.serverSideEncryption = { enabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:222222222222:key/0d5c6d0e-1111-4a4a-9b9b-0123456789ab" };
    const judged = await pass.finish();
    assert.deepEqual(judged.analyzed, [provider.urn, urn("aws:dynamodb/table:Table", "plain")]);
    const onTable = judged.violations.filter((v) => v.urn === urn("aws:dynamodb/table:Table", "plain") && v.policy.startsWith("aws-dynamodb-"));
    assert.deepEqual(
      onTable.map((v) => [v.policy, v.enforcementLevel]),
      [["aws-dynamodb-table-require-cmk-encryption", "mandatory"]],
    );
  });
});

describe("Analyze calls in flight", function () {
  this.timeout(120_000);
  // A pack of its own per case: it counts for as long as it runs.
  const session = packSessionFor(() => ({ packDir: writePolicyPack(path.resolve(__dirname, "..", "..", ".."), "in-flight", IN_FLIGHT_PACK_SOURCE) }), true);
  const tables = Array.from({ length: 40 }, (_, i) => table(`t${i}`, { hashKey: "pk" }));
  const mostInFlight = (messages: readonly string[]) => Math.max(...messages.map((m) => Number(/(\d+)\s*$/.exec(m)?.[1] ?? Number.NaN)));

  it("a pass fed while the program runs sends every added resource at once (the program's thread reads responses only between its steps)", async () => {
    const pass = session().begin({ stack: "prod", project: "botfleet" });
    pass.add(provider);
    for (const t of tables) pass.add(t);
    const judged = await pass.finish();
    assert.equal(mostInFlight(judged.violations.map((v) => v.message)), 41);
  });

  it("a whole set judged at once keeps 16 in flight", async () => {
    const judged = await session().judge({ stack: "prod", project: "botfleet", resources: [provider, ...tables] });
    assert.equal(judged.violations.length, 41);
    const most = mostInFlight(judged.violations.map((v) => v.message));
    assert.ok(most <= 16 && most > 1, `at most 16 in flight, got ${most}`);
  });
});
