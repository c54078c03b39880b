import type { PackSession } from "./judge";
import { combinePasses, type PassInput } from "./outcome";
import type { GateResult } from "./report";
import { auditTarget, planTarget, type ProgramTarget, stackConfigOf } from "./targets";
import { PROJECT } from "./stacks";

export interface PlanPassOptions {
  readonly stack: string;
  readonly configFile: string;
  readonly projectDir?: string;
}

/**
 * plan: the program as a first `pulumi preview` runs it (preview mode: ids, ARNs and everything the
 * cloud computes are unknown, and so is all the program derives from them), judged as the engine
 * judges a preview; then the program as `pulumi up` runs it, judged again with every value known.
 * The pack judges the preview while the program runs again.
 */
export async function planPasses(session: Promise<PackSession>, options: PlanPassOptions): Promise<GateResult> {
  const settings = (dryRun: boolean, stackConfig?: ProgramTarget["stackConfig"]) => ({ stack: options.stack, project: PROJECT, configFile: options.configFile, dryRun, stackConfig });
  const stackConfig = stackConfigOf(options.stack, options.projectDir);
  // Each pass is fed as the program registers resources, as the engine analyzes each one while the
  // program goes on; the pack starts while the program loads.
  const run = async (preview: boolean) => {
    // The program does not wait for the pack: resources queue until it is ready.
    const pass = session.then((s) => s.begin(settings(preview, stackConfig)));
    pass.catch(() => undefined);
    const target = await planTarget(options.stack, { projectDir: options.projectDir, preview, onResource: (r) => void pass.then((p) => p.add(r), () => undefined) });
    const judgement = pass.then((p) => p.finish(target.resources));
    judgement.catch(() => undefined);
    return { target, judgement };
  };
  const preview = await run(true);
  const up = await run(false);
  const passes: PassInput[] = [
    { phase: "preview", resources: preview.target.resources, judgement: await preview.judgement },
    { phase: "up", resources: up.target.resources, judgement: await up.judgement },
  ];
  const atPreview = new Set(preview.target.resources.map((r) => r.urn));
  const atUp = new Set(up.target.resources.map((r) => r.urn));
  return {
    verb: "plan",
    stack: options.stack,
    artifact: up.target.artifact,
    resources: up.target.resources,
    outcome: combinePasses(passes),
    onlyAtUp: [...atUp].filter((u) => !atPreview.has(u)),
    onlyAtPreview: [...atPreview].filter((u) => !atUp.has(u)),
  };
}

export interface AuditPassOptions {
  readonly file: string;
  readonly stack?: string;
  /** Where the stack files are (default: this repository). */
  readonly projectDir?: string;
  /** The policy config; given the stack the file belongs to. */
  readonly configFileFor: (stack: string) => string;
}

/** audit: one state, judged as the engine judges a stack after `up` (dry run off). */
export async function auditPass(session: () => Promise<PackSession>, options: AuditPassOptions): Promise<GateResult> {
  const target = auditTarget(options.file, options.stack, options.projectDir);
  const judgement = await (await session()).judge({ stack: target.stack, project: PROJECT, resources: target.resources, configFile: options.configFileFor(target.stack), dryRun: false });
  return {
    verb: "audit",
    stack: target.stack,
    artifact: target.artifact,
    resources: target.resources,
    outcome: combinePasses([{ phase: "up", resources: target.resources, judgement }]),
    encryptedSecrets: target.encryptedSecrets,
  };
}
