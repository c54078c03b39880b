import * as fs from "node:fs";
import type { GateResource } from "./resources";

/** Problems with the state file itself (exit 2), named with the file and where in it. */
export class StackExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackExportError";
  }
}

export interface StackExport {
  /** Stack and project as the resources' URNs name them. */
  readonly stack?: string;
  readonly project?: string;
  readonly resources: readonly GateResource[];
}

interface ExportedResource {
  urn?: unknown;
  type?: unknown;
  custom?: unknown;
  inputs?: unknown;
  outputs?: unknown;
  provider?: unknown;
  parent?: unknown;
  dependencies?: unknown;
}

/**
 * Reads a `pulumi stack export` file (deployment version 3). Each resource is judged on its
 * outputs overlaid with its inputs (what the program declared wins; computed names fill gaps),
 * with its provider reference ("<provider urn>::<id>") turned back into the provider's URN.
 */
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

export function parseStackExport(doc: unknown, file: string): StackExport {
  const root = doc as { version?: unknown; deployment?: { resources?: unknown } } | null;
  if (typeof root !== "object" || root === null) throw new StackExportError(`${file}: not a stack export (expected an object)`);
  if (root.version !== 3) throw new StackExportError(`${file}: "version" is ${JSON.stringify(root.version)}, expected 3 (pulumi stack export)`);
  const list = root.deployment?.resources ?? [];
  if (!Array.isArray(list)) throw new StackExportError(`${file}: "deployment.resources" must be a list`);
  const resources: GateResource[] = [];
  list.forEach((raw: ExportedResource, i) => {
    const where = `${file}: deployment.resources[${i}]`;
    if (typeof raw !== "object" || raw === null) throw new StackExportError(`${where} is not an object`);
    if (typeof raw.urn !== "string" || !raw.urn.startsWith("urn:pulumi:")) throw new StackExportError(`${where}.urn must be a Pulumi URN`);
    if (typeof raw.type !== "string") throw new StackExportError(`${where}.type must be a string`);
    if (raw.type === "pulumi:pulumi:Stack") return;
    const inputs = isObject(raw.inputs) ? raw.inputs : {};
    const outputs = isObject(raw.outputs) ? raw.outputs : {};
    resources.push({
      urn: raw.urn,
      type: raw.type,
      name: raw.urn.split("::").pop() ?? raw.urn,
      props: { ...outputs, ...inputs },
      provider: typeof raw.provider === "string" && raw.provider !== "" ? raw.provider.split("::").slice(0, -1).join("::") : undefined,
      parent: typeof raw.parent === "string" && raw.parent !== "" ? raw.parent : undefined,
      dependencies: Array.isArray(raw.dependencies) ? raw.dependencies.filter((d): d is string => typeof d === "string") : [],
    });
  });
  const first = resources[0]?.urn.split("::");
  return {
    stack: first?.[0]?.replace(/^urn:pulumi:/, ""),
    project: first?.[1],
    resources,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
