import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SecretName } from "../../runtime/env";
import type { HandlerName } from "../../runtime/routes";
import type { Settings } from "../config";
import { apiRoleName, exportRoleName } from "../naming";
import type { HandlerAccess } from "./access";
import { LAMBDA_HANDLER, bundleArchive } from "./bundle";
import { functionPolicy } from "./functionPolicy";
import { handlerEntry } from "./handlers";
import { lambdaExecutionTrustPolicy, renderPolicy } from "./iamDocument";

/** The export is not on a request path: it reads a whole day of tickets and uploads it. */
export const EXPORT_TIMEOUT_SECONDS = 300;

/**
 * The outbox drains queued replies for up to OUTBOX_BUDGET_MS (40 s, runtime/handlers/outbox.ts)
 * and may then finish one send (≤ 12 s of retries): 60 s leaves it a margin, below the schedule's minute.
 */
export const OUTBOX_TIMEOUT_SECONDS = 60;

/** Timeouts of the scheduled functions; request-path functions use settings.functions.timeoutSeconds. */
export const SCHEDULED_TIMEOUT_SECONDS: Readonly<Partial<Record<HandlerName, number>>> = { export: EXPORT_TIMEOUT_SECONDS, outbox: OUTBOX_TIMEOUT_SECONDS };

/** Retries of a failed asynchronous invocation, and how long an event stays worth running. */
export const ASYNC_RETRY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } as const;

export interface HandlerFunctionArgs {
  /** Stack settings: memory, timeout, reserved concurrency, log retention, name prefix. */
  readonly settings: Settings;
  /** Which runtime/handlers/<name>.ts this function runs. */
  readonly handler: HandlerName;
  /** Its declaration (access.ts): the only source of its IAM policy. */
  readonly access: HandlerAccess;
  /** Environment variables (see environment.ts); encrypted with `dataKeyArn`. */
  readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly keys: { readonly dataKeyArn: pulumi.Input<string>; readonly logsKeyArn: pulumi.Input<string>; readonly secretsKeyArn: pulumi.Input<string> };
  readonly tableArn: pulumi.Input<string>;
  readonly secretArns: Readonly<Record<SecretName, pulumi.Input<string>>>;
  readonly repliesDeadLetterQueueArn: pulumi.Input<string>;
  /** Where Lambda puts events of failed asynchronous invocations (used when access.invokedAsync). */
  readonly asyncDeadLetterQueueArn: pulumi.Input<string>;
  /** The outbox function's ARN, for a function that wakes it (access.invokesOutbox). */
  readonly outboxFunctionArn?: string;
}

/** Physical names of a function and its role; the export role's name is shared with GCP (naming.ts). */
export function functionName(settings: Settings, handler: HandlerName): string {
  return `${settings.prefix}-${handler}`;
}

/** A function's ARN, known before it exists (its name is fixed): lets a function name another without waiting for it. */
export function functionArn(settings: Settings, handler: HandlerName): string {
  return `arn:aws:lambda:${settings.aws.region}:${settings.aws.accountId}:function:${functionName(settings, handler)}`;
}

export function roleName(settings: Settings, handler: HandlerName): string {
  if (handler === "export") return exportRoleName(settings);
  if (handler === "api") return apiRoleName(settings);
  return `${settings.prefix}-${handler}`;
}

/**
 * One deployed entry point: its own log group (retention + logs key), its own role (trusted only
 * by the Lambda service; see lambdaExecutionTrustPolicy) with the policy generated from its
 * declaration, and the function itself — nodejs22.x on arm64, the esbuild bundle of its entry,
 * environment encrypted with the data key, X-Ray active, JSON logs, reserved concurrency when the
 * stack opts in. None of that is an argument.
 */
