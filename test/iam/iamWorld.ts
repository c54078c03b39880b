/**
 * Everything that decides what a handler may do, as the program declares it: each function's role,
 * its identity policy (the rendered RolePolicy), its environment (which names the secret ARNs, the
 * dead-letter queue and the GCP credential configuration it uses), the KMS key policies and the
 * queue and topic policies, the encryption key of each resource, and the GCP IAM bindings of the
 * archive. Read from the program run under mocks (tools/program/runUnderMocks.ts), so the judge
 * follows whatever infra/ renders rather than a copy of it.
 */
import type { PolicyDocument } from "../../infra/aws/iamDocument";
import type { RegisteredResource } from "../../tools/program/runUnderMocks";
import { HANDLERS, type HandlerName } from "../../runtime/routes";
import { ENV } from "../../runtime/env";

export interface HandlerIdentity {
  readonly handler: HandlerName;
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleArn: string;
  readonly identityPolicy: PolicyDocument;
  readonly environment: Readonly<Record<string, string>>;
  /** Key Lambda encrypts the function's environment with (decrypted through Lambda on every cold start). */
  readonly environmentKeyArn?: string;
  /** Where Lambda itself sends failed asynchronous events, with the function's role. */
  readonly asyncDeadLetterQueueArn?: string;
  /** The Workload Identity provider and service account its external_account configuration names. */
  readonly gcp?: { readonly audience: string; readonly serviceAccount: string };
}

export interface GcpIamWorld {
  readonly bucket?: string;
  /** Custom role name (projects/<p>/roles/<id>) → permissions. */
  readonly roles: ReadonlyMap<string, readonly string[]>;
  readonly bucketBindings: readonly { readonly bucket: string; readonly role: string; readonly member: string }[];
  readonly serviceAccountBindings: readonly { readonly serviceAccountId: string; readonly role: string; readonly member: string }[];
  /** Workload Identity pool providers: full resource name → attribute condition (CEL). */
  readonly providers: ReadonlyMap<string, string>;
}

