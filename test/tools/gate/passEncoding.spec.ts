import * as assert from "node:assert/strict";
import { openPackSession, type PackSession } from "../../../tools/gate/judge";
import type { GateResource } from "../../../tools/gate/resources";

const urn = (type: string, name: string) => `urn:pulumi:prod::botfleet::${type}::${name}`;
const provider: GateResource = { urn: urn("pulumi:providers:aws", "aws"), type: "pulumi:providers:aws", name: "aws", props: { region: "eu-west-1" } };
const table = (name: string, props: Record<string, unknown>): GateResource => ({ urn: urn("aws:dynamodb/table:Table", name), type: "aws:dynamodb/table:Table", name, props, provider: provider.urn });

/**
 * A pass encodes each Analyze request when the resource is added (while the program runs and the
 * pack judges what came before), not when the pack is ready for it.
 */
describe("a pass fed while the program runs", function () {
  this.timeout(120_000);
  let session: PackSession;
  before(async () => {
    session = await openPackSession();
  });
  after(async () => {
    await session?.close();
  });

  it("a resource that cannot be encoded fails the pass when it finishes, never the program that registered it", async () => {
    const pass = session.begin({ stack: "prod", project: "botfleet" });
    pass.add(provider);
    assert.doesNotThrow(() => pass.add(table("odd", { hashKey: "pk", computed: () => "not data" })));
    await assert.rejects(pass.finish(), /cannot encode a function/);
  });

  it("the next pass runs normally after one that failed, and requests added before the pack was configured are judged as added", async () => {
    const pass = session.begin({ stack: "prod", project: "botfleet" });
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
