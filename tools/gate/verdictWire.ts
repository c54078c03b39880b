import { levelName, type Violation } from "./resources";

/** What one Analyze or AnalyzeStack answered: its findings, and the policies that did not apply. */
export interface Verdict {
  readonly violations: readonly Violation[];
  readonly notApplicable: readonly string[];
}

/**
 * An AnalyzeResponse's bytes, read for the five fields the gate reports, by hand rather than with
 * the generated class — for the reason wire.ts writes requests by hand. @pulumi/policy answers
 * every resource with each policy it skipped (`not_applicable`, two strings each), and google-
 * protobuf builds a message object per entry: ~19,000 per plan, some 24 MB allocated and, as the
 * answers are kept until each pass ends, copied by every scavenge meanwhile (measured). Here an
 * entry is one string. The layout (proto/pulumi/analyzer.proto), decoded as protobuf does: fields
 * in any order, the last of a repeated scalar wins, unknown fields skipped.
 *   AnalyzeResponse     { repeated AnalyzeDiagnostic diagnostics = 2; repeated PolicyNotApplicable not_applicable = 3; }
 *   AnalyzeDiagnostic   { string policyName = 1; string policyPackName = 2; string message = 5;
 *                         EnforcementLevel enforcementLevel = 7; string urn = 8; (3, 4, 9: not read) }
 *   PolicyNotApplicable { string policy_name = 1; (reason = 2: not read) }
 */
export function decodeAnalyzeResponse(bytes: Uint8Array, fallbackUrn: string): Verdict {
  const reader = new Reader(bytes);
  const violations: Violation[] = [];
  const notApplicable: string[] = [];
  while (reader.within(bytes.length)) {
    const key = reader.key();
    if (key === field(2, LENGTH)) violations.push(diagnostic(reader, reader.end(), fallbackUrn));
    else if (key === field(3, LENGTH)) notApplicable.push(policyName(reader, reader.end()));
    else reader.skip(key);
  }
  return { violations, notApplicable };
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;
const field = (number: number, wireType: number): number => number * 8 + wireType;

function diagnostic(reader: Reader, end: number, fallbackUrn: string): Violation {
  let policy = "";
  let pack = "";
  let message = "";
  let level = 0;
  let urn = "";
  while (reader.within(end)) {
    const key = reader.key();
    if (key === field(1, LENGTH)) policy = reader.string();
    else if (key === field(2, LENGTH)) pack = reader.string();
    else if (key === field(5, LENGTH)) message = reader.string();
    else if (key === field(8, LENGTH)) urn = reader.string();
    else if (key === field(7, VARINT)) level = reader.int32();
    else reader.skip(key);
  }
  return { pack, policy, enforcementLevel: levelName(level), urn: urn || fallbackUrn, message };
}

function policyName(reader: Reader, end: number): string {
  let name = "";
  while (reader.within(end)) {
    const key = reader.key();
    if (key === field(1, LENGTH)) name = reader.string();
    else reader.skip(key);
  }
  return name;
}

class Reader {
  private offset = 0;
  private readonly text: Buffer;

  constructor(private readonly bytes: Uint8Array) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Whether a field starts before `end` (an absolute offset); false once the message is read exactly to it. */
  within(end: number): boolean {
    if (end > this.bytes.length) throw new Error("AnalyzeResponse: a message runs past the end");
    if (this.offset < end) return true;
    if (this.offset !== end) throw new Error("AnalyzeResponse: a field runs past its message");
    return false;
  }

  /** The next field's key: its number × 8 + its wire type. */
  key(): number {
    return this.varint();
  }

  /** Reads a length-delimited field's length; returns where the field ends (absolute offset). */
  end(): number {
    return this.varint() + this.offset;
  }

  string(): string {
    const end = this.end();
    if (end > this.bytes.length) throw new Error("AnalyzeResponse: a string runs past the end");
    const value = this.text.toString("utf8", this.offset, end);
    this.offset = end;
    return value;
  }

  /** An int32 (an enum): a varint of up to 10 bytes (a negative one is sign-extended), of which the low 32 bits count. */
  int32(): number {
    let low = 0;
    for (let i = 0; i < 10; i++) {
      const byte = this.byte();
      if (i < 5) low |= (byte & 0x7f) << (7 * i);
      if (byte < 0x80) return low | 0;
    }
    throw new Error("AnalyzeResponse: a varint longer than 10 bytes");
  }

  skip(key: number): void {
    switch (key % 8) {
      case VARINT:
        this.int32();
        return;
      case FIXED64:
        this.offset += 8;
        return;
      case LENGTH:
        this.offset = this.end();
        return;
      case FIXED32:
        this.offset += 4;
        return;
      default:
        throw new Error(`AnalyzeResponse: unsupported wire type ${key % 8}`);
    }
  }

  /** An unsigned varint (keys and lengths), exact up to 2^53. */
  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new Error("AnalyzeResponse: a length or key beyond 2^53");
  }

  private byte(): number {
    if (this.offset >= this.bytes.length) throw new Error("AnalyzeResponse: a varint runs past the end");
    return this.bytes[this.offset++] as number;
  }
}
