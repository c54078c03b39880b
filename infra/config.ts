import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { timeoutProblem } from "../runtime/http/functionBudgets";
import { ROUTES } from "../runtime/routes";
import { existingHandlers } from "./aws/handlers";
import { certificateCoverage } from "./cloudflare/certificateCoverage";
import { parseYamlDocument } from "./yamlDocument";

/**
 * Stack config → one typed, frozen `Settings` object.
 *
 * Defaults live in exactly one place, the `config:` section of Pulumi.yaml (the CLI applies them, and
 * the offline harness applies them the same way), so this schema requires every key and holds no
 * defaults of its own. Every problem is reported with the full key name (`botfleet:domain`) and
 * what is wrong, all at once, before a single resource is declared.
 */

/**
 * A stack name as Pulumi accepts it: letters, digits, hyphens, underscores and periods
 * (https://www.pulumi.com/docs/iac/concepts/stacks/#create-stack). Any such name works: nothing in the
 * program knows a stack by its name.
 */
export const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The longest name token (below) a stack may have. Bounded by the AWS names that carry it and may not
 * be shortened: Lambda function, IAM role and Scheduler schedule names are at most 64 characters
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html) and the longest is
 * `botfleet-<token>-outbox-scheduler`. GCP ids with tighter limits are fitted in infra/naming.ts.
 */
export const MAX_STACK_TOKEN = 24;

/**
 * The stack's name as it appears inside physical names: lowercased, `_` and `.` as `-`. Lambda, SQS
 * and SNS names allow no period, GCS bucket and GCP service account ids no capital, GCP labels
 * neither (https://cloud.google.com/resource-manager/docs/labels-overview#requirements); `dev` and
 * `prod` stay `dev` and `prod`, so their resources keep the names they were created with.
 */
export function stackNameToken(stack: string): string {
  return stack.toLowerCase().replace(/[_.]/g, "-");
}

