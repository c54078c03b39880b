import { ARCHIVE_SIG, ASSET_SIG, signatureOf } from "../../../tools/gate/engineEncoding";
import * as writer from "../../../tools/gate/stackExportWriter";
import { toGateResource } from "../../../tools/gate/targets";
import type { ProgramRun, RegisteredResource } from "../../../tools/program/runUnderMocks";

/**
 * A resource of the export as the specs edit it: inputs and outputs are there for every resource the
 * specs touch (custom resources, and the root stack's outputs); the writer omits empty ones, as the CLI does.
 */
export type ExportedResource = writer.ExportedResource & { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
export type StackExportDoc = Omit<writer.StackExportDoc, "deployment"> & { deployment: Omit<writer.StackExportDoc["deployment"], "resources"> & { resources: ExportedResource[] } };

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
 * — by the same writer as `npm run plan -- --export` (tools/gate/stackExportWriter.ts), at a fixed time.
 */
export function stackExportOf(run: ProgramRun, options: ExportOptions = {}): StackExportDoc {
  const all: RegisteredResource[] = run.stackResource ? [run.stackResource, ...run.resources] : [...run.resources];
  const doc = writer.stackExportOf(all.map(toGateResource), { secrets: options.secrets === "plaintext" ? "plaintext" : "encrypted", time: new Date("2026-01-15T10:00:00Z") });
  if (options.stubAssetText) for (const r of doc.deployment.resources) for (const part of [r.inputs, r.outputs]) if (part) stubTexts(part);
  return doc as StackExportDoc;
}


function stubTexts(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) return value.forEach(stubTexts);
  const object = value as Record<string, unknown>;
  const sig = signatureOf(object);
  if ((sig === ASSET_SIG || sig === ARCHIVE_SIG) && typeof object.text === "string") object.text = `// ${object.text.length} characters of bundle left out`;
  Object.values(object).forEach(stubTexts);
}
