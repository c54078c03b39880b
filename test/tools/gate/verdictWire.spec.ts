import * as assert from "node:assert/strict";
import fc from "fast-check";
import { violationsOf } from "../../../tools/gate/resources";
import { analyzerPb } from "../../../tools/gate/rpc";
import { decodeAnalyzeResponse } from "../../../tools/gate/verdictWire";

type AnalyzeResponse = InstanceType<typeof analyzerPb.AnalyzeResponse>;

const text = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constant(""));
const diagnostic = fc.record({
  policyName: text,
  policyPackName: text,
  policyPackVersion: text,
  description: text,
  message: text,
  // Known levels, unknown ones, and negative ones (sent as 10-byte varints).
  enforcementLevel: fc.integer({ min: -3, max: 9 }),
  urn: fc.oneof(fc.constant(""), fc.string()),
  severity: fc.integer({ min: 0, max: 4 }),
});
const notApplicable = fc.record({ policyName: text, reason: text });
type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

function response(diagnostics: readonly Generated<typeof diagnostic>[], skipped: readonly Generated<typeof notApplicable>[]): AnalyzeResponse {
  const message = new analyzerPb.AnalyzeResponse();
  for (const d of diagnostics) {
    const m = new analyzerPb.AnalyzeDiagnostic();
    m.setPolicyname(d.policyName);
    m.setPolicypackname(d.policyPackName);
    m.setPolicypackversion(d.policyPackVersion);
    m.setDescription(d.description);
    m.setMessage(d.message);
    m.setEnforcementlevel(d.enforcementLevel as never);
    m.setUrn(d.urn);
    m.setSeverity(d.severity as never);
    message.addDiagnostics(m);
  }
  for (const n of skipped) {
    const m = new analyzerPb.PolicyNotApplicable();
    m.setPolicyName(n.policyName);
    m.setReason(n.reason);
    message.addNotApplicable(m);
  }
  return message;
}

/** What the gate read from the same bytes with the generated class before. */
function generated(bytes: Uint8Array, fallbackUrn: string) {
  const decoded = analyzerPb.AnalyzeResponse.deserializeBinary(bytes);
  return { violations: violationsOf(decoded, fallbackUrn), notApplicable: decoded.getNotApplicableList().map((n) => n.getPolicyName()) };
}

/** Fields a newer engine or pack might add: a varint, a fixed64, a fixed32 and a length-delimited one, at unused numbers. */
const unknownField = fc.oneof(
  fc.constant(Buffer.from([0xa8, 0x01, 0x96, 0x01])), // field 21, varint 150
  fc.constant(Buffer.from([0xb1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8])), // field 22, fixed64
  fc.constant(Buffer.from([0xbd, 0x01, 9, 9, 9, 9])), // field 23, fixed32
  fc.string().map((s) => {
    const payload = Buffer.from(s, "utf8").subarray(0, 127);
    return Buffer.concat([Buffer.from([0xc2, 0x01, payload.length]), payload]);
  }), // field 24, bytes
);

describe("AnalyzeResponse bytes read by hand (tools/gate/verdictWire.ts)", () => {
  it("reads what google-protobuf's generated class reads: findings, their levels, the fallback URN, skipped policies", () => {
    fc.assert(
      fc.property(fc.array(diagnostic, { maxLength: 4 }), fc.array(notApplicable, { maxLength: 8 }), fc.string(), (diagnostics, skipped, fallback) => {
        const bytes = response(diagnostics, skipped).serializeBinary();
        assert.deepEqual(decodeAnalyzeResponse(bytes, fallback), generated(bytes, fallback));
      }),
    );
  });

  it("skips fields it does not know, wherever they are, as google-protobuf does; a repeated scalar's last value wins", () => {
    fc.assert(
      fc.property(fc.array(diagnostic, { maxLength: 3 }), fc.array(notApplicable, { maxLength: 3 }), fc.array(unknownField, { maxLength: 4 }), fc.nat(), (diagnostics, skipped, extra, at) => {
        const bytes = Buffer.from(response(diagnostics, skipped).serializeBinary());
        // Unknown fields at the top level, between whole fields (the generated class's own boundaries).
        const boundaries = [0, bytes.length];
        const cut = boundaries[at % boundaries.length] as number;
        const mixed = Buffer.concat([bytes.subarray(0, cut), ...extra, bytes.subarray(cut)]);
        assert.deepEqual(decodeAnalyzeResponse(mixed, "urn:fallback"), generated(mixed, "urn:fallback"));
      }),
    );
    // Inside a diagnostic: an unknown field, and the message given twice (the second wins).
    const inner = Buffer.concat([Buffer.from([0x0a, 1, 0x61]), Buffer.from([0xa8, 0x01, 0x05]), Buffer.from([0x2a, 1, 0x6d]), Buffer.from([0x2a, 1, 0x6e]), Buffer.from([0x38, 0x01])]);
    const bytes = Buffer.concat([Buffer.from([0x12, inner.length]), inner]);
    assert.deepEqual(decodeAnalyzeResponse(bytes, "urn:x"), generated(bytes, "urn:x"));
    assert.deepEqual(decodeAnalyzeResponse(bytes, "urn:x").violations, [{ pack: "", policy: "a", enforcementLevel: "mandatory", urn: "urn:x", message: "n" }]);
  });

  it("refuses bytes cut short or running past a message instead of reading something else", () => {
    const bytes = Buffer.from(response([{ policyName: "p", policyPackName: "k", policyPackVersion: "1", description: "", message: "m", enforcementLevel: 1, urn: "", severity: 0 }], [{ policyName: "q", reason: "r" }]).serializeBinary());
    for (let length = 1; length < bytes.length; length++) {
      const cut = bytes.subarray(0, length);
      let decoded: unknown;
      try {
        decoded = decodeAnalyzeResponse(cut, "urn:x");
      } catch (error) {
        assert.match(String(error), /AnalyzeResponse: /);
        continue;
      }
      // A cut that falls between whole fields is a shorter valid message: the same as google-protobuf's.
      assert.deepEqual(decoded, generated(cut, "urn:x"), `cut at ${length}`);
    }
    assert.throws(() => decodeAnalyzeResponse(Buffer.from([0x1b]), "urn:x"), /unsupported wire type 3/);
  });
});