/** Keys the program no longer reads, with what replaces them (a stack file that still sets one is refused, naming it). */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
  "botfleet:environment":
    'is no longer read: whether a stack is production-grade is its own setting now; replace it with botfleet:productionGrade: "true" (what prod was) or "false" (what dev was)',
};

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-(gov-)?(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;
const SCHEDULE = /^(cron|rate)\(.+\)$/;
const HTTPS_URL = /^https:\/\/[^\s/$.?#][^\s]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A user-managed service account: <6-30 char id>@<project>.iam.gserviceaccount.com. */
const GCP_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;

/**
 * Lambda keeps at least 100 concurrent executions of an account's regional quota unreserved, and a
 * function may reserve only what is left above that; new accounts may start with a quota as low as
 * 10 (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/** Config values arrive as strings; these parse them and say what was expected. */
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const boolean = z.enum(["true", "false"], { message: 'must be "true" or "false"' }).transform((v) => v === "true");

const accountIdList = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be a YAML list with one account id, e.g. ["123456789012"]' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(z.string().regex(/^\d{12}$/, "each AWS account id must be exactly 12 digits"))
      .length(1, "must name exactly one AWS account: each stack deploys into its own account"),
  );

/** Every key the program reads, by its full `namespace:key` name. */
export const configSchema = z
  .object({
    "aws:region": z.string().regex(AWS_REGION, "must be an AWS region such as eu-west-1"),
    "aws:allowedAccountIds": accountIdList,
    "gcp:project": z.string().regex(GCP_PROJECT, "must be a GCP project id (6-30 lowercase letters, digits, hyphens)"),
    "gcp:region": z.string().regex(GCP_REGION, "must be a GCP region such as europe-west1"),
    "botfleet:productionGrade": boolean,
    "botfleet:awsDeployRoleArn": z
      .string()
      .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
    "botfleet:domain": z.string().regex(HOSTNAME, "must be a lowercase DNS name such as bot.example.com"),
    "botfleet:apiSubdomain": z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be one DNS label"),
    "botfleet:cloudflareAccountId": z.string().regex(CLOUDFLARE_ID, "must be a 32-character hex Cloudflare account id"),
    "botfleet:cloudflareZoneId": z.string().regex(CLOUDFLARE_ID, "must be a 32-character hex Cloudflare zone id"),
    "botfleet:cloudflareManagedWaf": boolean,
    "botfleet:cloudflareZoneName": z.string().regex(HOSTNAME, "must be the Cloudflare zone's name as the dashboard shows it, e.g. example.com"),
    "botfleet:cloudflareAdvancedCertificate": boolean,
    "botfleet:cloudflareZoneWideTls": boolean,
    "botfleet:cloudflareAdoptForeignRules": boolean,
    "botfleet:logRetentionDays": z
      .string()
      .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(Number(v)), {
        message: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
      })
      .transform(Number),
    "botfleet:lambdaMemoryMb": integer(128, 10240),
    "botfleet:lambdaTimeoutSeconds": integer(1, 900),
    "botfleet:lambdaReservedConcurrency": integer(0, 1000),
    "botfleet:apiThrottleRatePerSecond": integer(1, 10000),
    "botfleet:apiThrottleBurst": integer(1, 5000),
    "botfleet:edgeWebhookRequestsPerMinute": integer(1, 100000),
    "botfleet:edgeApiRequestsPerMinute": integer(1, 100000),
    "botfleet:botRateLimitCapacity": integer(1, 1000),
    "botfleet:botRateLimitRefillPerMinute": integer(1, 1000),
    "botfleet:botTicketOpensPerHour": integer(1, 1000),
    "botfleet:conversationTtlMinutes": integer(1, 1440),
    "botfleet:dedupeTtlHours": integer(1, 720),
    "botfleet:auditTtlDays": integer(1, 3650),
    "botfleet:exportSchedule": z.string().regex(SCHEDULE, "must be an EventBridge Scheduler expression: cron(...) or rate(...)"),
    "botfleet:archiveKmsRotationDays": integer(1, 3650),
    "botfleet:archiveColdAfterDays": integer(1, 3650),
    "botfleet:archiveDeleteAfterDays": integer(1, 36500),
    "botfleet:archiveSoftDeleteDays": integer(7, 90),
    "botfleet:alarmEmail": z.string().regex(EMAIL, "must be an e-mail address"),
    "botfleet:authIssuer": z.string().regex(HTTPS_URL, "must be the https:// issuer URL of the agents' identity provider"),
    "botfleet:authAudience": z.string().min(1, "must name the API's audience"),
    "botfleet:authJwksUrl": z.string().regex(HTTPS_URL, "must be the https:// URL of the identity provider's JWKS"),
    "botfleet:authRolesClaim": z.string().regex(/^[\w:/.-]{1,128}$/, "must be a JWT claim name"),
    "botfleet:whatsappPhoneNumberId": z
      .string()
      .regex(/^(\d{1,25})?$/, "must be the WhatsApp Business phone number id (digits only), or empty when WhatsApp is not used"),
    "botfleet:originVerifySecret": z
      .string()
      .regex(/^[A-Za-z0-9_-]{32,128}$/, "must be 32-128 URL-safe characters (pulumi config set --secret botfleet:originVerifySecret $(openssl rand -hex 32))"),
    // --- AWS/GCP account facts and identities (issue 13) ---
    "botfleet:awsLambdaConcurrencyQuota": integer(10, 1_000_000),
    "botfleet:gcpDeployServiceAccount": z
      .string()
      .regex(GCP_SERVICE_ACCOUNT, "must be the e-mail of a service account in the stack's project (<name>@<project>.iam.gserviceaccount.com)"),
  })
  .superRefine((c, ctx) => {
    if (c["botfleet:archiveDeleteAfterDays"] <= c["botfleet:archiveColdAfterDays"]) {
      ctx.addIssue({
        code: "custom",
        path: ["botfleet:archiveDeleteAfterDays"],
        message: "must be greater than botfleet:archiveColdAfterDays (objects move to a colder class before they are deleted)",
      });
    }
    if (c["botfleet:apiThrottleBurst"] < c["botfleet:apiThrottleRatePerSecond"]) {
      ctx.addIssue({
        code: "custom",
        path: ["botfleet:apiThrottleBurst"],
        message: "must be at least botfleet:apiThrottleRatePerSecond",
      });
    }
    reservedConcurrencyProblems(c["botfleet:lambdaReservedConcurrency"], c["botfleet:awsLambdaConcurrencyQuota"], ctx);
    requestTimeoutProblems(c["botfleet:lambdaTimeoutSeconds"], ctx);
    const deployProject = GCP_SERVICE_ACCOUNT.exec(c["botfleet:gcpDeployServiceAccount"])?.[1];
    if (deployProject !== undefined && GCP_PROJECT.test(c["gcp:project"]) && deployProject !== c["gcp:project"]) {
      ctx.addIssue({
        code: "custom",
        path: ["botfleet:gcpDeployServiceAccount"],
        message: `must be a service account of this stack's project ${c["gcp:project"]} (gcp:project), not ${deployProject}`,
      });
    }
    const roleAccount = /^arn:aws:iam::(\d{12}):/.exec(c["botfleet:awsDeployRoleArn"])?.[1];
    const [account] = c["aws:allowedAccountIds"];
    if (roleAccount !== undefined && /^\d{12}$/.test(account ?? "") && roleAccount !== account) {
      ctx.addIssue({
        code: "custom",
        path: ["botfleet:awsDeployRoleArn"],
        message: `must be a role in this stack's account ${account} (aws:allowedAccountIds), not ${roleAccount}`,
      });
    }
    const apiHostname = `${c["botfleet:apiSubdomain"]}.${c["botfleet:domain"]}`;
    const coverage = certificateCoverage(apiHostname, c["botfleet:cloudflareZoneName"], c["botfleet:cloudflareAdvancedCertificate"]);
    // Judged only on well-formed names (zod runs refinements even when a field failed its own check).
    const wellFormed = HOSTNAME.test(apiHostname) && HOSTNAME.test(c["botfleet:cloudflareZoneName"]);
    if (wellFormed && coverage.kind === "outsideZone" || coverage.kind === "notCovered") {
      ctx.addIssue({ code: "custom", path: ["botfleet:domain"], message: coverage.message });
    }
  });