export class HandlerFunction extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly invokeArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly nodes: { readonly function: aws.lambda.Function; readonly role: aws.iam.Role; readonly logGroup: aws.cloudwatch.LogGroup };

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:HandlerFunction", name, {}, opts);
    const { settings, handler } = args;
    const physicalName = functionName(settings, handler);

    const logGroup = this.createLogGroup(name, physicalName, args);
    const role = this.createRole(name, args);
    const policy = this.createPolicy(name, role, logGroup, args);
    const fn = this.createFunction(name, physicalName, role, logGroup, args, policy);
    if (args.access.invokedAsync) {
      // Asynchronous events are retried twice, then go to the async dead-letter queue.
      new aws.lambda.FunctionEventInvokeConfig(
        `${name}-async`,
        { functionName: fn.name, maximumRetryAttempts: ASYNC_RETRY.maximumRetryAttempts, maximumEventAgeInSeconds: ASYNC_RETRY.maximumEventAgeInSeconds },
        { parent: this },
      );
    }

    this.name = fn.name;
    this.arn = fn.arn;
    this.invokeArn = fn.invokeArn;
    this.roleArn = role.arn;
    this.nodes = { function: fn, role, logGroup };
    this.registerOutputs({ name: this.name, arn: this.arn, roleArn: this.roleArn });
  }

  private createLogGroup(name: string, physicalName: string, args: HandlerFunctionArgs): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${physicalName}`, retentionInDays: args.settings.logs.retentionDays, kmsKeyId: args.keys.logsKeyArn },
      { parent: this },
    );
  }

  private createRole(name: string, args: HandlerFunctionArgs): aws.iam.Role {
    return new aws.iam.Role(
      `${name}-role`,
      {
        name: roleName(args.settings, args.handler),
        description: `${functionName(args.settings, args.handler)} function; policy generated from infra/aws/access.ts`,
        assumeRolePolicy: renderPolicy(lambdaExecutionTrustPolicy()),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
  }

  private createPolicy(name: string, role: aws.iam.Role, logGroup: aws.cloudwatch.LogGroup, args: HandlerFunctionArgs): aws.iam.RolePolicy {
    const secretArns = pulumi.all(args.secretArns) as pulumi.Output<Record<SecretName, string>>;
    const document = pulumi
      .all([logGroup.arn, args.tableArn, secretArns, args.keys.dataKeyArn, args.keys.secretsKeyArn, args.repliesDeadLetterQueueArn, args.asyncDeadLetterQueueArn])
      .apply(([logGroupArn, tableArn, resolvedSecretArns, dataKeyArn, secretsKeyArn, repliesDeadLetterQueueArn, asyncDeadLetterQueueArn]) =>
        renderPolicy(
          functionPolicy(args.access, {
            region: args.settings.aws.region,
            logGroupArn,
            tableArn,
            secretArns: resolvedSecretArns,
            dataKeyArn,
            secretsKeyArn,
            repliesDeadLetterQueueArn,
            asyncDeadLetterQueueArn,
            ...(args.outboxFunctionArn !== undefined ? { outboxFunctionArn: args.outboxFunctionArn } : {}),
          }),
        ),
      );
    return new aws.iam.RolePolicy(`${name}-access`, { name: "access", role: role.id, policy: document }, { parent: this });
  }

  private createFunction(
    name: string,
    physicalName: string,
    role: aws.iam.Role,
    logGroup: aws.cloudwatch.LogGroup,
    args: HandlerFunctionArgs,
    policy: aws.iam.RolePolicy,
  ): aws.lambda.Function {
    const { settings, handler, access } = args;
    return new aws.lambda.Function(
      `${name}-function`,
      {
        name: physicalName,
        role: role.arn,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: LAMBDA_HANDLER,
        code: bundleArchive(handlerEntry(handler)),
        memorySize: settings.functions.memoryMb,
        timeout: SCHEDULED_TIMEOUT_SECONDS[handler] ?? settings.functions.timeoutSeconds,
        // Only when the stack opts in: every reservation comes out of the account's quota, which must
        // keep 100 unreserved (infra/config.ts refuses reservations that do not fit).
        ...(settings.functions.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: settings.functions.reservedConcurrency } : {}),
        kmsKeyArn: args.keys.dataKeyArn,
        environment: { variables: args.environment },
        tracingConfig: { mode: "Active" },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
        ...(access.invokedAsync ? { deadLetterConfig: { targetArn: args.asyncDeadLetterQueueArn } } : {}),
      },
      // The role must hold its policy (logs, KMS for the environment) before the first invocation.
      { parent: this, dependsOn: [policy] },
    );
  }
}
