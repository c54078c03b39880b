/**
 * A small IAM world for the judge's own spec, built from the same pure generators the program uses
 * (access.ts → functionPolicy, keyPolicies.ts, the archive's permission lists and Workload Identity
 * expressions) at fixed ARNs, so the spec runs in milliseconds without a program run. The check
 * itself (leastPrivilege.check.ts) judges the program's rendered world instead.
 */
import { ACCESS } from "../../infra/aws/access";
import { functionPolicy } from "../../infra/aws/functionPolicy";
import type { PolicyDocument } from "../../infra/aws/iamDocument";
import { keyPolicy } from "../../infra/aws/keyPolicies";
import { ARCHIVE_READER_PERMISSIONS, ARCHIVE_WRITER_PERMISSIONS, WORKLOAD_IDENTITY_USER } from "../../infra/gcp/archive";
import { onlyRolesCondition, rolePrincipalSet } from "../../infra/gcp/workloadIdentity";
import { ENV } from "../../runtime/env";
import { SECRET_NAMES } from "../../runtime/env";
import { HANDLERS, type HandlerName } from "../../runtime/routes";
import type { HandlerIdentity, IamWorld } from "./iamWorld";

export const ACCOUNT = "111111111111";
export const REGION = "eu-west-1";
const PREFIX = "botfleet-dev";
const PROJECT = "botfleet-dev-project";
const POOL = "projects/100000000001/locations/global/workloadIdentityPools/botfleet-dev-aws";
const PROVIDER = `${POOL}/providers/export-aws`;
export const KEY = (purpose: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${purpose}`;
export const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${PREFIX}-table`;
export const QUEUE = (kind: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-${kind}-dlq`;
const QUEUE_URL = (kind: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${PREFIX}-${kind}-dlq`;
export const SECRET = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${PREFIX}/${name}-AbCdEf`;
const FUNCTION = (handler: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-${handler}`;
const ROLE = (handler: string) => `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-${handler}`;
const SERVICE_ACCOUNT = { write: `${PREFIX}-export@${PROJECT}.iam.gserviceaccount.com`, read: `${PREFIX}-archive-reader@${PROJECT}.iam.gserviceaccount.com` } as const;
const BUCKET = `${PREFIX}-archive-${PROJECT}`;

const denyInsecure = (arn: string): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: ["sqs:SendMessage"], Resource: [arn], Condition: { Bool: { "aws:SecureTransport": false } } }],
});

export interface WorldChanges {
  /** Replace a key policy (by purpose). */
  readonly keyPolicies?: Partial<Record<"data" | "secrets" | "logs", PolicyDocument>>;
}

export function syntheticWorld(changes: WorldChanges = {}): IamWorld {
  const ctx = { accountId: ACCOUNT, region: REGION, prefix: PREFIX };
  const handlers = new Map<HandlerName, HandlerIdentity>();
  for (const handler of HANDLERS) {
    const access = ACCESS[handler];
    const identityPolicy = functionPolicy(access, {
      region: REGION,
      logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${PREFIX}-${handler}`,
      tableArn: TABLE_ARN,
      secretArns: Object.fromEntries(SECRET_NAMES.map((name) => [name, SECRET(name)])) as Record<(typeof SECRET_NAMES)[number], string>,
      dataKeyArn: KEY("data"),
      secretsKeyArn: KEY("secrets"),
      repliesDeadLetterQueueArn: QUEUE("replies"),
      asyncDeadLetterQueueArn: QUEUE("async"),
      ...(access.invokesOutbox ? { outboxFunctionArn: FUNCTION("outbox") } : {}),
    });
    const archive = access.archive === false ? undefined : SERVICE_ACCOUNT[access.archive];
    handlers.set(handler, {
      handler,
      functionName: `${PREFIX}-${handler}`,
      functionArn: FUNCTION(handler),
      roleArn: ROLE(handler),
      identityPolicy,
      environment: access.deadLettersReplies ? { [ENV.deadLetterQueueUrl]: QUEUE_URL("replies") } : {},
      environmentKeyArn: KEY("data"),
      ...(access.invokedAsync ? { asyncDeadLetterQueueArn: QUEUE("async") } : {}),
      ...(archive !== undefined ? { gcp: { audience: PROVIDER, serviceAccount: archive } } : {}),
    });
  }
  const roleName = (handler: string) => `${PREFIX}-${handler}`;
  const writer = `projects/${PROJECT}/roles/botfleet_dev_archive_writer`;
  const reader = `projects/${PROJECT}/roles/botfleet_dev_archive_reader`;
  return {
    accountId: ACCOUNT,
    region: REGION,
    handlers,
    table: { name: `${PREFIX}-table`, arn: TABLE_ARN, keyArn: KEY("data") },
    secrets: new Map(SECRET_NAMES.map((name) => [name, { arn: SECRET(name), keyArn: KEY("secrets") }])),
    queues: new Map(["replies", "async", "schedule"].map((kind) => [QUEUE(kind), { url: QUEUE_URL(kind), keyArn: KEY("data"), policy: denyInsecure(QUEUE(kind)) }])),
    keyPolicies: new Map(
      (["data", "secrets", "logs"] as const).map((purpose) => [KEY(purpose), changes.keyPolicies?.[purpose] ?? keyPolicy(purpose, ctx)]),
    ),
    gcp: {
      bucket: BUCKET,
      roles: new Map([
        [writer, [...ARCHIVE_WRITER_PERMISSIONS]],
        [reader, [...ARCHIVE_READER_PERMISSIONS]],
      ]),
      bucketBindings: [
        { bucket: BUCKET, role: writer, member: `serviceAccount:${SERVICE_ACCOUNT.write}` },
        { bucket: BUCKET, role: reader, member: `serviceAccount:${SERVICE_ACCOUNT.read}` },
      ],
      serviceAccountBindings: [
        { serviceAccountId: `projects/${PROJECT}/serviceAccounts/${SERVICE_ACCOUNT.write}`, role: WORKLOAD_IDENTITY_USER, member: rolePrincipalSet(POOL, ACCOUNT, roleName("export")) },
        { serviceAccountId: `projects/${PROJECT}/serviceAccounts/${SERVICE_ACCOUNT.read}`, role: WORKLOAD_IDENTITY_USER, member: rolePrincipalSet(POOL, ACCOUNT, roleName("api")) },
      ],
      providers: new Map([[PROVIDER, onlyRolesCondition(ACCOUNT, [roleName("export"), roleName("api")])]]),
    },
  };
}