type Issues = z.RefinementCtx;

/**
 * Reserved concurrency comes out of the account's quota, and Lambda refuses any reservation that
 * would leave fewer than LAMBDA_UNRESERVED_MINIMUM unreserved: every deployed function reserves the
 * same amount, so the sum must fit under the stack's stated quota (npm run preflight reads the real one).
 */
function reservedConcurrencyProblems(perFunction: number, quota: number, ctx: Issues): void {
  // A value that failed its own check is reported there; zod still runs this refinement.
  if (!Number.isInteger(perFunction) || !Number.isInteger(quota) || perFunction <= 0) return;
  const functions = existingHandlers().length;
  const needed = perFunction * functions + LAMBDA_UNRESERVED_MINIMUM;
  if (needed <= quota) return;
  ctx.addIssue({
    code: "custom",
    path: ["botfleet:lambdaReservedConcurrency"],
    message:
      `reserves ${perFunction} for each of ${functions} functions (${perFunction * functions}), but Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} ` +
      `of the account's concurrency unreserved: botfleet:awsLambdaConcurrencyQuota (${quota}) must be at least ${needed}. ` +
      `Set 0 to reserve nothing, or raise the quota in Service Quotas first and state it in botfleet:awsLambdaConcurrencyQuota`,
  });
}

/** Every function that serves a route takes botfleet:lambdaTimeoutSeconds; it must cover the fixed time its code needs. */
function requestTimeoutProblems(seconds: number, ctx: Issues): void {
  if (!Number.isInteger(seconds)) return;
  const routed = existingHandlers().filter((handler) => ROUTES.some((route) => route.handler === handler));
  const problems = routed.map((handler) => timeoutProblem(handler, seconds * 1000, true)).filter((p): p is string => p !== undefined);
  if (problems.length === 0) return;
  ctx.addIssue({
    code: "custom",
    path: ["botfleet:lambdaTimeoutSeconds"],
    message: `must fit what each request-path function needs (runtime/http/functionBudgets.ts): ${problems.join("; ")}`,
  });
}

