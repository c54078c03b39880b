import type { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { UNKNOWN } from "../gate/engineEncoding";
import { type ApiZone, cloudflareCall } from "./cloudflareStandIn";

/**
 * What the cloud would compute for a resource on create, so that outputs other resources consume
 * (ARNs, ids, names) have realistic values under mocks. Inputs are echoed back as state.
 */
export interface MockContext {
  readonly region: string;
  readonly accountId: string;
  readonly gcpProject: string;
  /**
   * The random part of an auto-name (7 hex digits) for the resource being created. The engine draws
   * it once per resource when it is first created, keeps it in state, and draws a new one after a
   * destroy; unset, a fixed value per resource (one deployment, reproducible runs).
   */
  readonly autoNameSuffix?: (type: string, logicalName: string) => string;
  /** The Cloudflare zone the edge's deploy-time reads see (tools/program/cloudflareStandIn.ts). */
  readonly cloudflareZone?: ApiZone;
}

/**
 * Types whose physical name the program leaves to Pulumi's auto-naming (`<logical name>-<7 hex>`,
 * https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming) and then reads back: the
 * mocks name them as the engine would, not by the bare logical name.
 */
export const AUTO_NAMED_TYPES: ReadonlySet<string> = new Set(["gcp:kms/keyRing:KeyRing"]);

export function fixedAutoNameSuffix(type: string, logicalName: string): string {
  return createHash("sha256").update(`${type}::${logicalName}`).digest("hex").slice(0, 7);
}

export function mockState(args: MockResourceArgs, ctx: MockContext, preview = false): Record<string, unknown> {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  const autoName = AUTO_NAMED_TYPES.has(args.type) ? `${args.name}-${(ctx.autoNameSuffix ?? fixedAutoNameSuffix)(args.type, args.name)}` : args.name;
  const name = typeof inputs.name === "string" ? inputs.name : autoName;
  const [pkg, module] = args.type.split(":");
  const state: Record<string, unknown> = { ...inputs };
  // Known before anything exists: Pulumi's auto-name (assigned when inputs are checked, shown by
  // preview) and GCP's project (the provider's default, filled in at plan time).
  const plannable = new Set<string>();
  if (pkg === "aws") {
    const service = (module ?? "").split("/")[0] ?? "";
    state.arn ??= `arn:aws:${service}:${ctx.region}:${ctx.accountId}:${args.name}`;
    if (!("name" in state)) plannable.add("name");
    state.name ??= name;
  } else if (pkg === "gcp") {
    if (!("name" in state)) plannable.add("name");
    if (!("project" in state)) plannable.add("project");
    state.name ??= name;
    state.project ??= ctx.gcpProject;
  }
  const computed = TYPE_STATE[args.type]?.(args, ctx, name) ?? {};
  for (const key of Object.keys(computed)) plannable.delete(key);
  const full = { ...state, ...computed };
  return preview ? atFirstPreview(inputs, full, plannable) : full;
}

/**
 * What a provider answers for a create in a preview: the inputs as given (unknown ones stay
 * unknown), and every attribute the cloud computes unknown ("known after apply") — ARNs, ids,
 * e-mails, endpoints — even where the mock knows what it would be.
 */
function atFirstPreview(inputs: Record<string, unknown>, full: Record<string, unknown>, plannable: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(full)) {
    out[key] = key in inputs ? inputOrUnknown(inputs[key], value) : plannable.has(key) ? value : UNKNOWN;
  }
  return out;
}

