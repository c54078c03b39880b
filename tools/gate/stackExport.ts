import * as fs from "node:fs";
import { ARCHIVE_SIG, ASSET_SIG, RESOURCE_REFERENCE_SIG, SECRET_SIG, secret, SIG_KEY, signatureOf, UNKNOWN } from "./engineEncoding";
import { StackExportError } from "./errors";
import { type GateResource, nameOfUrn, stackAndProjectOfUrn } from "./resources";

export { StackExportError } from "./errors";

/**
 * Reads what `pulumi stack export` writes: an UntypedDeployment `{"version": 3, "deployment": {...}}`
 * whose deployment is an apitype.DeploymentV3 (pulumi/pulumi sdk/go/common/apitype/core.go:
 * manifest, secrets_providers, resources[] of ResourceV3 — urn, custom, delete, id, type, inputs,
 * outputs, parent, protect, dependencies, provider "<provider urn>::<provider id>",
 * propertyDependencies, additionalSecretOutputs, aliases, customTimeouts, ignoreChanges, ...).
 * Version 4 is the same document with a list of features (stack.UnmarshalUntypedDeployment reads
 * both into DeploymentV3).
 *
 * Property values are decoded as the engine decodes state (pkg/resource/stack/deployment.go
 * DeserializePropertyValue): the computed placeholder is an unknown; a secret is
 * `{"<sig key>": "<secret sig>", "ciphertext": "..."}` (a plain export: we hold no key, so its value
 * is unknown to us) or `{..., "plaintext": "<JSON of the value>"}` (`--show-secrets`), at any depth.
 * Resources are judged as the engine judges a state (pkg/resource/deploy/analyze_snapshot.go):
 * Analyze on inputs, AnalyzeStack on outputs, the provider's inputs with both, deleted resources left out.
 * Where `pulumi policy analyze --file` cannot decrypt, it redacts a secret to the string "[secret]"
 * (pkg/cmd/pulumi/policy/policy_analyze.go); we send it as unknown instead, so a policy defers
 * rather than passing or failing on a value that is not the deployed one.
 */
export interface StackExport {
  /** Stack and project as the resources' URNs name them. */
  readonly stack?: string;
  readonly project?: string;
  readonly version: number;
  /** Every resource still in the stack, the root stack resource included. */
  readonly resources: readonly GateResource[];
  /** Secrets stored encrypted (ciphertext): judged as secrets whose value is not known. */
  readonly encryptedSecrets: number;
}