export type ConfigKey = keyof z.input<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];

export interface Settings {
  /** The stack's name (pulumi.getStack()). */
  readonly stack: string;
  /** The stack name as physical names and labels carry it (stackNameToken), e.g. `dev`. */
  readonly nameToken: string;
  /** Name prefix for every physical resource, e.g. `botfleet-dev`. */
  readonly prefix: string;
  /**
   * botfleet:productionGrade: protection of stateful resources (`protect`, deletion protection,
   * recovery windows, no force-destroy) and accounts of its own, distinct from every non-production stack's.
   */
  readonly productionGrade: boolean;
  readonly domain: string;
  /** Public hostname of the API, e.g. `api.bot.example.com`. */
  readonly apiHostname: string;
  readonly aws: { readonly region: string; readonly accountId: string; readonly deployRoleArn: string };
  readonly gcp: {
    readonly project: string;
    readonly region: string;
    /** Service account the gcp provider impersonates for every call (no ambient credentials). */
    readonly deployServiceAccount: string;
  };
  readonly cloudflare: {
    readonly accountId: string;
    readonly zoneId: string;
    /** The zone's name (example.com): what Universal SSL covers is decided against it. */
    readonly zoneName: string;
    /** Order an advanced certificate (Advanced Certificate Manager, paid) for the API host. */
    readonly advancedCertificate: boolean;
    /** Also set the TLS settings zone-wide, for every name in the zone (off: only the API host). */
    readonly zoneWideTls: boolean;
    /** Let `pulumi up` overwrite rules in the zone's entry-point rulesets that botfleet did not write. */
    readonly adoptForeignRules: boolean;
    readonly managedWaf: boolean;
    readonly edgeWebhookRequestsPerMinute: number;
    readonly edgeApiRequestsPerMinute: number;
  };
  readonly logs: { readonly retentionDays: number };
  readonly functions: {
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    /** Per function; undefined = none (the function draws on the account's unreserved pool). */
    readonly reservedConcurrency: number | undefined;
    /** The account's regional concurrency quota as the stack states it (what reservations are checked against). */
    readonly accountConcurrencyQuota: number;
  };
  readonly api: { readonly throttleRatePerSecond: number; readonly throttleBurst: number };
  readonly bot: {
    readonly rateLimitCapacity: number;
    readonly rateLimitRefillPerMinute: number;
    readonly ticketOpensPerHour: number;
    readonly conversationTtlMinutes: number;
    readonly dedupeTtlHours: number;
    readonly auditTtlDays: number;
  };
  readonly exportSchedule: string;
  readonly archive: {
    readonly kmsRotationDays: number;
    readonly coldAfterDays: number;
    readonly deleteAfterDays: number;
    readonly softDeleteDays: number;
  };
  readonly alarmEmail: string;
  readonly auth: { readonly issuer: string; readonly audience: string; readonly jwksUrl: string; readonly rolesClaim: string };
  /** WhatsApp Business phone number id agents' replies to WhatsApp users go out from; undefined = WhatsApp not used. */
  readonly whatsappPhoneNumberId: string | undefined;
  /**
   * Value of the origin-verify header that Cloudflare adds and the functions require. The one secret
   * that must be in Pulumi (as a config secret): both the edge rule and the AWS secret need it.
   */
  readonly originVerifySecret: pulumi.Output<string>;
}

/** Keys whose values are secrets: read raw for validation, handed on only as Pulumi secrets. */
export const SECRET_KEYS: readonly ConfigKey[] = ["botfleet:originVerifySecret"];

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Another stack of the project as its Pulumi.<stack>.yaml declares it: a production-grade stack must
 * not share an AWS account, GCP project, Cloudflare account or zone with any non-production one, no
 * two stacks may share a Cloudflare zone, and no two may share a name token (their physical names).
 */
