import { strict as assert } from "node:assert";
import { specialSecretSig as SECRET_SIG_VALUE, specialSigKey as SECRET_SIG } from "@pulumi/pulumi/runtime/rpc";
import { parseSecret } from "../../../runtime/adapters/secrets";
import { SECRET_NAMES } from "../../../runtime/env";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, ofType } from "./resources";

for (const stack of STACKS) {
  describe(`aws secrets: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun(stack);
    });

    it("creates one secret per SECRET_NAMES entry, encrypted with the secrets CMK", () => {
      const secrets = ofType(run, "aws:secretsmanager/secret:Secret");
      assert.deepEqual(secrets.map((s) => s.inputs.name).sort(), SECRET_NAMES.map((n) => `${run.settings.prefix}/${n}`).sort());
      for (const secret of secrets) assert.match(String(secret.inputs.kmsKeyId), /:key\/backend-keys-secrets-id$/, secret.name);
    });

    it("writes a value only for the origin-verify secret, from the config secret", () => {
      const versions = ofType(run, "aws:secretsmanager/secretVersion:SecretVersion");
      assert.equal(versions.length, 1, "bot tokens are set out of band, never by Pulumi");
      const [origin] = versions;
      assert.equal(origin?.inputs.secretId, "backend-secrets-origin-id");
      // A Pulumi secret on the wire: encrypted in state, masked in previews.
      const value = origin?.inputs.secretString as Record<string, unknown>;
      assert.equal(value[SECRET_SIG], SECRET_SIG_VALUE, "the origin value stays a Pulumi secret");
      // The shape the runtime parses (runtime/adapters/secrets.ts parseSecret, SECRET_FIELDS.origin).
      const parsed = parseSecret("origin", String(value.value));
      assert.match(parsed.value, /^[A-Za-z0-9_-]{32,128}$/);
    });

    it("exports every secret's ARN and no value", () => {
      const arns = run.outputs.secretArns as unknown as Record<string, string>;
      assert.deepEqual(Object.keys(arns).sort(), [...SECRET_NAMES].sort());
      for (const [name, arn] of Object.entries(arns)) {
        assert.match(arn, new RegExp(`^arn:aws:secretsmanager:[^:]+:\\d{12}:secret:${run.settings.prefix}/${name}-`));
      }
    });
  });
}
