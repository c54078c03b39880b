import * as fs from "node:fs";
import * as path from "node:path";
import { oneLine, StackExportError } from "./errors";
import type { GateResource } from "./resources";
import { type SecretsMode, stackExportOf } from "./stackExportWriter";
import { SECRET_SIG, SIG_KEY } from "./engineEncoding";

/**
 * `plan --export FILE`: the state the up pass leaves, written as `pulumi stack export` writes it
 * (stackExportWriter.ts). Written to a temporary file beside FILE and renamed, so a failure leaves no
 * half-written export; mode 0600 like the CLI's own state files, since a `--show-secrets` export
 * holds every secret in clear. Returns the line to print on stderr.
 */
export function writeStackExport(file: string, resources: readonly GateResource[], secrets: SecretsMode): string {
  const doc = stackExportOf(resources, { secrets });
  const text = `${JSON.stringify(doc, null, 4)}\n`;
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new StackExportError(`cannot write --export ${file}: ${oneLine((err as NodeJS.ErrnoException).code ?? String(err))}`);
  }
  const count = countSecrets(doc);
  const how = secrets === "plaintext" ? "in plain text (--show-secrets): delete the file after use" : "encrypted with a throwaway key (their values cannot be read back)";
  return `wrote ${file}: the state of stack ${doc.deployment.resources[0]?.urn.split("::")[0]?.replace("urn:pulumi:", "") ?? "?"} after up, as pulumi stack export writes it (${doc.deployment.resources.length} resources; ${count} secrets ${how})`;
}

function countSecrets(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countSecrets(v), 0);
  const object = value as Record<string, unknown>;
  if (object[SIG_KEY] === SECRET_SIG) return 1;
  return Object.values(object).reduce((n: number, v) => n + countSecrets(v), 0);
}
