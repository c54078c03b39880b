import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";
import { renderPolicy } from "./iamDocument";
import { KEY_PURPOSES, type KeyPurpose, keyPolicy } from "./keyPolicies";

export interface EncryptionKeysArgs {
  /** Stack settings: account, region and name prefix go into each key policy. */
  readonly settings: Settings;
}

/**
 * botfleet's customer-managed KMS keys (data, logs, secrets; why three: see keyPolicies.ts).
 * Always symmetric, rotation on, a 30-day deletion window, a key policy per purpose and, in a production-grade stack,
 * `protect`; none of that is an argument, so a caller cannot weaken it.
 */
export class EncryptionKeys extends pulumi.ComponentResource {
  /** Encrypts the table, Lambda environments, SQS queues and the SNS alarm topic. */
  readonly data: aws.kms.Key;
  /** Encrypts every CloudWatch log group of this stack. */
  readonly logs: aws.kms.Key;
  /** Encrypts the Secrets Manager secrets. */
  readonly secrets: aws.kms.Key;

  constructor(name: string, args: EncryptionKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:EncryptionKeys", name, {}, opts);
    const { settings } = args;
    const keys = Object.fromEntries(KEY_PURPOSES.map((purpose) => [purpose, this.createKey(name, purpose, settings)])) as Record<
      KeyPurpose,
      aws.kms.Key
    >;
    this.data = keys.data;
    this.logs = keys.logs;
    this.secrets = keys.secrets;
    this.registerOutputs({ dataKeyArn: this.data.arn, logsKeyArn: this.logs.arn, secretsKeyArn: this.secrets.arn });
  }

  private createKey(name: string, purpose: KeyPurpose, settings: Settings): aws.kms.Key {
    const ctx = { accountId: settings.aws.accountId, region: settings.aws.region, prefix: settings.prefix };
    const key = new aws.kms.Key(
      `${name}-${purpose}`,
      {
        description: `${settings.prefix} ${purpose} key`,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        isEnabled: true,
        policy: renderPolicy(keyPolicy(purpose, ctx)),
      },
      // In a production-grade stack, deleting a key would make the table, secrets or logs unreadable: protect it.
      { parent: this, protect: settings.productionGrade },
    );
    new aws.kms.Alias(`${name}-${purpose}-alias`, { name: `alias/${settings.prefix}-${purpose}`, targetKeyId: key.keyId }, { parent: this });
    return key;
  }
}
