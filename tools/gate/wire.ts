import { toAnalyzerProperties } from "./engineEncoding";
import { buildAnalyzeRequest, buildAnalyzerResource, type GateResource } from "./resources";

/**
 * The bytes of Analyze and AnalyzeStack requests, with each resource's properties encoded here
 * rather than by google-protobuf: its JS writer encodes strings one character at a time (~60 ns a
 * byte measured), and the engine sends a Lambda function's code archive — the whole bundle text —
 * with every request about that function, megabytes per pass. The rest of each message is
 * serialized by google-protobuf; a message's fields may come in any order, so the properties field is
 * appended to it (protobuf encoding: "Message Structure" / "Field Order", protobuf.dev).
 * The encoding of google.protobuf.Struct / Value / ListValue (google/protobuf/struct.proto):
 *   Struct    { map<string, Value> fields = 1; }      (a map entry is { string key = 1; Value value = 2; })
 *   Value     { null_value = 1 (varint 0) | number_value = 2 (double) | string_value = 3 |
 *               bool_value = 4 | struct_value = 5 | list_value = 6 }
 *   ListValue { repeated Value values = 1; }
 */
const PROPERTIES_FIELD = 2; // AnalyzeRequest.properties and AnalyzerResource.properties (proto/pulumi/analyzer.proto)
const RESOURCES_FIELD = 1; // AnalyzeStackRequest.resources

export function encodeAnalyzeRequest(resource: GateResource, byUrn: ReadonlyMap<string, GateResource>): Buffer {
  const head = Buffer.from(buildAnalyzeRequest(resource, byUrn, false).serializeBinary());
  return Buffer.concat([head, field(PROPERTIES_FIELD, encodeProperties(resource.props))]);
}

export function encodeAnalyzeStackRequest(resources: readonly GateResource[], byUrn: ReadonlyMap<string, GateResource>): Buffer {
  return Buffer.concat(
    resources.map((r) => {
      const head = Buffer.from(buildAnalyzerResource(r, byUrn, false).serializeBinary());
      return field(RESOURCES_FIELD, Buffer.concat([head, field(PROPERTIES_FIELD, encodeProperties(r.outputs ?? r.props))]));
    }),
  );
}

const encoded = new WeakMap<object, Buffer>();

/** Properties in the engine's analyzer encoding, as the bytes of a google.protobuf.Struct (cached per object). */
export function encodeProperties(props: Readonly<Record<string, unknown>>): Buffer {
  let bytes = encoded.get(props);
  if (!bytes) {
    bytes = encodeStruct(toAnalyzerProperties(props));
    encoded.set(props, bytes);
  }
  return bytes;
}

export function encodeStruct(object: Readonly<Record<string, unknown>>): Buffer {
  return Buffer.concat(
    Object.entries(object)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => field(1, Buffer.concat([field(1, Buffer.from(k, "utf8")), field(2, encodeValue(v))]))),
  );
}

function encodeValue(value: unknown): Buffer {
  if (value === null || value === undefined) return Buffer.from([tag(1, 0), 0]);
  switch (typeof value) {
    case "string":
      return field(3, Buffer.from(value, "utf8"));
    case "number": {
      const bytes = Buffer.alloc(9);
      bytes[0] = tag(2, 1);
      bytes.writeDoubleLE(value, 1);
      return bytes;
    }
    case "boolean":
      return Buffer.from([tag(4, 0), value ? 1 : 0]);
    case "object":
      if (Array.isArray(value)) return field(6, Buffer.concat(value.map((v) => field(1, encodeValue(v === undefined ? null : v)))));
      return field(5, encodeStruct(value as Record<string, unknown>));
    default:
      throw new TypeError(`cannot encode a ${typeof value} as a google.protobuf.Value`);
  }
}

function tag(fieldNumber: number, wireType: number): number {
  return (fieldNumber << 3) | wireType;
}

/** A length-delimited field (wire type 2). */
function field(fieldNumber: number, payload: Buffer): Buffer {
  return Buffer.concat([varint(tag(fieldNumber, 2)), varint(payload.length), payload]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let rest = n;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
