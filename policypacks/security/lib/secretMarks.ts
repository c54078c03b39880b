/**
 * Which values the engine sent as Pulumi secrets.
 *
 * The engine sends an analyzer secrets wrapped as {"4dabf18193072939515e22adb298388d":
 * "1b47061264138c4ac30d75fd1eb44270", "value": ...} (pulumi/pulumi pkg/resource/plugin/
 * analyzer_plugin.go marshals with KeepSecrets: true; the signature is specialSigKey/specialSecretSig
 * of @pulumi/pulumi runtime/rpc.js). @pulumi/policy's deserialize.js unwraps them before a policy
 * sees its props (deserializeProperties(..., proxySecrets = false) in server.js), so a policy
 * cannot tell a secret from a plain value. Hand-written on purpose: no API of @pulumi/policy 1.21
 * exposes it, so we wrap that module's own deserializeProperties (server.js calls it through the
 * module object) to remember the wire form of each props object it returns. Nothing is changed in
 * what policies see. test/policypacks/propsConversion.spec.ts fails if an upgrade stops this working.
 */
import { rawOf } from "./unknowns";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
type Deserialize = (struct: StructLike, proxySecrets: boolean) => Record<string, unknown>;

/**
 * Where a props object keeps its wire form: a non-enumerable symbol-keyed property, which no
 * policy reads and no copy, key listing or JSON carries. Not a WeakMap: an insertion costs ~1 µs
 * here (3× the property, and its entries weigh on every young-generation GC), for each of the ~25
 * deserializations of every resource (below).
 */
const WIRE_FORM = Symbol("botfleet.wireForm");
type WithWireForm = Record<string, unknown> & { [WIRE_FORM]?: Record<string, unknown> };
/**
 * A resource's props Struct → its JavaScript form. @pulumi/policy's Analyze deserializes the props
 * once per policy it cannot skip by type (server.js makeAnalyzeRpcFun: only a policy with a single
 * `__pulumiType` is skipped before deserializing; ours that judge several types or every resource's
 * provider are not), and AnalyzeStack once per stack policy, each time from the same Struct object
 * (jspb caches a message field's wrapper). Converting the protobuf Struct is most of that cost, so
 * it is done once; each policy still gets props of its own, deserialized from that form, which
 * nothing writes to.
 */
const structForms = new WeakMap<StructLike, Record<string, unknown>>();

function install(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require("@pulumi/policy/deserialize") as { deserializeProperties: Deserialize & { botfleetSecretMarks?: true } };
  const original = module.deserializeProperties;
  if (original.botfleetSecretMarks) return true;
  const wrapped: Deserialize & { botfleetSecretMarks?: true } = (struct, proxySecrets) => {
    let wire = structForms.get(struct);
    if (wire === undefined) {
      wire = struct.toJavaScript();
      structForms.set(struct, wire);
    }
    // Hand the original the JavaScript form already built.
    const props = original({ toJavaScript: () => wire }, proxySecrets);
    Object.defineProperty(props, WIRE_FORM, { value: wire });
    return props;
  };
  wrapped.botfleetSecretMarks = true;
  module.deserializeProperties = wrapped;
  return true;
}

/** Whether the hook is in place (false only if @pulumi/policy's internals changed). */
export const secretMarksInstalled = install();

export function isSecretWire(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The wire form of a resource's props (secrets still wrapped), or undefined if it was not recorded. */
export function wireFormOf(props: unknown): Record<string, unknown> | undefined {
  const raw = rawOf(props);
  return typeof raw === "object" && raw !== null ? (raw as WithWireForm)[WIRE_FORM] : undefined;
}

/** Follows a path through a wire form; a secret along the way marks everything under it secret. */
export function secretAlong(wire: unknown, path: readonly string[]): { secret: boolean; value: unknown } {
  let current = wire;
  let secret = false;
  for (const key of path) {
    if (isSecretWire(current)) {
      secret = true;
      current = (current as Record<string, unknown>).value;
    }
    if (Array.isArray(current) && current.length === 1) current = current[0];
    if (typeof current !== "object" || current === null) return { secret, value: undefined };
    current = (current as Record<string, unknown>)[key];
  }
  if (isSecretWire(current)) return { secret: true, value: (current as Record<string, unknown>).value };
  return { secret, value: current };
}