export function readStackExport(file: string): StackExport {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new StackExportError(`cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StackExportError(`--file ${file} is not JSON: ${(err as Error).message}`);
  }
  return parseStackExport(doc, file);
}

const SUPPORTED_VERSIONS = [3, 4];

export function parseStackExport(doc: unknown, file: string): StackExport {
  if (!isObject(doc)) throw new StackExportError(`${file}: not a stack export (expected a JSON object with "version" and "deployment")`);
  if (!SUPPORTED_VERSIONS.includes(doc.version as number)) {
    throw new StackExportError(`${file}: "version" is ${JSON.stringify(doc.version ?? null)}, expected 3 (pulumi stack export; 4 with "features")`);
  }
  if (!isObject(doc.deployment)) throw new StackExportError(`${file}: "deployment" must be an object (pulumi stack export)`);
  const list = doc.deployment.resources ?? [];
  if (!Array.isArray(list)) throw new StackExportError(`${file}: "deployment.resources" must be a list`);
  const counter = { encrypted: 0 };
  const resources: GateResource[] = [];
  list.forEach((raw: unknown, i) => {
    const where = `${file}: deployment.resources[${i}]`;
    if (!isObject(raw)) throw new StackExportError(`${where} is not an object`);
    if (typeof raw.urn !== "string" || !stackAndProjectOfUrn(raw.urn)) throw new StackExportError(`${where}.urn must be a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)`);
    if (typeof raw.type !== "string" || raw.type === "") throw new StackExportError(`${where}.type must be a type token`);
    if (raw.delete === true) return;
    const decode = (key: "inputs" | "outputs"): Record<string, unknown> => {
      const value = raw[key] ?? {};
      if (!isObject(value)) throw new StackExportError(`${where}.${key} must be an object`);
      return decodeState(value, `${where}.${key}`, counter, false) as Record<string, unknown>;
    };
    const inputs = decode("inputs");
    const outputs = decode("outputs");
    resources.push({
      urn: raw.urn,
      type: raw.type,
      name: nameOfUrn(raw.urn),
      id: optionalString(raw.id, `${where}.id`),
      custom: raw.custom === true,
      props: inputs,
      outputs,
      provider: optionalString(raw.provider, `${where}.provider`) ? providerUrn(raw.provider as string, `${where}.provider`) : undefined,
      parent: optionalString(raw.parent, `${where}.parent`),
      dependencies: urnList(raw.dependencies, `${where}.dependencies`),
      propertyDependencies: propertyDependencies(raw.propertyDependencies, `${where}.propertyDependencies`),
      protect: raw.protect === true,
      ignoreChanges: stringList(raw.ignoreChanges, `${where}.ignoreChanges`),
      additionalSecretOutputs: stringList(raw.additionalSecretOutputs, `${where}.additionalSecretOutputs`),
      aliases: stringList(raw.aliases, `${where}.aliases`),
      customTimeouts: timeouts(raw.customTimeouts, `${where}.customTimeouts`),
    });
  });
  const first = resources[0] ? stackAndProjectOfUrn(resources[0].urn) : undefined;
  return { stack: first?.stack, project: first?.project, version: doc.version as number, resources, encryptedSecrets: counter.encrypted };
}

/**
 * A state value in the engine's analyzer encoding. Inside a secret's plaintext, nested secrets were
 * written with the no-op encrypter, so their "ciphertext" is plaintext JSON (deployment.go
 * SerializePropertyValue / secretPropertyValueFromPlaintext).
 */
function decodeState(value: unknown, path: string, counter: { encrypted: number }, insidePlaintext: boolean): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => decodeState(v, `${path}[${i}]`, counter, insidePlaintext));
  const sig = signatureOf(value);
  const object = value as Record<string, unknown>;
  if (sig === undefined) {
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, decodeState(v, `${path}.${k}`, counter, insidePlaintext)]));
  }
  switch (sig) {
    case SECRET_SIG: {
      const cipher = nonEmptyString(object.ciphertext);
      const plain = nonEmptyString(object.plaintext);
      if ((cipher === undefined) === (plain === undefined)) {
        throw new StackExportError(`${path}: malformed secret: exactly one of "ciphertext" or "plaintext" must be a non-empty string`);
      }
      if (plain === undefined && !insidePlaintext) {
        counter.encrypted++;
        return secret(UNKNOWN);
      }
      const json = (plain ?? cipher) as string;
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        throw new StackExportError(`${path}: malformed secret: "plaintext" must be the JSON encoding of the value`);
      }
      return secret(decodeState(parsed, path, counter, true));
    }
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return structuredClone(object);
    case RESOURCE_REFERENCE_SIG:
      if (typeof object.urn !== "string") throw new StackExportError(`${path}: malformed resource reference: "urn" must be a string`);
      return structuredClone(object);
    default:
      throw new StackExportError(`${path}: unrecognised signature ${JSON.stringify(object[SIG_KEY])}`);
  }
}

function providerUrn(reference: string, where: string): string {
  // A provider reference is "<provider urn>::<provider id>" (sdk/go/common/providers.ParseReference).
  const cut = reference.lastIndexOf("::");
  const urn = cut > 0 ? reference.slice(0, cut) : "";
  if (!stackAndProjectOfUrn(urn)) throw new StackExportError(`${where} must be "<provider urn>::<provider id>"`);
  return urn;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new StackExportError(`${where} must be a string`);
  return value;
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new StackExportError(`${where} must be a list of strings`);
  return value as string[];
}

function urnList(value: unknown, where: string): string[] {
  const urns = stringList(value, where);
  const bad = urns.findIndex((u) => !stackAndProjectOfUrn(u));
  if (bad >= 0) throw new StackExportError(`${where}[${bad}] must be a Pulumi URN`);
  return urns;
}

function propertyDependencies(value: unknown, where: string): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new StackExportError(`${where} must be an object of property → URNs`);
  return Object.fromEntries(Object.entries(value).map(([key, urns]) => [key, urnList(urns, `${where}.${key}`)]));
}

function timeouts(value: unknown, where: string): GateResource["customTimeouts"] {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new StackExportError(`${where} must be an object`);
  const seconds = (key: string): number | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number") throw new StackExportError(`${where}.${key} must be a number of seconds`);
    return v;
  };
  return { create: seconds("create"), update: seconds("update"), delete: seconds("delete") };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
