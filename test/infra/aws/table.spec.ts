import { strict as assert } from "node:assert";
import { TABLE } from "../../../runtime/adapters/tableSchema";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, ofType } from "./resources";

interface Gsi {
  name: string;
  keySchemas: { attributeName: string; keyType: string }[];
  projectionType: string;
}

for (const stack of STACKS) {
  describe(`aws dynamodb table: ${stack} stack`, () => {
    let run: ProgramRun;
    let inputs: Record<string, unknown>;
    before(async () => {
      run = await stackRun(stack);
      const tables = ofType(run, "aws:dynamodb/table:Table");
      assert.equal(tables.length, 1, "a single table");
      inputs = (tables[0] as { inputs: Record<string, unknown> }).inputs;
    });

    it("has the keys and indexes the runtime documents", () => {
      assert.equal(inputs.hashKey, TABLE.partitionKey);
      assert.equal(inputs.rangeKey, TABLE.sortKey);
      const gsis = inputs.globalSecondaryIndexes as Gsi[];
      assert.deepEqual(
        gsis.map((g) => [g.name, g.keySchemas.map((k) => `${k.keyType}:${k.attributeName}`)]),
        Object.values(TABLE.indexes).map((i) => [i.name, [`HASH:${i.partitionKey}`, `RANGE:${i.sortKey}`]]),
      );
      const declared = (inputs.attributes as { name: string }[]).map((a) => a.name).sort();
      const used = [TABLE.partitionKey, TABLE.sortKey, ...Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey])].sort();
      assert.deepEqual(declared, used, "exactly the key attributes are declared");
    });

    it("is on-demand, encrypted with the data CMK, with point-in-time recovery and TTL", () => {
      assert.equal(inputs.billingMode, "PAY_PER_REQUEST");
      const sse = inputs.serverSideEncryption as { enabled: boolean; kmsKeyArn: string };
      assert.equal(sse.enabled, true);
      assert.match(sse.kmsKeyArn, new RegExp(`^arn:aws:kms:${run.settings.aws.region}:${run.settings.aws.accountId}:key/backend-keys-data`));
      assert.deepEqual(inputs.pointInTimeRecovery, { enabled: true });
      assert.deepEqual(inputs.ttl, { attributeName: TABLE.ttlAttribute, enabled: true });
    });

    it(`has deletion protection ${stack === "prod" ? "on" : "off"}`, () => {
      assert.equal(inputs.deletionProtectionEnabled, stack === "prod");
    });

    it("exports the table name", () => {
      assert.equal(run.outputs.tableName, `${run.settings.prefix}-table`);
    });
  });
}
