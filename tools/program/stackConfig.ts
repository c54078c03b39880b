import * as fs from "node:fs";
import * as path from "node:path";
import { parseYamlDocument, yamlProblem } from "../../infra/yamlDocument";

/**
 * Where Pulumi.yaml is. Not imported from infra/config.ts: that loads Pulumi, and the gate reads the
 * stack's files first, to refuse a bad one before it starts anything.
 */
const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * Stack config exactly as the Pulumi CLI hands it to the program: the project's declared defaults
 * from Pulumi.yaml (its own keys, namespaced with the project name), overlaid with the values of
 * Pulumi.<stack>.yaml. Non-string values are JSON-encoded, as the CLI does for structured config.
 */
export type RawConfig = Record<string, string>;

/**
 * Offline stand-in for values a user sets with `pulumi config set --secret` (they are never in the
 * stack files). Fixed, obviously fake, and used only by mocks and the offline gate.
 */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-not-a-real-secret-0000";

/** A stack or project file that cannot be read as Pulumi reads it; the message names the file, and the key or line. */
export class StackConfigError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "StackConfigError";
  }
}

export interface StackConfig {
  readonly values: RawConfig;
  /** Keys that hold secrets (declared `secret: true`), for setAllConfig's secret list. */
  readonly secretKeys: readonly string[];
}

export function readStackConfig(stack: string, projectDir = PROJECT_DIR): RawConfig {
  return readStackConfigWithSecrets(stack, projectDir).values;
}

export function readStackConfigWithSecrets(stack: string, projectDir = PROJECT_DIR): StackConfig {
  const project = readYaml(projectDir, "Pulumi.yaml");
  const projectName = typeof project.name === "string" ? project.name : "botfleet";
  const stackDoc = readYaml(projectDir, `Pulumi.${stack}.yaml`);
  const projectConfig = mapping(project.config, "Pulumi.yaml", "config");
  const stackConfig = mapping(stackDoc.config, `Pulumi.${stack}.yaml`, "config");

  const config: RawConfig = {};
  const secretKeys: string[] = [];
  for (const [key, declaration] of Object.entries(projectConfig)) {
    const fullKey = key.includes(":") ? key : `${projectName}:${key}`;
    if (key.includes(":")) {
      // Values for other namespaces: a literal, or { value: ... }.
      const value = isObject(declaration) && "value" in declaration ? declaration.value : declaration;
      config[fullKey] = encode(value);
    } else if (isObject(declaration) && declaration.secret === true) {
      secretKeys.push(fullKey);
      config[fullKey] = OFFLINE_SECRET_PLACEHOLDER;
    } else if (isObject(declaration) && "default" in declaration) {
      config[fullKey] = encode(declaration.default);
    }
  }
  for (const [key, value] of Object.entries(stackConfig)) {
    // Pulumi requires "<namespace>:<name>" keys in a stack file.
    if (!/^[^:\s]+:[^:\s]+$/.test(key)) {
      throw new StackConfigError(`Pulumi.${stack}.yaml`, `config key "${key}" must be namespaced, e.g. "${projectName}:${key}"`);
    }
    // An encrypted value ({ secure: ... }) cannot be read offline: keep the placeholder.
    if (isObject(value) && "secure" in value) continue;
    config[key] = encode(value);
  }
  return { values: config, secretKeys };
}

/** A project or stack file as a YAML mapping; a missing, unreadable or malformed file names itself and the line. */
function readYaml(dir: string, name: string): Record<string, unknown> {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StackConfigError(name, code === "ENOENT" ? `no such file in ${dir}` : `cannot be read (${code ?? String(err)})`);
  }
  const known = parsed.get(file);
  if (known?.text === text) return known.doc;
  let doc: unknown;
  try {
    doc = parseYamlDocument(text);
  } catch (err) {
    const problem = yamlProblem(err);
    if (problem) throw new StackConfigError(name, `line ${problem.line}, column ${problem.column}: not valid YAML (${problem.reason})`);
    throw err;
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObject(doc)) throw new StackConfigError(name, "must be a YAML mapping (key: value lines)");
  parsed.set(file, { text, doc });
  return doc;
}

// A plan reads the same three files a dozen times (the gate, each program run, the program's own
// checks): each file's text is parsed once while it stays the same. The documents are only read,
// never changed.
const parsed = new Map<string, { readonly text: string; readonly doc: Record<string, unknown> }>();

function mapping(value: unknown, file: string, key: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new StackConfigError(file, `"${key}" must be a mapping of keys to values`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
