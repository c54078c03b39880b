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
 * Each request is sized first and then written into one buffer: no copy of a bundle per nesting level.
 */
const PROPERTIES_FIELD = 2; // AnalyzeRequest.properties and AnalyzerResource.properties (proto/pulumi/analyzer.proto)
const RESOURCES_FIELD = 1; // AnalyzeStackRequest.resources

export function encodeAnalyzeRequest(resource: GateResource, byUrn: ReadonlyMap<string, GateResource>): Buffer {
  const head = buildAnalyzeRequest(resource, byUrn, false).serializeBinary();
  const props = analyzerProperties(resource.props);
  const out = new Writer(head.length + fieldSize(PROPERTIES_FIELD, structSize(props)));
  out.bytes(head);
  out.struct(PROPERTIES_FIELD, props);
  return out.done();
}

export function encodeAnalyzeStackRequest(resources: readonly GateResource[], byUrn: ReadonlyMap<string, GateResource>): Buffer {
  const parts = resources.map((r) => {
    const head = buildAnalyzerResource(r, byUrn, false).serializeBinary();
    const props = analyzerProperties(r.outputs ?? r.props);
    return { head, props, size: head.length + fieldSize(PROPERTIES_FIELD, structSize(props)) };
  });
  const out = new Writer(parts.reduce((n, p) => n + fieldSize(RESOURCES_FIELD, p.size), 0));
  for (const part of parts) {
    out.tag(RESOURCES_FIELD, 2);
    out.varint(part.size);
    out.bytes(part.head);
    out.struct(PROPERTIES_FIELD, part.props);
  }
  return out.done();
}

/** A google.protobuf.Struct's bytes (for tests and for callers with a plain JSON object). */
export function encodeStruct(object: Readonly<Record<string, unknown>>): Buffer {
  const out = new Writer(structSize(object));
  out.structBody(object);
  return out.done();
}

const normalized = new WeakMap<object, Record<string, unknown>>();
/** A provider's inputs go with every resource it serves: normalize each props object once. */
function analyzerProperties(props: Readonly<Record<string, unknown>>): Record<string, unknown> {
  let out = normalized.get(props);
  if (!out) {
    out = toAnalyzerProperties(props);
    normalized.set(props, out);
  }
  return out;
}

// Sizes are memoized per object for the duration of one encoding (objects are not mutated meanwhile).
let sizes = new WeakMap<object, number>();

function structSize(object: Readonly<Record<string, unknown>>): number {
  const known = sizes.get(object);
  if (known !== undefined) return known;
  let size = 0;
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    size += fieldSize(1, fieldSize(1, Buffer.byteLength(key)) + fieldSize(2, valueSize(value)));
  }
  sizes.set(object, size);
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || value === undefined) return 2;
  switch (typeof value) {
    case "string":
      return fieldSize(3, Buffer.byteLength(value));
    case "number":
      return 9;
    case "boolean":
      return 2;
    case "object":
      return Array.isArray(value) ? fieldSize(6, listSize(value)) : fieldSize(5, structSize(value as Record<string, unknown>));
    default:
      throw new TypeError(`cannot encode a ${typeof value} as a google.protobuf.Value`);
  }
}

function listSize(list: readonly unknown[]): number {
  const known = sizes.get(list);
  if (known !== undefined) return known;
  const size = list.reduce((n: number, v: unknown) => n + fieldSize(1, valueSize(v)), 0);
  sizes.set(list, size);
  return size;
}

function fieldSize(fieldNumber: number, payload: number): number {
  return varintSize((fieldNumber << 3) | 2) + varintSize(payload) + payload;
}

function varintSize(n: number): number {
  let size = 1;
  for (let rest = n; rest > 0x7f; rest = Math.floor(rest / 128)) size++;
  return size;
}

class Writer {
  private readonly buffer: Buffer;
  private offset = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  done(): Buffer {
    sizes = new WeakMap();
    if (this.offset !== this.buffer.length) throw new Error(`wire: wrote ${this.offset} of ${this.buffer.length} bytes`);
    return this.buffer;
  }

  bytes(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  varint(n: number): void {
    let rest = n;
    while (rest > 0x7f) {
      this.buffer[this.offset++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.buffer[this.offset++] = rest;
  }

  tag(fieldNumber: number, wireType: number): void {
    this.varint((fieldNumber << 3) | wireType);
  }

  string(fieldNumber: number, value: string): void {
    this.tag(fieldNumber, 2);
    this.varint(Buffer.byteLength(value));
    this.offset += this.buffer.write(value, this.offset, "utf8");
  }

  struct(fieldNumber: number, object: Readonly<Record<string, unknown>>): void {
    this.tag(fieldNumber, 2);
    this.varint(structSize(object));
    this.structBody(object);
  }

  structBody(object: Readonly<Record<string, unknown>>): void {
    for (const [key, value] of Object.entries(object)) {
      if (value === undefined) continue;
      this.tag(1, 2);
      this.varint(fieldSize(1, Buffer.byteLength(key)) + fieldSize(2, valueSize(value)));
      this.string(1, key);
      this.tag(2, 2);
      this.varint(valueSize(value));
      this.value(value);
    }
  }

  value(value: unknown): void {
    if (value === null || value === undefined) {
      this.tag(1, 0);
      this.varint(0);
      return;
    }
    switch (typeof value) {
      case "string":
        this.string(3, value);
        return;
      case "number":
        this.tag(2, 1);
        this.offset = this.buffer.writeDoubleLE(value, this.offset);
        return;
      case "boolean":
        this.tag(4, 0);
        this.varint(value ? 1 : 0);
        return;
      case "object":
        if (Array.isArray(value)) {
          this.tag(6, 2);
          this.varint(listSize(value));
          for (const v of value) {
            this.tag(1, 2);
            this.varint(valueSize(v));
            this.value(v);
          }
          return;
        }
        this.struct(5, value as Record<string, unknown>);
        return;
      default:
        throw new TypeError(`cannot encode a ${typeof value} as a google.protobuf.Value`);
    }
  }
}