function inputOrUnknown(input: unknown, state: unknown): unknown {
  if (input === state || isDeepStrictEqual(input, state)) return input;
  if (isPlainObject(input) && isPlainObject(state)) return atFirstPreview(input, state, new Set());
  return UNKNOWN;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

type StateFn = (args: MockResourceArgs, ctx: MockContext, name: string) => Record<string, unknown>;

/** Type-specific computed attributes; add a line here when a component reads one. */
const TYPE_STATE: Record<string, StateFn> = {
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (a, ctx) => ({
    name: `projects/${gcpProjectNumber(ctx.gcpProject)}/locations/global/workloadIdentityPools/${String(a.inputs.workloadIdentityPoolId)}`,
  }),
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (a, ctx) => ({
    name: `projects/${gcpProjectNumber(ctx.gcpProject)}/locations/global/workloadIdentityPools/${String(a.inputs.workloadIdentityPoolId)}/providers/${String(a.inputs.workloadIdentityPoolProviderId)}`,
  }),
  "gcp:projects/iAMCustomRole:IAMCustomRole": (a, ctx) => ({ name: `projects/${ctx.gcpProject}/roles/${String(a.inputs.roleId)}` }),
  "gcp:serviceaccount/account:Account": (a, ctx) => {
    const email = `${String(a.inputs.accountId)}@${ctx.gcpProject}.iam.gserviceaccount.com`;
    return { email, name: `projects/${ctx.gcpProject}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
  },
  "aws:iam/role:Role": (_a, ctx, name) => ({ arn: `arn:aws:iam::${ctx.accountId}:role/${name}` }),
  "aws:kms/key:Key": (a, ctx) => ({ arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${a.name}-id`, keyId: `${a.name}-id` }),
  "aws:dynamodb/table:Table": (_a, ctx, name) => ({ arn: `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}` }),
  "aws:secretsmanager/secret:Secret": (_a, ctx, name) => ({
    arn: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-AbCdEf`,
  }),
  "aws:cloudwatch/logGroup:LogGroup": (_a, ctx, name) => ({ arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}` }),
  "aws:sqs/queue:Queue": (_a, ctx, name) => ({
    arn: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`,
    url: `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${name}`,
  }),
  "aws:sns/topic:Topic": (_a, ctx, name) => ({ arn: `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name}` }),
  "aws:lambda/function:Function": (_a, ctx, name) => {
    const arn = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
    return { arn, invokeArn: `arn:aws:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${arn}/invocations` };
  },
  "aws:apigatewayv2/api:Api": (a, ctx) => ({
    executionArn: `arn:aws:execute-api:${ctx.region}:${ctx.accountId}:${a.name}-id`,
    apiEndpoint: `https://${a.name}-id.execute-api.${ctx.region}.amazonaws.com`,
  }),
  "aws:apigatewayv2/domainName:DomainName": (a, ctx) => {
    const config = (a.inputs as { domainNameConfiguration?: Record<string, unknown> }).domainNameConfiguration ?? {};
    return {
      domainNameConfiguration: { ...config, targetDomainName: `d-${a.name}.execute-api.${ctx.region}.amazonaws.com`, hostedZoneId: "Z2FDTNDATAQYW2" },
    };
  },
  "aws:acm/certificate:Certificate": (a, ctx) => {
    const domainName = String((a.inputs as { domainName?: unknown }).domainName);
    return {
      arn: `arn:aws:acm:${ctx.region}:${ctx.accountId}:certificate/${a.name}-id`,
      domainValidationOptions: [
        { domainName, resourceRecordName: `_x1.${domainName}.`, resourceRecordType: "CNAME", resourceRecordValue: `_x2.acm-validations.aws.` },
      ],
    };
  },
  "aws:acm/certificateValidation:CertificateValidation": (a) => ({ certificateArn: (a.inputs as { certificateArn?: unknown }).certificateArn }),
};

/**
 * The id the provider assigns, where the program reads it: a key ring's id is its full resource
 * name (projects/<p>/locations/<l>/keyRings/<name>, what its keys are created in); elsewhere the
 * mocks' `<logical name>-id`.
 */
export function mockId(args: MockResourceArgs, state: Record<string, unknown>): string {
  if (args.type === "gcp:kms/keyRing:KeyRing") return `projects/${String(state.project)}/locations/${String(state.location)}/keyRings/${String(state.name)}`;
  return `${args.name}-id`;
}

/** A stable, obviously fake project number for a project id (GCP derives resource names from it). */
export function gcpProjectNumber(project: string): string {
  let hash = 7;
  for (const char of project) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000_000;
  return `100${String(hash).padStart(9, "0")}`;
}

/** Invokes the program may make; anything else fails loudly so an unexpected lookup is noticed. */
export function mockCall(token: string, inputs: Record<string, unknown>, ctx: MockContext): Record<string, unknown> {
  const known: Record<string, () => Record<string, unknown>> = {
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": () => {
      const project = typeof inputs.project === "string" ? inputs.project : ctx.gcpProject;
      const emailAddress = `service-${gcpProjectNumber(project)}@gs-project-accounts.iam.gserviceaccount.com`;
      return { id: project, project, emailAddress, member: `serviceAccount:${emailAddress}` };
    },
  };
  if (token.startsWith("cloudflare:") && ctx.cloudflareZone) {
    const answered = cloudflareCall(token, inputs, ctx.cloudflareZone);
    if (answered) return answered;
  }
  const answer = known[token];
  if (!answer) throw new Error(`unexpected invoke ${token} under mocks (${JSON.stringify(inputs)}, project ${ctx.gcpProject})`);
  return answer();
}
