import { strict as assert } from "node:assert";
import { MAX_STACK_TOKEN, parseSettings } from "../../infra/config";
import { archiveBucketName, archiveRoleId, exportServiceAccountId, fitName, readerServiceAccountId, workloadIdentityPoolId } from "../../infra/naming";
import { readStackConfig } from "../../tools/program/stackConfig";

/** The GCP ids a stack name ends up in, each against its documented rule. */
const GCP_ID_RULES: [string, (s: ReturnType<typeof parseSettings>) => string, RegExp][] = [
  // https://cloud.google.com/iam/docs/service-accounts-create#creating
  ["export service account", exportServiceAccountId, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/],
  ["reader service account", readerServiceAccountId, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/],
  // https://cloud.google.com/iam/docs/manage-workload-identity-pools-providers#create-pool
  ["workload identity pool", (s) => workloadIdentityPoolId(s, "abc1234"), /^[a-z][a-z0-9-]{2,30}[a-z0-9]$/],
  // https://cloud.google.com/iam/docs/creating-custom-roles#naming_the_role
  ["custom role", (s) => archiveRoleId(s, "writer", "abc1234"), /^[a-zA-Z0-9_.]{3,64}$/],
  // https://cloud.google.com/storage/docs/buckets#naming
  ["archive bucket", archiveBucketName, /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/],
];

describe("physical names from any stack name", () => {
  const dev = readStackConfig("dev");
  for (const stack of ["staging", "Prod.EU_west", "x".repeat(MAX_STACK_TOKEN)]) {
    it(`fits every GCP id of a stack named ${JSON.stringify(stack)} to its rule`, () => {
      const settings = parseSettings(stack, { ...dev, "gcp:project": "a-thirty-character-project-id0", "botfleet:gcpDeployServiceAccount": "botfleet-deploy@a-thirty-character-project-id0.iam.gserviceaccount.com" }, []);
      for (const [what, name, rule] of GCP_ID_RULES) assert.match(name(settings), rule, `${what}: ${name(settings)}`);
    });
  }

  it("leaves a name that fits alone, and shortens one that does not to a stable, distinct id", () => {
    assert.equal(fitName("botfleet-prod-archive-reader", 30), "botfleet-prod-archive-reader");
    const a = fitName("botfleet-staging-archive-reader", 30);
    assert.equal(a.length, 30);
    assert.equal(fitName("botfleet-staging-archive-reader", 30), a);
    assert.notEqual(fitName("botfleet-stagings-archive-reader", 30), a);
  });
});
