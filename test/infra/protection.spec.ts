import { strict as assert } from "node:assert";
import { type ProgramRun, runProgram } from "../../tools/program/runUnderMocks";

/** Resources whose loss loses data: `protect` makes `pulumi destroy` (or a replacement) refuse them in prod. */
const DATA_HOLDERS = [
  "aws:kms/key:Key",
  "aws:dynamodb/table:Table",
  "gcp:kms/keyRing:KeyRing",
  "gcp:kms/cryptoKey:CryptoKey",
  "gcp:storage/bucket:Bucket",
];

describe("protect on data-holding resources", () => {
  const runs: Partial<Record<"dev" | "prod", ProgramRun>> = {};
  before(async () => {
    runs.dev = await runProgram("dev");
    runs.prod = await runProgram("prod");
  });

  const holders = (run: ProgramRun) => run.resources.filter((r) => DATA_HOLDERS.includes(r.type));

  it("protects every key, the table and the archive in prod", () => {
    const prod = holders(runs.prod as ProgramRun);
    assert.deepEqual([...new Set(prod.map((r) => r.type))].sort(), [...DATA_HOLDERS].sort(), "each kind exists in prod");
    assert.deepEqual(prod.filter((r) => !r.protect).map((r) => r.urn), []);
  });

  it("leaves dev destroyable", () => {
    assert.deepEqual(holders(runs.dev as ProgramRun).filter((r) => r.protect).map((r) => r.urn), []);
  });
});