export interface IamWorld {
  readonly accountId: string;
  readonly region: string;
  readonly handlers: ReadonlyMap<HandlerName, HandlerIdentity>;
  readonly table: { readonly name: string; readonly arn: string; readonly keyArn?: string };
  /** Short secret name (telegram, origin, …) → ARN and key. */
  readonly secrets: ReadonlyMap<string, { readonly arn: string; readonly keyArn?: string }>;
  /** Queue ARN → URL, key and resource policy. */
  readonly queues: ReadonlyMap<string, { readonly url: string; readonly keyArn?: string; readonly policy?: PolicyDocument }>;
  readonly keyPolicies: ReadonlyMap<string, PolicyDocument>;
  readonly gcp: GcpIamWorld;
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const arnOf = (r: RegisteredResource): string | undefined => str(r.wireOutputs.arn);
const policyOf = (value: unknown): PolicyDocument | undefined => (typeof value === "string" ? (JSON.parse(value) as PolicyDocument) : undefined);

/** The program's IAM world from one (non-preview) run: every ARN known. */
export function worldFromProgram(resources: readonly RegisteredResource[], accountId: string, region: string, prefix: string): IamWorld {
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const keyPolicies = new Map<string, PolicyDocument>();
  for (const key of ofType("aws:kms/key:Key")) {
    const arn = arnOf(key);
    const policy = policyOf(key.inputs.policy);
    if (arn !== undefined && policy !== undefined) keyPolicies.set(arn, policy);
  }

  const rolesById = new Map(ofType("aws:iam/role:Role").map((role) => [role.id ?? "", role]));
  const policiesByRoleArn = new Map<string, PolicyDocument>();
  for (const rolePolicy of ofType("aws:iam/rolePolicy:RolePolicy")) {
    const role = rolesById.get(String(rolePolicy.inputs.role));
    const policy = policyOf(rolePolicy.inputs.policy);
    if (role !== undefined && arnOf(role) !== undefined && policy !== undefined) policiesByRoleArn.set(arnOf(role) as string, policy);
  }

  const handlers = new Map<HandlerName, HandlerIdentity>();
  for (const fn of ofType("aws:lambda/function:Function")) {
    const functionName = String(fn.inputs.name);
    const handler = functionName.slice(prefix.length + 1) as HandlerName;
    if (!functionName.startsWith(`${prefix}-`) || !HANDLERS.includes(handler)) continue;
    const roleArn = String(fn.inputs.role);
    const environment = ((fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}) as Record<string, string>;
    const credentials = str(environment[ENV.gcpCredentials]);
    const config = credentials === undefined ? undefined : (JSON.parse(credentials) as { audience: string; service_account_impersonation_url: string });
    const serviceAccount = config === undefined ? undefined : /serviceAccounts\/([^:]+):generateAccessToken$/.exec(config.service_account_impersonation_url)?.[1];
    handlers.set(handler, {
      handler,
      functionName,
      functionArn: arnOf(fn) ?? "",
      roleArn,
      identityPolicy: policiesByRoleArn.get(roleArn) ?? { Version: "2012-10-17", Statement: [] },
      environment,
      ...(str(fn.inputs.kmsKeyArn) !== undefined ? { environmentKeyArn: str(fn.inputs.kmsKeyArn) } : {}),
      ...(str((fn.inputs.deadLetterConfig as { targetArn?: string } | undefined)?.targetArn) !== undefined
        ? { asyncDeadLetterQueueArn: (fn.inputs.deadLetterConfig as { targetArn: string }).targetArn }
        : {}),
      ...(config !== undefined && serviceAccount !== undefined ? { gcp: { audience: config.audience.replace(/^\/\/iam\.googleapis\.com\//, ""), serviceAccount } } : {}),
    });
  }

  const [table] = ofType("aws:dynamodb/table:Table");
  const secrets = new Map<string, { arn: string; keyArn?: string }>();
  for (const secret of ofType("aws:secretsmanager/secret:Secret")) {
    const short = String(secret.inputs.name).split("/").pop() ?? "";
    secrets.set(short, { arn: arnOf(secret) ?? "", ...(str(secret.inputs.kmsKeyId) !== undefined ? { keyArn: str(secret.inputs.kmsKeyId) } : {}) });
  }
  const queuePolicies = new Map(ofType("aws:sqs/queuePolicy:QueuePolicy").map((p) => [String(p.inputs.queueUrl), policyOf(p.inputs.policy)]));
  const queues = new Map<string, { url: string; keyArn?: string; policy?: PolicyDocument }>();
  for (const queue of ofType("aws:sqs/queue:Queue")) {
    const url = String(queue.wireOutputs.url);
    const policy = queuePolicies.get(url);
    queues.set(arnOf(queue) ?? "", { url, ...(str(queue.inputs.kmsMasterKeyId) ? { keyArn: str(queue.inputs.kmsMasterKeyId) } : {}), ...(policy ? { policy } : {}) });
  }

  const gcpRoles = new Map(ofType("gcp:projects/iAMCustomRole:IAMCustomRole").map((r) => [String(r.wireOutputs.name), (r.inputs.permissions as string[] | undefined) ?? []]));
  const [bucket] = ofType("gcp:storage/bucket:Bucket");
  return {
    accountId,
    region,
    handlers,
    table: {
      name: String(table?.inputs.name ?? ""),
      arn: (table && arnOf(table)) ?? "",
      ...(str((table?.inputs.serverSideEncryption as { kmsKeyArn?: string } | undefined)?.kmsKeyArn)
        ? { keyArn: (table?.inputs.serverSideEncryption as { kmsKeyArn: string }).kmsKeyArn }
        : {}),
    },
    secrets,
    queues,
    keyPolicies,
    gcp: {
      ...(bucket ? { bucket: String(bucket.inputs.name) } : {}),
      roles: gcpRoles,
      bucketBindings: ofType("gcp:storage/bucketIAMMember:BucketIAMMember").map((b) => ({ bucket: String(b.inputs.bucket), role: String(b.inputs.role), member: String(b.inputs.member) })),
      serviceAccountBindings: ofType("gcp:serviceaccount/iAMMember:IAMMember").map((b) => ({
        serviceAccountId: String(b.inputs.serviceAccountId),
        role: String(b.inputs.role),
        member: String(b.inputs.member),
      })),
      providers: new Map(
        ofType("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").map((p) => [String(p.wireOutputs.name), String(p.inputs.attributeCondition ?? "")]),
      ),
    },
  };
}
