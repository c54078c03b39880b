import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { ARCHIVE_SIG, ASSET_SIG, isSecret, SECRET_SIG, SIG_KEY, signatureOf } from "./engineEncoding";
import type { GateResource } from "./resources";

/**
 * Writes what `pulumi stack export` writes after a `pulumi up` of the program: an UntypedDeployment
 * `{"version": 3, "deployment": DeploymentV3}`. Followed from pulumi/pulumi:
 *  - sdk/go/common/apitype/core.go: DeploymentV3 (`manifest`, `secrets_providers`, `resources`),
 *    ManifestV1 (`time`, `magic`, `version`, `plugins` of {name, path, type, version}), ResourceV3
 *    (`urn`, `custom`, `id`, `type`, `inputs`, `outputs`, `parent`, `protect`, `dependencies`,
 *    `provider` as "<provider urn>::<provider id>", `propertyDependencies`, `created`, `modified`;
 *    empty ones omitted, as their `omitempty` tags do).
 *  - pkg/resource/stack/deployment.go SerializeDeployment / SerializeResource /
 *    SerializePropertyValue: the stack resource first, resources in registration order; a secret is
 *    `{"<sig>": "<secret sig>", "ciphertext": "<its JSON, encrypted>"}`, or with `--show-secrets`
 *    `{..., "plaintext": "<its JSON>"}`; secrets nested in a secret are written inside its JSON with
 *    the no-op encrypter (their "ciphertext" is plaintext); assets and archives keep their hash.
 *  - sdk/go/common/resource/deploy/snapshot.go Manifest.NewMagic: magic = hex SHA-256 of `version`.
 *  - sdk/go/common/resource/config/crypt.go symmetricCrypter (the passphrase provider):
 *    "v1:<base64 nonce>:<base64 AES-256-GCM sealed text>"; its state is `{"salt": "v1:<base64
 *    salt>:<\"pulumi\" encrypted>"}`.
 *
 * Offline there is no stack and so no secrets provider: secrets are encrypted exactly as the
 * passphrase provider encrypts them, but with a random key that is never written anywhere. The file
 * is then a real export in every shape, and no one (we included) can read a secret back from it.
 * `plaintext` (`--show-secrets`) writes the program's secret values in clear, as the CLI's flag does.
 */
export type SecretsMode = "encrypted" | "plaintext";

export interface ExportOptions {
  readonly secrets?: SecretsMode;
  /** The CLI version the manifest names (default: the Pulumi SDK version this program runs on). */
  readonly cliVersion?: string;
  /** The time stamps (default now). */
  readonly time?: Date;
  /** Resource plugins: package → version (default: read from each provider package this program uses). */
  readonly pluginVersions?: Readonly<Record<string, string>>;
}

/** One resource of the export: apitype.ResourceV3. */
export interface ExportedResource {
  urn: string;
  custom: boolean;
  delete?: boolean;
  id?: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  protect?: boolean;
  dependencies?: string[];
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  created?: string;
  modified?: string;
}

export interface StackExportDoc {
  version: 3;
  deployment: {
    manifest: { time: string; magic: string; version: string; plugins: { name: string; path: string; type: string; version: string }[] };
    secrets_providers: { type: string; state: Record<string, unknown> };
    resources: ExportedResource[];
  };
}

/** The export of a stack whose state holds these resources (as the up pass registered them). */
export function stackExportOf(resources: readonly GateResource[], options: ExportOptions = {}): StackExportDoc {
  const mode = options.secrets ?? "encrypted";
  const crypter = new ThrowawayCrypter();
  const time = goTime(options.time ?? new Date());
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  // The stack resource first, as the engine registers (and serializes) it.
  const ordered = [...resources].sort((a, b) => Number(b.type === "pulumi:pulumi:Stack") - Number(a.type === "pulumi:pulumi:Stack"));
  const out = ordered.map((r): ExportedResource => {
    const state = (value: unknown) => nonEmpty(toState(value ?? {}, mode, crypter) as Record<string, unknown>);
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) if (urns.length > 0) propertyDependencies[key] = [...urns];
    const inputs = state(r.props);
    const outputs = state(r.outputs ?? r.props);
    return {
      urn: r.urn,
      custom: r.custom === true,
      ...(r.custom ? { id: idOf(r) } : {}),
      type: r.type,
      ...(inputs ? { inputs } : {}),
      ...(outputs ? { outputs } : {}),
      ...(r.parent ? { parent: r.parent } : {}),
      ...(r.protect ? { protect: true } : {}),
      ...(r.dependencies && r.dependencies.length > 0 ? { dependencies: [...r.dependencies] } : {}),
      ...(r.provider ? { provider: `${r.provider}::${idOf(byUrn.get(r.provider) ?? { urn: r.provider })}` } : {}),
      ...(Object.keys(propertyDependencies).length > 0 ? { propertyDependencies } : {}),
      created: time,
      modified: time,
    };
  });
  const version = options.cliVersion ?? `v${packageVersion("@pulumi/pulumi") ?? "3.0.0"}`;
  const plugins = pluginsOf(resources, options.pluginVersions);
  return {
    version: 3,
    deployment: {
      manifest: { time, magic: createHash("sha256").update(version).digest("hex"), version, plugins },
      secrets_providers: { type: "passphrase", state: { salt: crypter.saltState() } },
      resources: out,
    },
  };
}

