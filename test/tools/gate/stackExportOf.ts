import { createHash } from "node:crypto";
import { ARCHIVE_SIG, ASSET_SIG, isSecret, SECRET_SIG, SIG_KEY, signatureOf } from "../../../tools/gate/engineEncoding";
import type { ProgramRun, RegisteredResource } from "../../../tools/program/runUnderMocks";

/**
 * One resource of a `pulumi stack export` (deployment version 3) — apitype.ResourceV3 in
 * pulumi/pulumi sdk/go/common/apitype/core.go.
 */
export interface ExportedResource {
  urn: string;
  custom: boolean;
  delete?: boolean;
  id?: string;
  type: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
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
    manifest: { time: string; magic: string; version: string };
    secrets_providers?: { type: string; state: Record<string, unknown> };
    resources: ExportedResource[];
  };
}

export interface ExportOptions {
  /**
   * How secrets are written: "ciphertext" as a plain `pulumi stack export` writes them (encrypted
   * by the stack's secrets provider), "plaintext" as `pulumi stack export --show-secrets` does.
   */
  readonly secrets?: "ciphertext" | "plaintext";
  /**
   * Replace the text of every asset (the functions' bundles and source maps, megabytes in all) by a
   * short stand-in, keeping the archive's shape: for suites that judge configuration many times.
   */
  readonly stubAssetText?: boolean;
}

/**
 * The state a `pulumi up` of this program run would leave, written as `pulumi stack export` writes it
 * (pkg/resource/stack/deployment.go SerializeDeployment / SerializeResource / SerializePropertyValue):
 * the root stack resource first with its outputs; inputs as the program sent them and outputs as the
 * provider returned them (the mocks' state); secrets as `{sig: secret, ciphertext}` or, with
 * --show-secrets, `{sig: secret, plaintext: <JSON of the value>}` — at whatever depth they sit;
 * assets with their hash; provider references as "<provider urn>::<provider id>"; dependencies and
 * property dependencies; protect; created/modified times. The ciphertext is a stand-in in the shape
 * of the passphrase provider's ("v1:<nonce>:<sealed box>", base64): the gate never decrypts.
 */
export function stackExportOf(run: ProgramRun, options: ExportOptions = {}): StackExportDoc {
  const mode = options.secrets ?? "ciphertext";
  const stub = options.stubAssetText === true;
  const all: RegisteredResource[] = run.stackResource ? [run.stackResource, ...run.resources] : [...run.resources];
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  const time = "2026-01-15T10:00:00.000000000Z";
  const resources = all.map((r): ExportedResource => {
    const provider = r.provider ? byUrn.get(r.provider) : undefined;
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, urns] of Object.entries(r.propertyDependencies)) if (urns.length > 0) propertyDependencies[key] = [...urns];
    return {
      urn: r.urn,
      custom: r.custom,
      ...(r.custom ? { id: r.id ?? `${r.name}-id` } : {}),
      type: r.type,
      inputs: toState(r.wireInputs, mode, stub) as Record<string, unknown>,
      outputs: toState(r.wireOutputs, mode, stub) as Record<string, unknown>,
      ...(r.parent ? { parent: r.parent } : {}),
      ...(r.protect ? { protect: true } : {}),
      ...(r.dependencies.length > 0 ? { dependencies: [...r.dependencies] } : {}),
      ...(r.provider ? { provider: `${r.provider}::${provider?.id ?? `${provider?.name ?? "default"}-id`}` } : {}),
      ...(Object.keys(propertyDependencies).length > 0 ? { propertyDependencies } : {}),
      created: time,
      modified: time,
    };
  });
  return {
    version: 3,
    deployment: {
      manifest: { time, magic: "", version: "v3.248.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:c2FsdHNhbHQ=:v1:bm9uY2Vub25jZW5v:QkFTRTY0U0FMVA==" } },
      resources,
    },
  };
}

/**
 * A wire value (secrets as {sig, value}) in the state file's encoding. "nop" is how a secret nested
 * inside an encrypted one is written: by the no-op encrypter, whose "ciphertext" is the plaintext.
 */
export function toState(value: unknown, mode: "ciphertext" | "plaintext" | "nop", stubAssetText = false): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => toState(v, mode, stubAssetText));
  if (isSecret(value)) {
    // The whole element is encrypted once; secrets inside it are not encrypted again.
    const plaintext = JSON.stringify(toState(value.value, mode === "plaintext" ? "plaintext" : "nop", stubAssetText));
    if (mode === "plaintext") return { [SIG_KEY]: SECRET_SIG, plaintext };
    return { [SIG_KEY]: SECRET_SIG, ciphertext: mode === "nop" ? plaintext : fakeCiphertext(plaintext) };
  }
  const sig = signatureOf(value);
  const object = value as Record<string, unknown>;
  if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
    const out: Record<string, unknown> = { [SIG_KEY]: sig, hash: createHash("sha256").update(JSON.stringify(object.text ?? object.assets ?? object.path ?? object.uri ?? "")).digest("hex") };
    for (const key of ["text", "path", "uri"]) if (typeof object[key] === "string") out[key] = object[key];
    if (stubAssetText && typeof out.text === "string") out.text = `// ${out.text.length} characters of bundle left out`;
    if (object.assets) out.assets = toState(object.assets, mode, stubAssetText);
    return out;
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toState(v, mode, stubAssetText)]));
}

function fakeCiphertext(plaintext: string): string {
  const digest = createHash("sha256").update(plaintext).digest();
  return `v1:${digest.subarray(0, 12).toString("base64")}:${Buffer.concat([digest, Buffer.from(plaintext.length.toString())]).toString("base64")}`;
}
