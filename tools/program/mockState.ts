import type { MockResourceArgs } from "@pulumi/pulumi/runtime";

/**
 * What the cloud would compute for a resource on create, so that outputs other resources consume
 * (ARNs, ids, names) have realistic values under mocks. Inputs are echoed back as state.
 */
export interface MockContext {
  readonly region: string;
  readonly accountId: string;
  readonly gcpProject: string;
}

export function mockState(args: MockResourceArgs, ctx: MockContext): Record<string, unknown> {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  const name = typeof inputs.name === "string" ? inputs.name : args.name;
  const [pkg, module] = args.type.split(":");
  const state: Record<string, unknown> = { ...inputs };

  if (pkg === "aws") {
    const service = (module ?? "").split("/")[0] ?? "";
    state.arn ??= `arn:aws:${service}:${ctx.region}:${ctx.accountId}:${args.name}`;
    state.name ??= name;
  } else if (pkg === "gcp") {
    state.name ??= name;
    state.project ??= ctx.gcpProject;
  }
  return { ...state, ...(TYPE_STATE[args.type]?.(args, ctx, name) ?? {}) };
}

type StateFn = (args: MockResourceArgs, ctx: MockContext, name: string) => Record<string, unknown>;

/** Type-specific computed attributes; add a line here when a component reads one. */
const TYPE_STATE: Record<string, StateFn> = {
  "aws:iam/role:Role": (_a, ctx, name) => ({ arn: `arn:aws:iam::${ctx.accountId}:role/${name}` }),
};

/** Invokes the program may make; anything else fails loudly so an unexpected lookup is noticed. */
export function mockCall(token: string, inputs: Record<string, unknown>, ctx: MockContext): Record<string, unknown> {
  const known: Record<string, () => Record<string, unknown>> = {};
  const answer = known[token];
  if (!answer) throw new Error(`unexpected invoke ${token} under mocks (${JSON.stringify(inputs)}, project ${ctx.gcpProject})`);
  return answer();
}