export interface OtherStack {
  readonly stack: string;
  /** True only when its file says botfleet:productionGrade: "true"; anything else is judged as non-production. */
  readonly productionGrade?: boolean;
  readonly awsAccountId?: string;
  readonly gcpProject?: string;
  readonly cloudflareAccountId?: string;
  readonly cloudflareZoneId?: string;
  readonly cloudflareZoneName?: string;
}

/**
 * Pure: the stack's name and raw config strings (by full key) → Settings, or a ConfigError listing
 * every problem. `others` are the project's other stack files (readOtherStacks).
 */
export function parseSettings(stack: string, raw: Readonly<Record<string, string | undefined>>, others: readonly OtherStack[] = []): Settings {
  const nameProblems = stackNameProblems(stack, others);
  const retired = Object.entries(RETIRED_KEYS).filter(([key]) => raw[key] !== undefined).map(([key, why]) => `${key}: ${why}`);
  const input = Object.fromEntries(CONFIG_KEYS.map((key) => [key, raw[key]]));
  const result = configSchema.safeParse(input);
  if (!result.success || nameProblems.length > 0 || retired.length > 0) {
    throw new ConfigError([
      ...nameProblems,
      ...retired,
      ...(result.error?.issues ?? []).map((issue) => {
        const key = String(issue.path[0] ?? "config");
        const value = raw[key];
        const secret = (SECRET_KEYS as readonly string[]).includes(key);
        if (value === undefined) {
          return `${key}: is required but not set (pulumi config set${secret ? " --secret" : ""} ${key} <value>)`;
        }
        return `${key}: ${issue.message}; got ${secret ? "[secret]" : JSON.stringify(value)}`;
      }),
    ]);
  }
  const c = result.data;
  const accountId = c["aws:allowedAccountIds"][0] as string;
  const productionGrade = c["botfleet:productionGrade"];
  const accounts: StackAccounts = {
    awsAccountId: accountId,
    gcpProject: c["gcp:project"],
    cloudflareAccountId: c["botfleet:cloudflareAccountId"],
    cloudflareZoneId: c["botfleet:cloudflareZoneId"],
  };

  const problems = [
    ...(productionGrade ? sharedWithNonProductionProblems(accounts, others) : []),
    ...sharedZoneProblems(c["botfleet:cloudflareZoneId"], c["botfleet:cloudflareZoneName"], others),
  ];
  if (problems.length > 0) throw new ConfigError(problems);

  const nameToken = stackNameToken(stack);
  return deepFreeze({
    stack,
    nameToken,
    prefix: `botfleet-${nameToken}`,
    productionGrade,
    domain: c["botfleet:domain"],
    apiHostname: `${c["botfleet:apiSubdomain"]}.${c["botfleet:domain"]}`,
    aws: { region: c["aws:region"], accountId, deployRoleArn: c["botfleet:awsDeployRoleArn"] },
    gcp: { project: c["gcp:project"], region: c["gcp:region"], deployServiceAccount: c["botfleet:gcpDeployServiceAccount"] },
    cloudflare: {
      accountId: c["botfleet:cloudflareAccountId"],
      zoneId: c["botfleet:cloudflareZoneId"],
      zoneName: c["botfleet:cloudflareZoneName"],
      advancedCertificate: c["botfleet:cloudflareAdvancedCertificate"],
      zoneWideTls: c["botfleet:cloudflareZoneWideTls"],
      adoptForeignRules: c["botfleet:cloudflareAdoptForeignRules"],
      managedWaf: c["botfleet:cloudflareManagedWaf"],
      edgeWebhookRequestsPerMinute: c["botfleet:edgeWebhookRequestsPerMinute"],
      edgeApiRequestsPerMinute: c["botfleet:edgeApiRequestsPerMinute"],
    },
    logs: { retentionDays: c["botfleet:logRetentionDays"] },
    functions: {
      memoryMb: c["botfleet:lambdaMemoryMb"],
      timeoutSeconds: c["botfleet:lambdaTimeoutSeconds"],
      reservedConcurrency: c["botfleet:lambdaReservedConcurrency"] === 0 ? undefined : c["botfleet:lambdaReservedConcurrency"],
      accountConcurrencyQuota: c["botfleet:awsLambdaConcurrencyQuota"],
    },
    api: { throttleRatePerSecond: c["botfleet:apiThrottleRatePerSecond"], throttleBurst: c["botfleet:apiThrottleBurst"] },
    bot: {
      rateLimitCapacity: c["botfleet:botRateLimitCapacity"],
      rateLimitRefillPerMinute: c["botfleet:botRateLimitRefillPerMinute"],
      ticketOpensPerHour: c["botfleet:botTicketOpensPerHour"],
      conversationTtlMinutes: c["botfleet:conversationTtlMinutes"],
      dedupeTtlHours: c["botfleet:dedupeTtlHours"],
      auditTtlDays: c["botfleet:auditTtlDays"],
    },
    exportSchedule: c["botfleet:exportSchedule"],
    archive: {
      kmsRotationDays: c["botfleet:archiveKmsRotationDays"],
      coldAfterDays: c["botfleet:archiveColdAfterDays"],
      deleteAfterDays: c["botfleet:archiveDeleteAfterDays"],
      softDeleteDays: c["botfleet:archiveSoftDeleteDays"],
    },
    alarmEmail: c["botfleet:alarmEmail"],
    auth: {
      issuer: c["botfleet:authIssuer"],
      audience: c["botfleet:authAudience"],
      jwksUrl: c["botfleet:authJwksUrl"],
      rolesClaim: c["botfleet:authRolesClaim"],
    },
    whatsappPhoneNumberId: c["botfleet:whatsappPhoneNumberId"] === "" ? undefined : c["botfleet:whatsappPhoneNumberId"],
    originVerifySecret: pulumi.secret(c["botfleet:originVerifySecret"]),
  });
}

