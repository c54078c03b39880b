import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SecretName } from "../../runtime/env";
import type { HandlerName } from "../../runtime/routes";
import type { Settings } from "../config";
import { ACCESS } from "./access";
import { Alarms } from "./alarms";
import { HttpApi } from "./api";
import { functionEnvironment } from "./environment";
import { functionArn, functionName, HandlerFunction } from "./function";
import { existingHandlers } from "./handlers";
import { EncryptionKeys } from "./kms";
import { DeadLetterQueues } from "./queues";
import { ExportSchedule, OutboxSchedule } from "./schedule";
import { Secrets } from "./secrets";
import { Table } from "./table";

export interface BackendArgs {
  /** Stack settings (infra/config.ts). */
  readonly settings: Settings;
  /** ARN of the ApiCertificate for settings.apiHostname. */
  readonly certificateArn: pulumi.Input<string>;
  /** FQDNs of its DNS validation records (created in Cloudflare); the API domain waits for validation. */
  readonly validationRecordFqdns: pulumi.Input<string>[];
  /** The GCS archive the export writes to and the api reads from, reached keylessly (Workload Identity Federation). */
  readonly archive: {
    readonly bucketName: pulumi.Input<string>;
    /** external_account credential configuration JSON (no secrets in it) for the writer identity. */
    readonly credentialConfig: pulumi.Input<string>;
    /** The same for the read-only identity. */
    readonly readerCredentialConfig: pulumi.Input<string>;
  };
}

/** What the functions are wired to (the children Backend created before them). */
interface FunctionParts {
  readonly settings: Settings;
  readonly keys: EncryptionKeys;
  readonly table: Table;
  readonly secrets: Secrets;
  readonly secretArns: pulumi.Output<Record<SecretName, string>>;
  readonly queues: DeadLetterQueues["queues"];
  readonly archive: BackendArgs["archive"];
}

/**
 * Everything botfleet runs in AWS: keys, table, secrets, dead-letter queues, one function per
 * entry point in runtime/handlers, the HTTP API on its custom domain, the export and outbox
 * schedules and the alarms. Reads top to bottom in dependency order.
 */
export class Backend extends pulumi.ComponentResource {
  /** Regional target name of the API's custom domain: api.<domain> is a CNAME to it. */
  readonly apiDomainTarget: pulumi.Output<string>;
  /** https://api.<domain> */
  readonly apiUrl: string;
  readonly tableName: pulumi.Output<string>;
  /** Handler → physical function name, for the functions that exist. */
  readonly functionNames: pulumi.Output<Record<string, string>>;
  /** Secret name → ARN (never a value). */
  readonly secretArns: pulumi.Output<Record<string, string>>;
  readonly alarmTopicArn: pulumi.Output<string>;

  constructor(name: string, args: BackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:Backend", name, {}, opts);
    const { settings } = args;
    const child = { parent: this };

    const keys = new EncryptionKeys(`${name}-keys`, { settings }, child);
    const table = new Table(`${name}-data`, { settings, kmsKeyArn: keys.data.arn }, child);
    const secrets = new Secrets(`${name}-secrets`, { settings, kmsKeyArn: keys.secrets.arn }, child);
    const { queues } = new DeadLetterQueues(`${name}-dlq`, { settings, kmsKeyArn: keys.data.arn }, child);

    const secretArns = pulumi.all(secrets.arns) as pulumi.Output<Record<SecretName, string>>;
    const functions = this.createFunctions(name, { settings, keys, table, secrets, secretArns, queues, archive: args.archive });

    const validation = new aws.acm.CertificateValidation(
      `${name}-certificate-validation`,
      { certificateArn: args.certificateArn, validationRecordFqdns: args.validationRecordFqdns },
      child,
    );
    const api = new HttpApi(`${name}-http`, { settings, functions, certificateArn: validation.certificateArn, logsKeyArn: keys.logs.arn }, child);

    const exportFunction = functions.get("export");
    if (exportFunction) {
      new ExportSchedule(
        `${name}-export-schedule`,
        { settings, functionArn: exportFunction.arn, deadLetterQueueArn: queues.schedule.arn, dataKeyArn: keys.data.arn },
        child,
      );
    }
    const outboxFunction = functions.get("outbox");
    if (outboxFunction) {
      new OutboxSchedule(
        `${name}-outbox-schedule`,
        { settings, functionArn: outboxFunction.arn, deadLetterQueueArn: queues.schedule.arn, dataKeyArn: keys.data.arn },
        child,
      );
    }

    const alarms = new Alarms(
      `${name}-alarms`,
      {
        settings,
        dataKeyArn: keys.data.arn,
        functionNames: Object.fromEntries([...functions].map(([handler, fn]) => [handler, fn.name])),
        queueNames: Object.fromEntries(Object.entries(queues).map(([kind, queue]) => [kind, queue.name])),
        apiId: api.apiId,
      },
      child,
    );

    this.apiDomainTarget = api.domainTarget;
    this.apiUrl = api.url;
    this.tableName = table.name;
    this.functionNames = pulumi.all(Object.fromEntries([...functions].map(([handler, fn]) => [handler, fn.name])));
    this.secretArns = secretArns.apply((arns): Record<string, string> => ({ ...arns }));
    this.alarmTopicArn = alarms.topicArn;
    this.registerOutputs({
      apiDomainTarget: this.apiDomainTarget,
      apiUrl: this.apiUrl,
      tableName: this.tableName,
      functionNames: this.functionNames,
      secretArns: this.secretArns,
    });
  }

  /** One HandlerFunction per entry point that exists, each with the environment its declaration allows. */
  private createFunctions(name: string, parts: FunctionParts): Map<HandlerName, HandlerFunction> {
    const { settings, keys, table, secrets, secretArns, queues, archive } = parts;
    const functions = new Map<HandlerName, HandlerFunction>();
    const handlers = existingHandlers();
    // Named, not referenced: the webhooks that wake the outbox need not wait for it to exist.
    const outbox = handlers.includes("outbox") ? { name: functionName(settings, "outbox"), arn: functionArn(settings, "outbox") } : undefined;
    for (const handler of handlers) {
      const access = ACCESS[handler];
      const environment = pulumi
        .all([table.name, secretArns, queues.replies.url, archive.bucketName, archive.credentialConfig, archive.readerCredentialConfig])
        .apply(([tableName, resolvedSecretArns, repliesDeadLetterQueueUrl, archiveBucket, writerCredentials, readerCredentials]) =>
          functionEnvironment(access, settings, {
            tableName,
            secretArns: resolvedSecretArns,
            repliesDeadLetterQueueUrl,
            archiveBucket,
            gcpCredentials: { write: writerCredentials, read: readerCredentials },
            ...(outbox !== undefined ? { outboxFunctionName: outbox.name } : {}),
          }),
        );
      const fn = new HandlerFunction(
        `${name}-${handler}`,
        {
          settings,
          handler,
          access,
          environment,
          keys: { dataKeyArn: keys.data.arn, logsKeyArn: keys.logs.arn, secretsKeyArn: keys.secrets.arn },
          tableArn: table.arn,
          secretArns: secrets.arns,
          repliesDeadLetterQueueArn: queues.replies.arn,
          asyncDeadLetterQueueArn: queues.async.arn,
          ...(outbox !== undefined && access.invokesOutbox ? { outboxFunctionArn: outbox.arn } : {}),
        },
        { parent: this },
      );
      functions.set(handler, fn);
    }
    return functions;
  }
}
