import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { secret, SECRET_SIG, SIG_KEY, UNKNOWN } from "../../../tools/gate/engineEncoding";
import { parseStackExport, StackExportError } from "../../../tools/gate/stackExport";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "exports");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as { version: number; deployment: { resources: Record<string, unknown>[] } };
const byName = <R extends { urn: string }>(resources: readonly R[], name: string): R | undefined => resources.find((r) => r.urn.endsWith(`::${name}`));

describe("reading `pulumi stack export` files (tools/gate/stackExport.ts)", () => {
  it("reads every resource still in the stack, the root stack included, with the edges the engine sends", () => {
    const exported = parseStackExport(load("prod-encrypted.json"), "prod-encrypted.json");
    assert.equal(exported.stack, "prod");
    assert.equal(exported.project, "botfleet");
    assert.deepEqual(
      exported.resources.map((r) => r.name),
      ["botfleet-prod", "botfleet-prod-aws", "backend-secrets", "backend-secrets-key", "backend-secrets-origin", "backend-secrets-origin-value", "backend-http-api", "backend-http-health"],
      "the queue marked for deletion is left out",
    );
    const secretResource = byName(exported.resources, "backend-secrets-origin");
    assert.equal(secretResource?.provider, "urn:pulumi:prod::botfleet::pulumi:providers:aws::botfleet-prod-aws", "the reference's id is cut off");
    assert.equal(secretResource?.parent, "urn:pulumi:prod::botfleet::botfleet:aws:Secrets::backend-secrets");
    assert.equal(secretResource?.protect, true);
    assert.deepEqual(secretResource?.dependencies, ["urn:pulumi:prod::botfleet::botfleet:aws:Secrets$aws:kms/key:Key::backend-secrets-key"]);
    assert.deepEqual(secretResource?.propertyDependencies?.kmsKeyId, ["urn:pulumi:prod::botfleet::botfleet:aws:Secrets$aws:kms/key:Key::backend-secrets-key"]);
    // Inputs and outputs stay apart: Analyze judges one, AnalyzeStack the other.
    assert.equal(byName(exported.resources, "backend-secrets-key")?.props.arn, undefined);
    assert.match(String(byName(exported.resources, "backend-secrets-key")?.outputs?.arn), /^arn:aws:kms:/);
  });

  it("judges an encrypted secret as a secret whose value is not known, wherever it sits, and counts it", () => {
    const exported = parseStackExport(load("prod-encrypted.json"), "prod-encrypted.json");
    assert.deepEqual(byName(exported.resources, "backend-secrets-origin-value")?.props.secretString, secret(UNKNOWN));
    assert.deepEqual(byName(exported.resources, "backend-http-health")?.outputs?.requestParameters, { "overwrite:header.x-botfleet-origin-verify": secret(UNKNOWN) });
    assert.equal(exported.encryptedSecrets, 4);
  });

  it("reads a --show-secrets plaintext as the JSON of the value, and secrets nested inside it (written by the no-op encrypter)", () => {
    const exported = parseStackExport(load("prod-show-secrets.json"), "prod-show-secrets.json");
    assert.deepEqual(byName(exported.resources, "backend-secrets-origin-value")?.props.secretString, secret("fixture-placeholder-not-a-real-secret"));
    assert.equal(exported.encryptedSecrets, 0);
    const nested = load("prod-show-secrets.json");
    const version = nested.deployment.resources.find((r) => String(r.urn).endsWith("::backend-secrets-origin-value")) as { inputs: Record<string, unknown> };
    const inner = JSON.stringify({ token: { [SIG_KEY]: SECRET_SIG, ciphertext: JSON.stringify("t0k3n") }, n: 3 });
    version.inputs.secretString = { [SIG_KEY]: SECRET_SIG, plaintext: inner };
    const read = byName(parseStackExport(nested, "nested.json").resources, "backend-secrets-origin-value");
    assert.deepEqual(read?.props.secretString, secret({ token: secret("t0k3n"), n: 3 }));
  });

  it("reads the computed placeholder a preview leaves in state as an unknown, and version 4 with features like 3", () => {
    const doc = { ...load("prod-show-secrets.json"), version: 4, features: ["refreshBeforeUpdate"] };
    const api = doc.deployment.resources.find((r) => String(r.urn).endsWith("::backend-http-api")) as { outputs: Record<string, unknown> };
    api.outputs.executionArn = UNKNOWN;
    const read = parseStackExport(doc, "v4.json");
    assert.equal(read.version, 4);
    assert.equal(byName(read.resources, "backend-http-api")?.outputs?.executionArn, UNKNOWN);
  });

  it("refuses what the CLI never writes, naming the file and the path", () => {
    const bad = (edit: (doc: ReturnType<typeof load>) => void) => {
      const doc = load("prod-encrypted.json");
      edit(doc);
      return () => parseStackExport(doc, "bad.json");
    };
    assert.throws(bad((d) => void ((d.deployment.resources[5] as { inputs: Record<string, unknown> }).inputs.secretString = { [SIG_KEY]: SECRET_SIG })), (e: Error) => e instanceof StackExportError && /deployment\.resources\[5\]\.inputs\.secretString: malformed secret/.test(e.message));
    assert.throws(bad((d) => void ((d.deployment.resources[5] as { inputs: Record<string, unknown> }).inputs.secretString = { [SIG_KEY]: SECRET_SIG, ciphertext: 7 })), /malformed secret/);
    assert.throws(bad((d) => void (d.deployment.resources[3] = { ...d.deployment.resources[3], customTimeouts: { create: "1m" } })), /deployment\.resources\[3\]\.customTimeouts\.create must be a number of seconds/);
    assert.throws(bad((d) => void (d.deployment.resources[3] = { ...d.deployment.resources[3], propertyDependencies: { a: "urn" } })), /deployment\.resources\[3\]\.propertyDependencies\.a must be a list of strings/);
    assert.throws(bad((d) => void (d.deployment.resources[3] = { ...d.deployment.resources[3], inputs: [] })), /deployment\.resources\[3\]\.inputs must be an object/);
    assert.throws(() => parseStackExport([], "list.json"), /list\.json: not a stack export/);
  });
});
