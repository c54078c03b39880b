/**
 * The Pulumi engine's encoding of property values, as it sends them to a policy pack over the
 * analyzer protocol. One place for the constants, so the gate, its fixtures and the policy tests all
 * speak the engine's language rather than our own.
 *
 * Sources (pulumi/pulumi):
 *  - sdk/go/common/resource/sig/sig.go: the signature key and the secret, asset, archive,
 *    resource-reference and output-value signatures.
 *  - sdk/go/common/resource/plugin/rpc.go: MarshalPropertyValue and marshalUnknownProperty — an
 *    unknown (computed) value becomes a typed sentinel string (UnknownStringValue for strings and
 *    for every value whose type the engine does not know, which is what preview outputs are); a
 *    secret becomes `{<sig key>: <secret sig>, "value": <element>}`; without KeepResources a
 *    resource reference becomes its id (or its URN when it has none); without KeepOutputValues an
 *    output value becomes its element (unknown when not known, wrapped when secret). MarshalProperties
 *    skips top-level keys that start with "__" when SkipInternalKeys is set.
 *  - pkg/resource/plugin/analyzer_plugin.go: Analyze, AnalyzeStack and the provider's properties
 *    are marshalled with {KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true} and
 *    nothing else.
 * @pulumi/policy (proxy.js) recognises the same seven sentinels and turns a read of one into
 * "can't run policy ... during preview".
 */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/**
 * An unknown value: the engine's UnknownStringValue, which is also the Node.js SDK's `unknownValue`
 * and the state file's `computedValuePlaceholder` (pkg/resource/stack/deployment.go).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The typed sentinels of rpc.go (an unknown bool, number, ... keeps its type on the wire). */
export const UNKNOWN_SENTINELS = {
  bool: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  string: UNKNOWN,
  array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  asset: "030794c1-ac77-496b-92df-f27374a8bd58",
  archive: "e48ece36-62e2-4504-bad9-02848725956a",
  object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

const SENTINELS: ReadonlySet<unknown> = new Set(Object.values(UNKNOWN_SENTINELS));

export interface SecretValue {
  readonly [SIG_KEY]: typeof SECRET_SIG;
  readonly value: unknown;
}

/** A secret as the engine sends it to an analyzer. */
export function secret(value: unknown): SecretValue {
  return { [SIG_KEY]: SECRET_SIG, value };
}

export function isUnknown(value: unknown): boolean {
  return typeof value === "string" && SENTINELS.has(value);
}

export function isSecret(value: unknown): value is SecretValue {
  return signatureOf(value) === SECRET_SIG && "value" in (value as object);
}

/** The signature of a signed object (secret, asset, ...), if it is one. */
export function signatureOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const sig = (value as Record<string, unknown>)[SIG_KEY];
  return typeof sig === "string" ? sig : undefined;
}

/** A value the analyzer encoding cannot carry (an unrecognised signature): names where it is. */
export class EncodingError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "EncodingError";
  }
}

/**
 * Properties exactly as the engine marshals them for Analyze / AnalyzeStack: unknowns and secrets
 * kept in the engine's encoding, resource references and output values flattened, top-level
 * internal keys ("__defaults", "__meta") dropped, undefined dropped (nulls kept).
 */
export function toAnalyzerProperties(props: Readonly<Record<string, unknown>>, path = "properties"): Record<string, unknown> {
  // Built with fromEntries: a key named "__proto__" stays a property instead of replacing the prototype.
  return Object.fromEntries(
    Object.entries(props)
      .filter(([key, value]) => !key.startsWith("__") && value !== undefined)
      .map(([key, value]) => [key, toAnalyzerValue(value, `${path}.${key}`)]),
  );
}

function toAnalyzerValue(value: unknown, path: string): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => (v === undefined ? null : toAnalyzerValue(v, `${path}[${i}]`)));
  const object = value as Record<string, unknown>;
  const sig = signatureOf(object);
  if (sig === undefined) {
    return Object.fromEntries(
      Object.entries(object)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toAnalyzerValue(v, `${path}.${k}`)]),
    );
  }
  switch (sig) {
    case SECRET_SIG:
      if (!("value" in object)) throw new EncodingError(path, "a secret without a value (decode state secrets first)");
      return secret(toAnalyzerValue(object.value, path));
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return assetOrArchive(object, sig, path);
    case RESOURCE_REFERENCE_SIG: {
      // No KeepResources: a custom resource's reference is its id (unknown while it has none yet),
      // a component's its URN.
      const id = object.id;
      if (typeof id === "string") return id === "" ? UNKNOWN : id;
      if (typeof object.urn !== "string") throw new EncodingError(path, "a resource reference without a urn");
      return object.urn;
    }
    case OUTPUT_VALUE_SIG: {
      const element = "value" in object ? toAnalyzerValue(object.value, path) : UNKNOWN;
      return object.secret === true ? secret(element) : element;
    }
    default:
      throw new EncodingError(path, `unrecognised signature ${JSON.stringify(sig)}`);
  }
}

/**
 * An asset or archive as the engine re-serializes it (sdk/go/common/resource/asset and archive:
 * Serialize): the signature and the fields it knows — hash, text/path/uri, assets — and nothing the
 * SDK added on its side (`__pulumiAsset` markers).
 */
function assetOrArchive(object: Record<string, unknown>, sig: string, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = { [SIG_KEY]: sig };
  for (const key of ["hash", "text", "path", "uri"]) if (typeof object[key] === "string" && object[key] !== "") out[key] = object[key];
  if (sig === ARCHIVE_SIG && typeof object.assets === "object" && object.assets !== null) {

    out.assets = Object.fromEntries(Object.entries(object.assets).map(([name, a]) => [name, toAnalyzerValue(a, `${path}.assets.${name}`)]));
  }
  return out;
}

/** Paths of every unknown value in a set of properties (inside secrets too). */
export function unknownPaths(props: unknown, path = ""): string[] {
  if (isUnknown(props)) return [path || "."];
  if (props === null || typeof props !== "object") return [];
  if (Array.isArray(props)) return props.flatMap((v, i) => unknownPaths(v, `${path}[${i}]`));
  if (isSecret(props)) return unknownPaths(props.value, path);
  return Object.entries(props).flatMap(([k, v]) => unknownPaths(v, path ? `${path}.${k}` : k));
}
