import type { SecretName } from "../../runtime/env";
import { type HandlerAccess, STAR_ONLY_ACTIONS } from "./access";
import { type PolicyDocument, type PolicyStatement, policyDocument } from "./iamDocument";

/** Resolved ARNs a function's policy can name. */
export interface PolicyRefs {
  readonly region: string;
  readonly logGroupArn: string;
  readonly tableArn: string;
  readonly secretArns: Readonly<Record<SecretName, string>>;
  readonly dataKeyArn: string;
  readonly secretsKeyArn: string;
  readonly repliesDeadLetterQueueArn: string;
  readonly asyncDeadLetterQueueArn: string;
  /** The outbox function, for the functions that wake it (access.invokesOutbox); unset when it is not deployed. */
  readonly outboxFunctionArn?: string;
}

/** What each AWS service needs from the data key when it works for the function. */
export const DATA_KEY_USE = {
  /** Decrypting the function's own environment variables. */
  lambda: ["kms:Decrypt"],
  dynamodb: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
  sqs: ["kms:Decrypt", "kms:GenerateDataKey"],
} as const;

const via = (service: string, region: string) => ({ StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com` } });

/**
 * A function's IAM policy, generated from its declaration (access.ts) and nothing else. Pure, so
 * it is tested without a Pulumi runtime; Backend renders it once the ARNs are known.
 */
export function functionPolicy(access: HandlerAccess, refs: PolicyRefs): PolicyDocument {
  const statements: PolicyStatement[] = [
    { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${refs.logGroupArn}:*`] },
    { Sid: "SendTraces", Effect: "Allow", Action: [...STAR_ONLY_ACTIONS], Resource: "*" },
    { Sid: "DecryptOwnEnvironment", Effect: "Allow", Action: [...DATA_KEY_USE.lambda], Resource: [refs.dataKeyArn], Condition: via("lambda", refs.region) },
  ];

  if (access.table.length > 0) {
    statements.push({
      Sid: "UseTableItems",
      Effect: "Allow",
      Action: [...access.table],
      Resource: [refs.tableArn],
      ...("patterns" in access.leadingKeys
        ? { Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...access.leadingKeys.patterns] } } }
        : {}),
    });
  }
  if (access.indexes.length > 0) {
    statements.push({
      Sid: "QueryIndexes",
      Effect: "Allow",
      Action: ["dynamodb:Query"],
      Resource: access.indexes.map((index) => `${refs.tableArn}/index/${index}`),
    });
  }
  if (access.table.length > 0 || access.indexes.length > 0) {
    statements.push({
      Sid: "TableEncryptionKeyThroughDynamoDB",
      Effect: "Allow",
      Action: [...DATA_KEY_USE.dynamodb],
      Resource: [refs.dataKeyArn],
      Condition: via("dynamodb", refs.region),
    });
  }

  if (access.secrets.length > 0) {
    statements.push(
      { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: access.secrets.map((s) => refs.secretArns[s]) },
      {
        Sid: "SecretsKeyThroughSecretsManager",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [refs.secretsKeyArn],
        Condition: via("secretsmanager", refs.region),
      },
    );
  }

  const queues = [
    ...(access.deadLettersReplies ? [refs.repliesDeadLetterQueueArn] : []),
    ...(access.invokedAsync ? [refs.asyncDeadLetterQueueArn] : []),
  ];
  if (queues.length > 0) {
    statements.push(
      { Sid: "SendDeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queues },
      { Sid: "QueueKeyThroughSqs", Effect: "Allow", Action: [...DATA_KEY_USE.sqs], Resource: [refs.dataKeyArn], Condition: via("sqs", refs.region) },
    );
  }
  if (access.invokesOutbox && refs.outboxFunctionArn !== undefined) {
    statements.push({ Sid: "WakeOutbox", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [refs.outboxFunctionArn] });
  }
  return policyDocument(statements);
}
