import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
  ARCHIVE_SIG,
  ASSET_SIG,
  EncodingError,
  OUTPUT_VALUE_SIG,
  RESOURCE_REFERENCE_SIG,
  secret,
  SIG_KEY,
  toAnalyzerProperties,
  UNKNOWN,
  UNKNOWN_SENTINELS,
  unknownPaths,
} from "../../../tools/gate/engineEncoding";
import { indexByUrn, toAnalyzeRequest, toAnalyzeStackRequest, type GateResource } from "../../../tools/gate/resources";
import { analyzerPb, structPb } from "../../../tools/gate/rpc";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeStruct } from "../../../tools/gate/wire";

describe("the engine's analyzer encoding (tools/gate/engineEncoding.ts)", () => {
  it("keeps unknowns and secrets as the engine sends them, at any depth", () => {
    const props = { a: UNKNOWN, b: { c: [1, secret({ d: UNKNOWN_SENTINELS.number })] }, e: secret("x") };
    assert.deepEqual(toAnalyzerProperties(props), props);
    assert.deepEqual(unknownPaths(props).sort(), ["a", "b.c[1].d"]);
  });

  it("keeps a nested key named __proto__ as a property", () => {
    const nested = JSON.parse('{"tags":{"__proto__":"x"}}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(toAnalyzerProperties(nested).tags as object), ["__proto__"]);
  });

  it("drops the bridge's top-level internal keys and undefined, keeps nulls (SkipInternalKeys, not SkipNulls)", () => {
    assert.deepEqual(toAnalyzerProperties({ __defaults: ["x"], __meta: "{}", name: "n", gone: undefined, none: null, nested: { __kept: 1 } }), {
      name: "n",
      none: null,
      nested: { __kept: 1 },
    });
  });

  it("flattens a resource reference to its id (unknown while it has none), a component's to its URN", () => {
    const urn = "urn:pulumi:prod::botfleet::aws:kms/key:Key::k";
    assert.deepEqual(toAnalyzerProperties({ a: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn, id: "key-1", packageVersion: "7.48.0" } }), { a: "key-1" });
    assert.deepEqual(toAnalyzerProperties({ a: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn, id: "" } }), { a: UNKNOWN });
    assert.deepEqual(toAnalyzerProperties({ a: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn } }), { a: urn });
  });

  it("flattens output values: unknown without a value, wrapped when secret", () => {
    assert.deepEqual(toAnalyzerProperties({ a: { [SIG_KEY]: OUTPUT_VALUE_SIG, value: 1 }, b: { [SIG_KEY]: OUTPUT_VALUE_SIG }, c: { [SIG_KEY]: OUTPUT_VALUE_SIG, value: "s", secret: true } }), {
      a: 1,
      b: UNKNOWN,
      c: secret("s"),
    });
  });

  it("re-serializes assets and archives with only the fields the engine knows", () => {
    const archive = { [SIG_KEY]: ARCHIVE_SIG, __pulumiArchive: true, assets: { "index.mjs": { [SIG_KEY]: ASSET_SIG, __pulumiAsset: true, text: "export {}", hash: "" } } };
    assert.deepEqual(toAnalyzerProperties({ code: archive }), { code: { [SIG_KEY]: ARCHIVE_SIG, assets: { "index.mjs": { [SIG_KEY]: ASSET_SIG, text: "export {}" } } } });
  });

  it("refuses a signature it does not know, naming where", () => {
    assert.throws(() => toAnalyzerProperties({ a: { b: { [SIG_KEY]: "f00" } } }), (e: Error) => e instanceof EncodingError && /properties\.a\.b: unrecognised signature "f00"/.test(e.message));
    assert.throws(() => toAnalyzerProperties({ s: { [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:x" } }), /properties\.s: a secret without a value/);
  });
});

describe("analyzer requests on the wire (tools/gate/wire.ts)", () => {
  // google-protobuf's toJavaScript assigns keys one by one, so it cannot give back a "__proto__" key.
  const KEY = fc.string({ unit: "grapheme" }).filter((k) => k !== "__proto__");
  // JSON values as the engine sends them: no undefined, numbers finite (protobuf doubles).
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: "grapheme" }),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(KEY, tie("value"), { maxKeys: 4 }),
    ),
  })).value;

  it("encodes any JSON object as the google.protobuf.Struct google-protobuf decodes back to it", () => {
    fc.assert(
      fc.property(fc.dictionary(KEY, json, { maxKeys: 6 }), (object) => {
        const decoded = structPb.Struct.deserializeBinary(encodeStruct(object)).toJavaScript();
        // -0 is a double like any other; JSON equality is what the pack sees.
        assert.deepEqual(JSON.parse(JSON.stringify(decoded)), JSON.parse(JSON.stringify(object)));
      }),
      { numRuns: 300 },
    );
  });

  it("builds the same Analyze and AnalyzeStack messages as google-protobuf's own serializer", () => {
    const provider: GateResource = { urn: "urn:pulumi:prod::p::pulumi:providers:aws::aws", type: "pulumi:providers:aws", name: "aws", props: { region: "eu-west-1", allowedAccountIds: '["222222222222"]' } };
    const table: GateResource = {
      urn: "urn:pulumi:prod::p::c:x:C$aws:dynamodb/table:Table::t",
      type: "aws:dynamodb/table:Table",
      name: "t",
      props: { name: "t", serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN }, tags: { é: "ü" }, code: { [SIG_KEY]: ASSET_SIG, text: "x".repeat(70_000) } },
      outputs: { arn: UNKNOWN, secretish: secret("v") },
      provider: provider.urn,
      parent: "urn:pulumi:prod::p::c:x:C::c",
      protect: true,
      dependencies: [provider.urn],
      propertyDependencies: { name: [], serverSideEncryption: ["urn:pulumi:prod::p::aws:kms/key:Key::k"] },
      ignoreChanges: ["tags"],
      deleteBeforeReplace: true,
      customTimeouts: { create: 60 },
    };
    const byUrn = indexByUrn([provider, table]);
    for (const r of [provider, table]) {
      assert.deepEqual(analyzerPb.AnalyzeRequest.deserializeBinary(encodeAnalyzeRequest(r, byUrn)).toObject(), toAnalyzeRequest(r, byUrn).toObject());
    }
    assert.deepEqual(analyzerPb.AnalyzeStackRequest.deserializeBinary(encodeAnalyzeStackRequest([provider, table], byUrn)).toObject(), toAnalyzeStackRequest([provider, table]).toObject());
  });
});
