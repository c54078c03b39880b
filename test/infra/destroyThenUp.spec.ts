import { strict as assert } from "node:assert";
import { CloudStandIn, NameTakenError, ProtectedResourceError, type StandInResource } from "../../tools/program/cloudStandIn";
import { type ProgramRun, runProgram } from "../../tools/program/runUnderMocks";

/**
 * `pulumi up`, `pulumi destroy`, `pulumi up` again, against the clouds' rules for names that
 * outlive a delete. The clouds are a stand-in (tools/program/cloudStandIn.ts) built from AWS's and
 * Google's documented delete behaviour — key rings never deleted, pool ids kept 30 days, custom
 * role ids 44 days, secret names through their recovery window — because no local server of a
 * cloud's control plane exists; the program itself runs under Pulumi's own mocks.
 */

const asStandIn = (run: ProgramRun): StandInResource[] =>
  run.resources.filter((r) => r.custom).map((r) => ({ urn: r.urn, type: r.type, protect: r.protect, state: r.wireOutputs }));

const outputsOf = (run: ProgramRun, type: string, field: string): string[] =>
  run.resources.filter((r) => r.type === type).map((r) => String(r.wireOutputs[field]));

describe("destroy, then up again (names that outlive a delete, modelled from the clouds' documentation)", function () {
  this.timeout(120_000);

  describe("the stand-in refuses what the clouds refuse", () => {
    const ring = { project: "p", location: "europe-west1", name: "r" };
    it("a key ring name can never be created again, even after its destroy", () => {
      const cloud = new CloudStandIn();
      cloud.create("gcp:kms/keyRing:KeyRing", ring);
      cloud.destroy([{ urn: "u", type: "gcp:kms/keyRing:KeyRing", protect: false, state: ring }]);
      cloud.advanceDays(10_000);
      assert.throws(() => cloud.create("gcp:kms/keyRing:KeyRing", ring), NameTakenError);
    });
    it("a pool id is taken for 30 days after its delete, a custom role id for 44, a secret name for its recovery window (0: free at once)", () => {
      const cloud = new CloudStandIn();
      const pool = { project: "p", workloadIdentityPoolId: "botfleet-dev-aws" };
      const role = { project: "p", roleId: "botfleet_dev_archive_writer" };
      const kept = { name: "botfleet-dev/telegram", recoveryWindowInDays: 7 };
      const gone = { name: "botfleet-dev/slack", recoveryWindowInDays: 0 };
      const created: StandInResource[] = [
        { urn: "pool", type: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", protect: false, state: pool },
        { urn: "role", type: "gcp:projects/iAMCustomRole:IAMCustomRole", protect: false, state: role },
        { urn: "kept", type: "aws:secretsmanager/secret:Secret", protect: false, state: kept },
        { urn: "gone", type: "aws:secretsmanager/secret:Secret", protect: false, state: gone },
      ];
      for (const r of created) cloud.create(r.type, r.state);
      assert.throws(() => cloud.create("aws:secretsmanager/secret:Secret", gone), /already exists/);
      cloud.destroy(created);
      cloud.create("aws:secretsmanager/secret:Secret", gone);
      assert.throws(() => cloud.create("aws:secretsmanager/secret:Secret", kept), /7 more days/);
      assert.throws(() => cloud.create("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", pool), /30 more days/);
      cloud.advanceDays(30);
      cloud.create("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", pool);
      cloud.create("aws:secretsmanager/secret:Secret", kept);
      assert.throws(() => cloud.create("gcp:projects/iAMCustomRole:IAMCustomRole", role), /14 more days/);
      cloud.advanceDays(14);
      cloud.create("gcp:projects/iAMCustomRole:IAMCustomRole", role);
    });
  });

  describe("dev", () => {
    const cloud = new CloudStandIn();
    const deployments: ProgramRun[] = [];
    before(async () => {
      deployments.push(await runProgram("dev", { cloud, lean: true }));
      cloud.destroy(asStandIn(deployments[0] as ProgramRun));
      // The same day: nothing waits out a reservation.
      deployments.push(await runProgram("dev", { cloud, lean: true }));
      cloud.destroy(asStandIn(deployments[1] as ProgramRun));
      deployments.push(await runProgram("dev", { cloud, lean: true }));
    });

    it("comes back after pulumi destroy, twice, on the same day", () => {
      assert.equal(deployments.length, 3);
    });

    it("gets a new key ring, pool and custom roles each deployment (the old ones stay behind, as GCP keeps them)", () => {
      for (const [type, field] of [
        ["gcp:kms/keyRing:KeyRing", "name"],
        ["gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "workloadIdentityPoolId"],
        ["gcp:projects/iAMCustomRole:IAMCustomRole", "roleId"],
      ] as const) {
        const names = deployments.flatMap((run) => outputsOf(run, type, field));
        assert.equal(new Set(names).size, names.length, `${type}: ${names.join(", ")}`);
      }
      const first = deployments[0] as ProgramRun;
      const [oldRing] = outputsOf(first, "gcp:kms/keyRing:KeyRing", "name");
      assert.ok(cloud.isTaken("gcp:kms/keyRing:KeyRing", `${first.settings.gcp.project}/${first.settings.gcp.region}/keyRings/${String(oldRing)}`), "the first key ring still exists");
    });

    it("keeps the names that are freed by their delete (secrets without a recovery window, the bucket, roles, functions)", () => {
      const [first, second] = deployments as [ProgramRun, ProgramRun];
      for (const type of ["aws:secretsmanager/secret:Secret", "gcp:storage/bucket:Bucket", "aws:iam/role:Role", "aws:lambda/function:Function"]) {
        assert.deepEqual(outputsOf(second, type, "name").sort(), outputsOf(first, type, "name").sort(), type);
      }
      assert.deepEqual([...new Set(outputsOf(first, "aws:secretsmanager/secret:Secret", "recoveryWindowInDays"))], ["0"]);
    });

    it("attempt: a key ring with a fixed name (as before) cannot be recreated after destroy", () => {
      const [first] = deployments as [ProgramRun];
      const ring = first.resources.find((r) => r.type === "gcp:kms/keyRing:KeyRing");
      assert.ok(ring);
      assert.throws(() => cloud.create(ring.type, ring.wireOutputs), /can never be created again|already exists/);
    });
  });

  describe("prod", () => {
    it("refuses pulumi destroy at a protected resource, and every key, the table, the secrets and the archive are protected", async () => {
      const cloud = new CloudStandIn();
      const run = await runProgram("prod", { cloud, lean: true });
      assert.throws(() => cloud.destroy(asStandIn(run)), ProtectedResourceError);
      const protectedTypes = new Set(run.resources.filter((r) => r.protect).map((r) => r.type));
      for (const type of [
        "aws:kms/key:Key",
        "aws:dynamodb/table:Table",
        "aws:secretsmanager/secret:Secret",
        "gcp:kms/keyRing:KeyRing",
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:storage/bucket:Bucket",
      ]) {
        assert.ok(protectedTypes.has(type), `${type} is protected in prod`);
      }
      assert.deepEqual([...new Set(outputsOf(run, "aws:secretsmanager/secret:Secret", "recoveryWindowInDays"))], ["30"], "prod keeps AWS's longest recovery window");
    });

    it("attempt: a second prod deployment into the same accounts collides instead of silently sharing names", async () => {
      const cloud = new CloudStandIn();
      await runProgram("prod", { cloud, lean: true });
      await assert.rejects(runProgram("prod", { cloud, lean: true }), NameTakenError);
    });
  });
});