/**
 * A wire value (secrets as `{sig, value}`, engineEncoding.ts) in the state file's encoding. "nop" is
 * how a secret nested inside an encrypted one is written: by the no-op encrypter, whose
 * "ciphertext" is the plaintext (deployment.go secretPropertyValueFromPlaintext).
 */
export function toState(value: unknown, mode: SecretsMode | "nop", crypter: { encrypt(plaintext: string): string }): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => toState(v, mode, crypter));
  if (isSecret(value)) {
    // The whole element is encrypted once; secrets inside it are not encrypted again.
    const plaintext = JSON.stringify(toState(value.value, mode === "plaintext" ? "plaintext" : "nop", crypter));
    if (mode === "plaintext") return { [SIG_KEY]: SECRET_SIG, plaintext };
    return { [SIG_KEY]: SECRET_SIG, ciphertext: mode === "nop" ? plaintext : crypter.encrypt(plaintext) };
  }
  const sig = signatureOf(value);
  const object = value as Record<string, unknown>;
  if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
    // asset.go / archive.go Serialize: the signature, hash, and one of text, path, uri or assets.
    // The SDK's own markers (`__pulumiAsset`, `__pulumiArchive`) are not part of the state.
    const out: Record<string, unknown> = { [SIG_KEY]: sig };
    if (typeof object.hash === "string" && object.hash !== "") out.hash = object.hash;
    for (const key of ["text", "path", "uri"]) if (typeof object[key] === "string") out[key] = object[key];
    if (object.assets !== undefined) out.assets = toState(object.assets, mode, crypter);
    return out;
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toState(v, mode, crypter)]));
}

/**
 * The passphrase provider's symmetric crypter with a key drawn at random and kept only in memory:
 * the ciphertexts have the CLI's shape and cannot be decrypted by anyone.
 */
export class ThrowawayCrypter {
  readonly #key = randomBytes(32);
  readonly #salt = randomBytes(8);

  encrypt(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, nonce);
    // Go's AEAD Seal appends the 16-byte tag to the ciphertext.
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
  }

  /** The passphrase provider's state: its salt and "pulumi" encrypted, which the CLI checks a passphrase against. */
  saltState(): string {
    return `v1:${this.#salt.toString("base64")}:${this.encrypt("pulumi")}`;
  }
}

/** A custom resource's id; the mocks give none to provider resources, which the engine ids with a UUID. */
function idOf(r: { readonly urn: string; readonly id?: string }): string {
  if (r.id) return r.id;
  const h = createHash("sha256").update(r.urn).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function pluginsOf(resources: readonly GateResource[], versions: Readonly<Record<string, string>> = {}): StackExportDoc["deployment"]["manifest"]["plugins"] {
  const packages = [...new Set(resources.map((r) => /^pulumi:providers:(.+)$/.exec(r.type)?.[1]).filter((p): p is string => p !== undefined))].sort();
  return packages.map((name) => ({ name, path: "", type: "resource", version: versions[name] ?? packageVersion(`@pulumi/${name}`) ?? "" }));
}

function packageVersion(name: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${name}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Go's time.Time in JSON: RFC 3339 with nanoseconds, trailing zeros dropped. */
function goTime(date: Date): string {
  const iso = date.toISOString();
  return iso.replace(/\.(\d{3})Z$/, (_, ms: string) => (ms === "000" ? "Z" : `.${ms.replace(/0+$/, "")}Z`));
}

function nonEmpty(object: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(object).length > 0 ? object : undefined;
}
