import * as assert from "node:assert/strict";
import type { Policy, ResourceValidationPolicy } from "@pulumi/policy";
import { wireFormOf } from "../../policypacks/security/lib/secretMarks";
import { policies } from "../../policypacks/security/policies";
import { indexByUrn, toAnalyzeRequest, violationsOf } from "../../tools/gate/resources";
import { type analyzerPb, structPb } from "../../tools/gate/rpc";
import { KEY_ARN, onAws } from "./fixtures";
import { secret, toGateResource } from "./harness";

type Deserialize = (struct: InstanceType<typeof structPb.Struct>, proxySecrets: boolean) => Record<string, unknown>;
type RpcFun = (call: { request: unknown }, callback: (err: unknown, response?: unknown) => void) => Promise<void>;
/* eslint-disable @typescript-eslint/no-require-imports -- the analyzer's own modules, as server.js calls them */
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: Deserialize };
const server = require("@pulumi/policy/server") as { makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: Policy[]): RpcFun };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Counts conversions per Struct instance while `run` runs (a nested object's Struct, converted as part of its parent, is not counted). */
async function countingConversions<T>(run: () => Promise<T> | T): Promise<{ result: T; counts: Map<object, number> }> {
  const prototype = structPb.Struct.prototype as unknown as { toJavaScript(this: object): unknown };
  const original = prototype.toJavaScript;
  const counts = new Map<object, number>();
  let depth = 0;
  prototype.toJavaScript = function (this: object) {
    if (depth === 0) counts.set(this, (counts.get(this) ?? 0) + 1);
    depth++;
    try {
      return original.call(this);
    } finally {
      depth--;
    }
  };
  try {
    return { result: await run(), counts };
  } finally {
    prototype.toJavaScript = original;
  }
}

/**
 * @pulumi/policy deserializes a resource's props once per policy it cannot skip by type; the pack
 * converts each protobuf Struct once (lib/secretMarks.ts) and still hands every policy props of
 * its own.
 */
describe("policy pack: resource props are converted from protobuf once per request", () => {
  it("a second deserialization of the same Struct reuses the conversion but returns a fresh, independent object", async () => {
    const struct = structPb.Struct.fromJavaScript({ environment: { variables: { TOKEN: secret("s3cr3t") as never, MODE: "prod" } }, tags: ["a"] });
    const { result, counts } = await countingConversions(() => [deserialize.deserializeProperties(struct, false), deserialize.deserializeProperties(struct, false)]);
    const [first, second] = result as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(counts.get(struct), 1);
    assert.deepEqual(first, second);
    assert.notEqual(first, second);
    // The secret is unwrapped for policies, as the library does; its wire form still says it is secret.
    assert.deepEqual(first.environment, { variables: { TOKEN: "s3cr3t", MODE: "prod" } });
    (first.environment as { variables: Record<string, string> }).variables.MODE = "changed by a policy";
    (first.tags as string[]).push("b");
    assert.deepEqual(second, { environment: { variables: { TOKEN: "s3cr3t", MODE: "prod" } }, tags: ["a"] });
    for (const props of [first, second]) assert.deepEqual(wireFormOf(props), { environment: { variables: { TOKEN: secret("s3cr3t"), MODE: "prod" } }, tags: ["a"] });
  });

  it("different Structs with the same content are converted each (the memo is per request, not per content)", async () => {
    const a = structPb.Struct.fromJavaScript({ name: "x" });
    const b = structPb.Struct.fromJavaScript({ name: "x" });
    const { counts } = await countingConversions(() => [deserialize.deserializeProperties(a, false), deserialize.deserializeProperties(b, false)]);
    assert.equal(counts.get(a), 1);
    assert.equal(counts.get(b), 1);
  });

  it("one Analyze through every resource policy converts the resource's and its provider's props once each, and still finds what each policy finds", async () => {
    const fn = onAws("aws:lambda/function:Function", { kmsKeyArn: KEY_ARN, environment: { variables: { BOT: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", API_KEY: secret("k") } } }, "api");
    const gate = toGateResource(fn);
    const provider = toGateResource(fn.provider as NonNullable<typeof fn.provider>);
    const request = toAnalyzeRequest(gate, indexByUrn([gate, provider]));
    const resourcePolicies = policies.filter((p): p is ResourceValidationPolicy => "validateResource" in p && p.validateResource !== undefined);
    const rpc = server.makeAnalyzeRpcFun("botfleet-security", "0.0.1", "mandatory", resourcePolicies);
    const { result: response, counts } = await countingConversions(
      () =>
        new Promise<InstanceType<typeof analyzerPb.AnalyzeResponse>>((resolve, reject) => {
          void rpc({ request }, (err, r) => (err ? reject(err) : resolve(r as InstanceType<typeof analyzerPb.AnalyzeResponse>)));
        }),
    );
    // More than one policy that judges every resource's provider ran on this one.
    assert.ok(resourcePolicies.filter((p) => !(p.validateResource as { __pulumiType?: string }).__pulumiType).length > 1);
    assert.deepEqual([...counts.values()], [1, 1]);
    assert.ok(counts.has(request.getProperties() as object));
    assert.ok(counts.has(request.getProvider()?.getProperties() as object));
    const found = violationsOf(response, gate.urn).filter((v) => v.enforcementLevel === "mandatory");
    assert.deepEqual([...new Set(found.map((v) => v.policy))], ["aws-lambda-function-disallow-plaintext-secrets"]);
    // One for the token-shaped literal, one for the value sent as a Pulumi secret.
    assert.deepEqual(found.map((v) => ["BOT", "API_KEY"].find((name) => v.message.includes(name))).sort(), ["API_KEY", "BOT"]);
  });
});
