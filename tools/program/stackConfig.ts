import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { ENVIRONMENTS, type Environment, PROJECT_DIR } from "../../infra/config";

/**
 * Stack config exactly as the Pulumi CLI hands it to the program: the project's declared defaults
 * from Pulumi.yaml (its own keys, namespaced with the project name), overlaid with the values of
 * Pulumi.<stack>.yaml. Non-string values are JSON-encoded, as the CLI does for structured config.
 */
export type RawConfig = Record<string, string>;

export function isStackName(value: unknown): value is Environment {
  return (ENVIRONMENTS as readonly unknown[]).includes(value);
}

/**
 * Offline stand-in for values a user sets with `pulumi config set --secret` (they are never in the
 * stack files). Fixed, obviously fake, and used only by mocks and the offline gate.
 */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-not-a-real-secret-0000";

export interface StackConfig {
  readonly values: RawConfig;
  /** Keys that hold secrets (declared `secret: true`), for setAllConfig's secret list. */
  readonly secretKeys: readonly string[];
}

export function readStackConfig(stack: string, projectDir = PROJECT_DIR): RawConfig {
  return readStackConfigWithSecrets(stack, projectDir).values;
}

export function readStackConfigWithSecrets(stack: string, projectDir = PROJECT_DIR): StackConfig {
  const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as {
    name?: string;
    config?: Record<string, unknown>;
  };
  const projectName = project.name ?? "botfleet";
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) throw new Error(`no stack file ${path.basename(stackFile)} in ${projectDir}`);
  const stackDoc = (readYaml(stackFile) ?? {}) as { config?: Record<string, unknown> };

  const config: RawConfig = {};
  const secretKeys: string[] = [];
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
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
  for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
    // An encrypted value ({ secure: ... }) cannot be read offline: keep the placeholder.
    if (isObject(value) && "secure" in value) continue;
    config[key] = encode(value);
  }
  return { values: config, secretKeys };
}

function readYaml(file: string): unknown {
  return parseYaml(fs.readFileSync(file, "utf8"));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