/** A problem with the stack's own name: not one Pulumi accepts, too long for the clouds' names, or the same physical names as another stack's. */
function stackNameProblems(stack: string, others: readonly OtherStack[]): string[] {
  if (!STACK_NAME.test(stack)) return [`stack name ${JSON.stringify(stack)}: must be letters, digits, "-", "_" or "." (Pulumi's rule)`];
  const token = stackNameToken(stack);
  if (token.length > MAX_STACK_TOKEN) {
    return [`stack name ${JSON.stringify(stack)}: must be at most ${MAX_STACK_TOKEN} characters: every physical name carries it, and AWS caps Lambda, IAM role and schedule names at 64`];
  }
  const twin = others.find((o) => o.stack !== stack && stackNameToken(o.stack) === token);
  return twin
    ? [`stack name ${JSON.stringify(stack)}: gives the same physical names (botfleet-${token}-...) as the ${twin.stack} stack (Pulumi.${twin.stack}.yaml): rename one of them`]
    : [];
}

/** What a stack deploys into, by the config key that names it. */
interface StackAccounts {
  readonly awsAccountId: string;
  readonly gcpProject: string;
  readonly cloudflareAccountId: string;
  readonly cloudflareZoneId: string;
}

const ACCOUNT_KEYS: readonly { readonly field: keyof StackAccounts; readonly key: string; readonly what: string }[] = [
  { field: "awsAccountId", key: "aws:allowedAccountIds", what: "AWS account" },
  { field: "gcpProject", key: "gcp:project", what: "GCP project" },
  { field: "cloudflareAccountId", key: "botfleet:cloudflareAccountId", what: "Cloudflare account" },
  { field: "cloudflareZoneId", key: "botfleet:cloudflareZoneId", what: "Cloudflare zone" },
];

/**
 * A production-grade stack never runs on an account, project or zone that any non-production stack
 * of the project uses: a test deploy, or whoever holds its credentials, could otherwise read or
 * destroy production data. Every stack file beside Pulumi.yaml counts, whatever its name; one that
 * does not say botfleet:productionGrade: "true" is judged as non-production (the side that refuses
 * more). Placeholders are compared like real values: the sample files' placeholders differ.
 * Production-grade stacks may share accounts with each other (a second region of prod).
 */
