import { CORE_SCHEMA, load, YAMLException } from "js-yaml";

/**
 * A Pulumi project or stack file's text as data. js-yaml rather than another YAML library: Pulumi's
 * SDK already loads it, so the program and the gate read these files without loading a second
 * parser (~70 ms of a plan here, measured). The YAML 1.2 core schema, as the CLI reads the files
 * (no timestamps or other YAML 1.1 types: `2026-01-01` stays a string); a key given twice is an
 * error, as for the CLI.
 */
export function parseYamlDocument(text: string): unknown {
  return load(text, { schema: CORE_SCHEMA });
}

/** Where and why a text is not valid YAML (1-based line and column), or undefined for any other error. */
export function yamlProblem(error: unknown): { readonly line: number; readonly column: number; readonly reason: string } | undefined {
  if (!(error instanceof YAMLException)) return undefined;
  return { line: error.mark.line + 1, column: error.mark.column + 1, reason: error.reason };
}
