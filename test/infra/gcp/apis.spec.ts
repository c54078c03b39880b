import { strict as assert } from "node:assert";
import { GCP_APIS } from "../../../infra/gcp/apis";
import type { ProgramRun, RegisteredResource } from "../../../tools/program/runUnderMocks";
import { stackRun, STACKS } from "../aws/resources";

const SERVICE = "gcp:projects/service:Service";

/** The API each GCP resource type is created through (what it must wait for). */
const API_OF: Readonly<Record<string, string>> = {
  "gcp:kms/keyRing:KeyRing": "cloudkms.googleapis.com",
  "gcp:kms/cryptoKey:CryptoKey": "cloudkms.googleapis.com",
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "cloudkms.googleapis.com",
  "gcp:storage/bucket:Bucket": "storage.googleapis.com",
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": "iam.googleapis.com",
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": "sts.googleapis.com",
  "gcp:serviceaccount/account:Account": "iam.googleapis.com",
  "gcp:projects/iAMCustomRole:IAMCustomRole": "iam.googleapis.com",
  "gcp:serviceaccount/iAMMember:IAMMember": "iam.googleapis.com",
};

/** URNs a resource waits for, directly or through what it waits for. */
function waitsFor(run: ProgramRun, resource: RegisteredResource): Set<string> {
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const stack = [resource];
  while (stack.length > 0) {
    const next = stack.pop() as RegisteredResource;
    for (const urn of [...next.dependencies, ...Object.values(next.propertyDependencies).flat()]) {
      if (seen.has(urn)) continue;
      seen.add(urn);
      const found = byUrn.get(urn);
      if (found) stack.push(found);
    }
  }
  return seen;
}

for (const stack of STACKS) {
  describe(`gcp project APIs: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun(stack);
    });

    it("enables KMS, Storage, IAM, IAM Credentials, STS and Service Usage in the stack's project, and leaves them on at destroy", () => {
      const services = run.resources.filter((r) => r.type === SERVICE);
      assert.deepEqual(services.map((s) => s.inputs.service).sort(), [
        "cloudkms.googleapis.com",
        "iam.googleapis.com",
        "iamcredentials.googleapis.com",
        "serviceusage.googleapis.com",
        "storage.googleapis.com",
        "sts.googleapis.com",
      ]);
      assert.deepEqual(services.map((s) => s.inputs.service).sort(), Object.values(GCP_APIS).map((a) => a.service).sort());
      for (const service of services) {
        assert.equal(service.inputs.project, run.settings.gcp.project);
        assert.equal(service.inputs.disableOnDestroy, false, `${String(service.inputs.service)} stays on after pulumi destroy`);
        assert.equal(service.inputs.disableDependentServices, false);
      }
    });

    it("creates each GCP resource only after the API it is created through is on", () => {
      const serviceUrn = new Map(run.resources.filter((r) => r.type === SERVICE).map((s) => [String(s.inputs.service), s.urn]));
      const checked = run.resources.filter((r) => API_OF[r.type] !== undefined);
      assert.ok(checked.length >= 9);
      for (const resource of checked) {
        const api = serviceUrn.get(API_OF[resource.type] as string);
        assert.ok(api && waitsFor(run, resource).has(api), `${resource.urn} waits for ${API_OF[resource.type]}`);
      }
    });

    it("issues federated credentials only once STS and IAM Credentials are on (the functions' token path)", () => {
      const provider = run.resources.find((r) => r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
      assert.ok(provider);
      const waits = waitsFor(run, provider);
      for (const api of ["sts.googleapis.com", "iamcredentials.googleapis.com", "iam.googleapis.com"]) {
        const urn = run.resources.find((r) => r.type === SERVICE && r.inputs.service === api)?.urn;
        assert.ok(urn && waits.has(urn), api);
      }
    });
  });
}