function sharedWithNonProductionProblems(accounts: StackAccounts, others: readonly OtherStack[]): string[] {
  return others
    .filter((other) => other.productionGrade !== true)
    .flatMap((other) =>
      ACCOUNT_KEYS.filter(({ field }) => other[field] !== undefined && other[field] === accounts[field]).map(
        ({ field, key, what }) =>
          `${key}: a production-grade stack must not use the ${what} ${accounts[field]} of the non-production ${other.stack} stack (Pulumi.${other.stack}.yaml): give it one of its own`,
      ),
    );
}

/**
 * A Cloudflare zone holds one entry-point ruleset per phase, shared by everything that writes rules
 * there (https://developers.cloudflare.com/ruleset-engine/about/phases/#phase-entry-point-ruleset):
 * a second stack creating the edge's rulesets in the same zone fails ("A similar configuration with
 * rules already exists", pulumi/pulumi-cloudflare#782), or, once imported, would overwrite the
 * first stack's rules. So every stack needs a zone of its own. Sharing a Cloudflare account is
 * fine: the edge writes no account-level ruleset.
 */
function sharedZoneProblems(zoneId: string, zoneName: string, others: readonly OtherStack[]): string[] {
  const why = "a zone has one entry-point ruleset per phase, so two stacks cannot both own the edge's rulesets; give each stack a zone of its own";
  return others.flatMap((other) => {
    if (other.cloudflareZoneId === zoneId) return [`botfleet:cloudflareZoneId: zone ${zoneId} is also the ${other.stack} stack's zone (Pulumi.${other.stack}.yaml): ${why}`];
    if (other.cloudflareZoneName === zoneName) return [`botfleet:cloudflareZoneName: zone ${zoneName} is also the ${other.stack} stack's zone (Pulumi.${other.stack}.yaml): ${why}`];
    return [];
  });
}

/** Every other stack file beside Pulumi.yaml (Pulumi.<stack>.yaml), as declared there. */
export function readOtherStacks(projectDir: string, currentStack: string): OtherStack[] {
  return fs
    .readdirSync(projectDir)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== currentStack)
    .map(([file, stack]) => {
      const doc = parseYamlDocument(fs.readFileSync(path.join(projectDir, file), "utf8")) as { config?: Record<string, unknown> } | null;
      const config = doc?.config ?? {};
      const accounts = config["aws:allowedAccountIds"];
      const str = (key: string) => (typeof config[key] === "string" ? (config[key] as string) : undefined);
      const productionGrade = config["botfleet:productionGrade"];
      return {
        stack: stack as string,
        productionGrade: productionGrade === true || productionGrade === "true",
        awsAccountId: Array.isArray(accounts) ? String(accounts[0]) : undefined,
        gcpProject: str("gcp:project"),
        cloudflareAccountId: str("botfleet:cloudflareAccountId"),
        cloudflareZoneId: str("botfleet:cloudflareZoneId"),
        cloudflareZoneName: str("botfleet:cloudflareZoneName"),
      };
    });
}

export const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * Reads the running stack's config (CLI or mocks) into Settings; the other stacks are the stack files
 * in `projectDir` (the program's own project unless a test runs it on a copy).
 */
export function loadSettings(projectDir = PROJECT_DIR): Settings {
  const raw: Record<string, string | undefined> = {};
  for (const key of [...CONFIG_KEYS, ...Object.keys(RETIRED_KEYS)]) {
    const [namespace, name] = key.split(":") as [string, string];
    // Secrets are read raw (no plaintext warning) only to validate; Settings wraps them in pulumi.secret.
    raw[key] = (SECRET_KEYS as readonly string[]).includes(key)
      ? pulumi.runtime.getConfig(key)
      : new pulumi.Config(namespace).get(name);
  }
  const stack = pulumi.getStack();
  return parseSettings(stack, raw, readOtherStacks(projectDir, stack));
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === "object" && child !== null && !pulumi.Output.isInstance(child)) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
