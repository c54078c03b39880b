import type { ProgramRun } from "../../../tools/program/runUnderMocks";

/** One resource of a `pulumi stack export` (deployment version 3), as the CLI writes it. */
export interface ExportedResource {
  urn: string;
  custom: boolean;
  id?: string;
  type: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  parent?: string;
  provider?: string;
}

export interface StackExportDoc {
  version: 3;
  deployment: { manifest: { time: string; magic: string; version: string }; resources: ExportedResource[] };
}

/**
 * The state a `pulumi up` of this program run would leave, as `pulumi stack export` prints it:
 * the stack resource first, provider references as "<provider urn>::<provider id>", ids as the
 * mocks assign them (`<name>-id`).
 */
export function stackExportOf(run: ProgramRun, project = "botfleet"): StackExportDoc {
  const stackUrn = `urn:pulumi:${run.stack}::${project}::pulumi:pulumi:Stack::${project}-${run.stack}`;
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const resources: ExportedResource[] = [
    { urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", inputs: {}, outputs: {} },
    ...run.resources.map((r) => {
      const provider = r.provider ? byUrn.get(r.provider) : undefined;
      return {
        urn: r.urn,
        custom: r.custom,
        ...(r.custom ? { id: `${r.name}-id` } : {}),
        type: r.type,
        inputs: JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown>,
        outputs: {},
        parent: r.parent ?? stackUrn,
        ...(r.provider ? { provider: `${r.provider}::${provider ? `${provider.name}-id` : "unknown"}` } : {}),
      };
    }),
  ];
  return { version: 3, deployment: { manifest: { time: new Date(0).toISOString(), magic: "", version: "v3.0.0" }, resources } };
}
